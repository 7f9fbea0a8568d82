"""Precomputed aggregates of the indicator data (issue 9.2), the legacy values they re-aggregate and
the queue of changes still to fold in."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.models import TimeStampedModel


class Aggregate(models.Model):
    """One data element's value for a period (month, quarter, year), a current unit (commune,
    province) or the whole country, and a disaggregation key ("" = the total as entered).

    ``total`` and ``weight`` make aggregates composable: the value is ``total`` for a sum,
    ``total / weight`` for an average, the largest contribution for a maximum (docs/analytics.md).
    """

    # scoped without a join; country rows (no province) are visible to national scopes only
    SCOPE_PROVINCE_FIELD = "province_id"
    SCOPE_COMMUNE_FIELD = "unit_id"

    class Level(models.TextChoices):
        COMMUNE = "commune", _("commune")
        PROVINCE = "province", _("province")
        COUNTRY = "country", _("country")

    class PeriodType(models.TextChoices):
        MONTH = "month", _("month")
        QUARTER = "quarter", _("quarter")
        YEAR = "year", _("year")

    element = models.ForeignKey(
        "indicators.DataElement", on_delete=models.CASCADE, related_name="+", verbose_name=_("data element")
    )
    period = models.CharField(_("period"), max_length=8)
    period_type = models.CharField(_("period type"), max_length=8, choices=PeriodType.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    year = models.PositiveSmallIntegerField()  # the partition key on PostgreSQL (docs/analytics.md)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    unit = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    province = models.ForeignKey(  # the commune's province, the province itself; NULL for the country
        "geo.AdminUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    unit_key = models.CharField(max_length=12)  # the unit's id, or "VN": no NULL in the unique key
    disaggregation = models.CharField(max_length=80, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=28, decimal_places=8)
    total = models.DecimalField(max_digits=28, decimal_places=8)
    weight = models.DecimalField(max_digits=28, decimal_places=8)
    n_values = models.PositiveIntegerField(_("values"), help_text=_("How many raw values it is made of."))
    n_units = models.PositiveIntegerField(_("units reporting"))
    n_legacy = models.PositiveIntegerField(_("legacy values"), default=0)
    split_rules = models.CharField(
        _("crosswalk rules"),
        max_length=60,
        blank=True,
        help_text=_("How legacy values were carried into current communes, e.g. population,equal."),
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        constraints = [
            models.UniqueConstraint(
                fields=["element", "period", "level", "unit_key", "disaggregation"], name="analytics_aggregate_unique"
            ),
        ]
        indexes = [
            # a unit's series: element, unit, type, disaggregation, then time
            models.Index(
                fields=["element", "unit_key", "period_type", "disaggregation", "period_start"],
                name="analytics_agg_series",
            ),
            # a table of one period: the communes of a province, or the provinces
            models.Index(
                fields=["element", "period", "level", "province", "disaggregation"], name="analytics_agg_table"
            ),
        ]

    def __str__(self):
        return f"{self.element_id} {self.period} {self.level}:{self.unit_key} {self.disaggregation}: {self.value}"


class LegacyValue(TimeStampedModel):
    """A value reported for a legacy (before 1 July 2025) commune, e.g. from an old report series;
    the engine carries it into the current communes through the crosswalk."""

    SCOPE_UNIT_PATH = "unit"  # a legacy unit: outside every current scope, national scopes only

    element = models.ForeignKey("indicators.DataElement", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=8)
    period_start = models.DateField()
    period_end = models.DateField()
    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"structure": "legacy"},
        verbose_name=_("legacy unit"),
    )
    disaggregation = models.CharField(max_length=80, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("legacy value")
        verbose_name_plural = _("legacy values")
        constraints = [
            models.UniqueConstraint(
                fields=["element", "period", "unit", "disaggregation"], name="analytics_legacy_value_unique"
            ),
        ]
        indexes = [models.Index(fields=["element", "period_start", "period_end"], name="analytics_legacy_period")]

    def __str__(self):
        return f"{self.element_id} {self.period} {self.unit_id}: {self.value}"


class SuccessionShare(models.Model):
    """What part of a divided legacy commune went to one current commune: its population and area,
    where known (both may be empty). The split rule (settings.ANALYTICS_SPLIT_RULES) uses them."""

    legacy = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    current = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    population = models.PositiveIntegerField(_("population of the part"), null=True, blank=True)
    area_km2 = models.FloatField(_("area of the part (km²)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("crosswalk share")
        verbose_name_plural = _("crosswalk shares")
        constraints = [models.UniqueConstraint(fields=["legacy", "current"], name="analytics_share_unique")]

    def __str__(self):
        return f"{self.legacy_id} → {self.current_id}"


class DirtyMark(models.Model):
    """A value changed: (element, current unit, period) to fold into the aggregates. Written in the
    transaction of the change; the refresh job deletes the marks it processed."""

    element_ref = models.BigIntegerField()  # plain ids: a mark outlives the value it is about
    unit_ref = models.BigIntegerField()
    period = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.element_ref} {self.unit_ref} {self.period}"
