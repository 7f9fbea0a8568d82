from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ketnoi.core.audit import record_personal_view

from .models import Agency, AgencySuccession, OfficeHolder, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    raw_id_fields = ("unit",)
    extra = 0


@admin.register(User)
class KetNoiUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Kết Nối", {"fields": ("full_name", "agency", "phone", "preferred_language")}),)
    raw_id_fields = ("agency",)
    inlines = [RoleGrantInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The change form shows the user's decrypted phone, names and e-mail: log the view."""
        response = super().change_view(request, object_id, form_url, extra_context)
        user = self.get_object(request, object_id) if request.method == "GET" else None
        if user is not None and getattr(response, "status_code", None) == 200:
            record_personal_view(
                user, fields=("full_name", "first_name", "last_name", "email", "phone"), request=request
            )
        return response


class SuccessionInline(admin.TabularInline):
    model = AgencySuccession
    fk_name = "predecessor"
    raw_id_fields = ("successor",)
    extra = 0


class OfficeHolderInline(admin.TabularInline):
    model = OfficeHolder
    fields = ("role", "title", "full_name", "valid_from", "valid_to", "signs_reports")
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "kind", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("code", "search_key")
    raw_id_fields = ("parent", "unit")
    inlines = [SuccessionInline, OfficeHolderInline]


@admin.register(OfficeHolder)
class OfficeHolderAdmin(admin.ModelAdmin):
    list_display = ("agency", "role", "title", "full_name", "valid_from", "valid_to", "signs_reports")
    list_filter = ("role", "signs_reports")
    search_fields = ("agency__code", "title", "full_name")
    raw_id_fields = ("agency",)
