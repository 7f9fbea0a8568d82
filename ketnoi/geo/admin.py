from django.contrib import admin

from .models import AdminUnit, ClassificationPeriod, Village


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "structure", "level", "unit_type", "valid_from", "valid_to")
    list_filter = ("structure", "level")
    search_fields = ("code", "search_key")
    readonly_fields = ("parent", "province")


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "commune", "households")
    search_fields = ("search_key",)
    raw_id_fields = ("commune",)


admin.site.register(ClassificationPeriod)
