from django.contrib import admin

from .models import EthnicGroup, EthnicGroupSet, Language, LanguageGroup

admin.site.register(LanguageGroup)
admin.site.register(EthnicGroupSet)


@admin.register(EthnicGroup)
class EthnicGroupAdmin(admin.ModelAdmin):
    list_display = ("code_1979", "code_2008", "name_vi", "population_2019", "language_group")


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ("iso639_3", "bcp47", "name_vi", "name_en", "vov4", "espeak_voice")
