from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("subject", "recipient", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("subject", "recipient__username")
    raw_id_fields = ("recipient", "event")
    readonly_fields = ("created_at", "emailed_at", "email_claimed_at", "email_attempts")
