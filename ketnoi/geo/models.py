from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.models import TimeStampedModel, ValidityMixin


class AdminUnit(ValidityMixin):
    """A province, (legacy) district or commune-level unit, in the current or the legacy structure.

    NSO codes are unique only within one structure and level (legacy 00004 Trúc Bạch and current
    00004 Ba Đình are different units), so identity is (structure, level, code).
    """

    SCOPE_UNIT_PATH = ""  # the unit is its own scope

    class Structure(models.TextChoices):
        CURRENT = "current", _("current (from 01/07/2025)")
        LEGACY = "legacy", _("legacy (before 01/07/2025)")

    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        DISTRICT = "district", _("district")
        COMMUNE = "commune", _("commune")

    structure = models.CharField(_("structure"), max_length=10, choices=Structure.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("NSO code"), max_length=10)
    unit_type = models.CharField(_("type"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    province = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    source_key = models.CharField(max_length=200, blank=True, db_index=True)
    search_key = models.CharField(max_length=400, db_index=True)
    sort_key = models.CharField(max_length=600)

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "level", "code"], name="geo_unit_unique_code"),
        ]
        indexes = [models.Index(fields=["structure", "level", "sort_key"])]

    def __str__(self):
        return self.name

    @property
    def is_current(self) -> bool:
        return self.structure == self.Structure.CURRENT

    @property
    def ancestors(self) -> list["AdminUnit"]:
        chain, unit = [], self.parent
        while unit is not None:
            chain.append(unit)
            unit = unit.parent
        return list(reversed(chain))


class UnitSuccession(models.Model):
    """Crosswalk: a legacy unit became (part of) a current commune on 01/07/2025."""

    legacy = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="successions")
    current = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="predecessions")
    is_default = models.BooleanField(
        _("main successor"), default=True, help_text=_("For a split unit: the successor holding most of it.")
    )
    divided = models.BooleanField(_("unit was divided"), default=False)

    class Meta:
        verbose_name = _("crosswalk link")
        verbose_name_plural = _("crosswalk links")
        constraints = [models.UniqueConstraint(fields=["legacy", "current"], name="geo_succession_unique")]

    def __str__(self):
        return f"{self.legacy} → {self.current}"


class Village(Audited, TimeStampedModel):
    """A thôn, bản, tổ dân phố … below a current commune; managed by users, importable."""

    SCOPE_UNIT_PATH = "commune"

    class Kind(models.TextChoices):
        THON = "thon", _("thôn")
        BAN = "ban", _("bản")
        TO_DAN_PHO = "to_dan_pho", _("tổ dân phố")
        AP = "ap", _("ấp")
        BUON = "buon", _("buôn")
        LANG = "lang", _("làng")
        PLEI = "plei", _("plei")
        SOC = "soc", _("sóc")
        KHU_PHO = "khu_pho", _("khu phố")
        OTHER = "other", _("other")

    commune = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        related_name="villages",
        limit_choices_to={"structure": "current", "level": "commune"},
        verbose_name=_("commune"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.THON)
    code = models.CharField(_("code"), max_length=20, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    minority_households = models.PositiveIntegerField(
        _("ethnic-minority households"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    notes = models.TextField(_("notes"), blank=True)
    search_key = models.CharField(max_length=400, db_index=True, editable=False)
    sort_key = models.CharField(max_length=600, editable=False)

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["commune_id", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="geo_village_unique_name"),
            models.CheckConstraint(
                condition=models.Q(minority_households__isnull=True)
                | models.Q(households__isnull=True)
                | models.Q(minority_households__lte=models.F("households")),
                name="geo_village_minority_le_households",
                violation_error_code="minority_households",
                violation_error_message=_("Ethnic-minority households cannot exceed all households."),
            ),
        ]

    def __str__(self):
        return self.name


class ClassificationPeriod(ValidityMixin):
    """A period of ethnic-minority area classification, e.g. 2021–2025 (QĐ 33/2020, 861, 612)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=300)
    criteria_decision = models.CharField(_("criteria decision"), max_length=60, blank=True)
    commune_decision = models.CharField(_("commune list decision"), max_length=60, blank=True)
    village_decision = models.CharField(_("village list decision"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("classification period")
        verbose_name_plural = _("classification periods")
        ordering = ["-valid_from"]

    def __str__(self):
        return self.name


class CommuneClassification(models.Model):
    """Area class I/II/III of a legacy commune in one period (the lists are keyed to legacy units)."""

    class Area(models.TextChoices):
        I = "I", _("Area I (initially developed)")  # noqa: E741
        II = "II", _("Area II (still difficult)")
        III = "III", _("Area III (extremely difficult)")

    period = models.ForeignKey(ClassificationPeriod, on_delete=models.CASCADE, related_name="communes")
    legacy_commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="classifications")
    area = models.CharField(_("area"), max_length=3, choices=Area.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "legacy_commune"], name="geo_classification_unique"),
        ]

    def __str__(self):
        return f"{self.legacy_commune}: {self.area} ({self.period.code})"


class DifficultVillage(models.Model):
    """An extremely difficult village (thôn ĐBKK) of a legacy commune in one period."""

    period = models.ForeignKey(ClassificationPeriod, on_delete=models.CASCADE, related_name="villages")
    legacy_commune = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="difficult_villages")
    village_name = models.CharField(_("village"), max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "legacy_commune", "village_name"], name="geo_difficult_village_unique"
            ),
        ]

    def __str__(self):
        return f"{self.village_name}, {self.legacy_commune}"
