"""Topics (with their [M] answer periods) and routing rules are data: editable in the Django admin
where it is enabled (ADMIN_ENABLED), or by a data migration."""

from django.contrib import admin

from .models import RoutingRule, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "agency_kind", "agency_level", "due_days", "active")
    list_editable = ("due_days", "active")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("topic", "unit", "agency")
    raw_id_fields = ("unit", "agency")
