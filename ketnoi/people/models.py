from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.models import ValidityMixin


class LanguageGroup(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    family_vi = models.CharField(_("family (Vietnamese)"), max_length=100, blank=True)
    family_en = models.CharField(_("family (English)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("language group")
        verbose_name_plural = _("language groups")
        ordering = ["name_vi"]

    def __str__(self):
        return self.name_vi


class EthnicGroup(models.Model):
    """One of the 54 ethnic groups, with both official code lists (1979 and 2008)."""

    code_1979 = models.CharField(_("code (121-TCTK/PPCĐ, 1979)"), max_length=2, unique=True)
    code_2008 = models.CharField(_("code (1019/QĐ-TCTK, 2008)"), max_length=2, blank=True)
    name_vi = models.CharField(_("name"), max_length=100)
    name_1979 = models.CharField(_("name in the 1979 list"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    population_2019 = models.PositiveBigIntegerField(_("population (census 01/04/2019)"), null=True, blank=True)
    population_rank_2019 = models.PositiveSmallIntegerField(_("rank by population"), null=True, blank=True)
    language_group = models.ForeignKey(
        LanguageGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ethnic_groups",
        verbose_name=_("language group"),
    )
    is_minority = models.BooleanField(_("ethnic minority"), default=True)
    search_key = models.CharField(max_length=400, db_index=True, editable=False)
    sort_key = models.CharField(max_length=400, editable=False)

    class Meta:
        verbose_name = _("ethnic group")
        verbose_name_plural = _("ethnic groups")
        ordering = ["code_1979"]
        constraints = [
            models.UniqueConstraint(
                fields=["code_2008"], condition=~models.Q(code_2008=""), name="people_group_unique_2008"
            ),
        ]

    def __str__(self):
        return self.name_vi


class EthnicGroupSet(ValidityMixin):
    """A versioned, decided set of groups, e.g. the 14 groups with special difficulty (1227/QĐ-TTg)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_vi = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    decision = models.CharField(_("decision"), max_length=60, blank=True)
    members = models.ManyToManyField(EthnicGroup, related_name="sets", verbose_name=_("members"))

    class Meta:
        verbose_name = _("ethnic group set")
        verbose_name_plural = _("ethnic group sets")
        ordering = ["-valid_from", "code"]

    def __str__(self):
        return self.name_vi


class Language(models.Model):
    """A content language: anything the platform can publish or translate into."""

    iso639_3 = models.CharField(_("ISO 639-3"), max_length=3, unique=True)
    bcp47 = models.CharField(_("BCP 47 tag"), max_length=35, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_th = models.CharField(_("name (Thai)"), max_length=100, blank=True)
    scripts = models.JSONField(_("scripts (ISO 15924)"), default=list, blank=True)
    ethnic_groups = models.ManyToManyField(EthnicGroup, blank=True, related_name="languages")
    espeak_voice = models.CharField(_("espeak-ng voice"), max_length=40, blank=True)
    vov4 = models.BooleanField(_("broadcast by VOV4"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    search_key = models.CharField(max_length=400, db_index=True, editable=False)
    sort_key = models.CharField(max_length=400, editable=False)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["sort_key"]

    def __str__(self):
        return self.name_vi
