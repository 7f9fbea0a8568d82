from django.contrib import admin

from .models import AwardTitle, BonusRule, CriteriaGroup, Criterion, DeductionRule, ScoreSheet


class CriteriaGroupInline(admin.TabularInline):
    model = CriteriaGroup
    extra = 0


class BonusRuleInline(admin.TabularInline):
    model = BonusRule
    extra = 0


class DeductionRuleInline(admin.TabularInline):
    model = DeductionRule
    extra = 0


@admin.register(ScoreSheet)
class ScoreSheetAdmin(admin.ModelAdmin):
    list_display = ("name", "programme", "year", "applies_to", "bonus_max")
    list_filter = ("year", "applies_to")
    inlines = [CriteriaGroupInline, BonusRuleInline, DeductionRuleInline]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "group", "max_points", "kind", "source")
    list_filter = ("kind", "source", "group__sheet")


@admin.register(AwardTitle)
class AwardTitleAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "level", "kind")
    list_filter = ("level", "kind")
