"""The press supply's reference data and orders in the admin (system administrators). Recipients are
not here: they come from the recipient list file, and their persons' names never show in a form."""

from django.contrib import admin

from .models import BeneficiaryCategory, Decision, Distributor, Publication, YearlyOrder


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("number", "first_year", "last_year", "status")


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "issues_per_year", "unit_price", "status")
    list_filter = ("status",)


@admin.register(BeneficiaryCategory)
class BeneficiaryCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "status")


@admin.register(Distributor)
class DistributorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "demo")


@admin.register(YearlyOrder)
class YearlyOrderAdmin(admin.ModelAdmin):
    list_display = ("year", "province", "publication", "category", "copies_per_issue", "issues", "unit_price", "demo")
    list_filter = ("year", "demo")
    raw_id_fields = ("province",)
