from django.contrib import admin

from .models import ComboMap, ElementMap, OrgUnitMap


@admin.register(OrgUnitMap)
class OrgUnitMapAdmin(admin.ModelAdmin):
    list_display = ("unit", "dhis2")
    search_fields = ("dhis2", "unit__code", "unit__name")
    raw_id_fields = ("unit",)


@admin.register(ElementMap)
class ElementMapAdmin(admin.ModelAdmin):
    list_display = ("element", "dhis2")
    search_fields = ("dhis2", "element__code")


@admin.register(ComboMap)
class ComboMapAdmin(admin.ModelAdmin):
    list_display = ("disaggregation", "dhis2")
    search_fields = ("dhis2", "disaggregation")
