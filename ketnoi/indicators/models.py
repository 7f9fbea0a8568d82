"""Data elements, indicators, values and targets (DHIS2's model, with targets as first-class records)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.models import TimeStampedModel

SEX_CHOICES = [("", _("all")), ("female", _("female")), ("male", _("male"))]
DISAGGREGATIONS = ("ethnic_group", "sex", "language", "priority")
# A bulletin's priority (Circular 39/2020/TT-BTTTT), as the channels app names it.
PRIORITY_CHOICES = [("", _("all")), ("normal", _("normal")), ("priority", _("priority")), ("emergency", _("emergency"))]


class DataElement(models.Model):
    """A raw count or measure collected per unit and period (e.g. bulletins broadcast)."""

    class ValueType(models.TextChoices):
        INTEGER = "integer", _("whole number")
        NUMBER = "number", _("number")
        PERCENTAGE = "percentage", _("percentage")
        YES_NO = "yes_no", _("yes/no")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("sum")
        AVERAGE = "average", _("average")
        MAX = "max", _("maximum")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_vi = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    value_type = models.CharField(_("value type"), max_length=12, choices=ValueType.choices, default="integer")
    aggregation = models.CharField(_("aggregation"), max_length=10, choices=Aggregation.choices, default="sum")
    time_aggregation = models.CharField(
        _("over time"),
        max_length=6,
        choices=[("sum", _("sum of the periods (a flow)")), ("last", _("latest period (a stock)"))],
        default="sum",
        help_text=_("How values of shorter periods make a longer one: bulletins add up, villages do not."),
    )
    disaggregations = models.JSONField(
        _("disaggregations"), default=list, blank=True, help_text=_("Any of: ethnic_group, sex, language, priority.")
    )
    source = models.CharField(
        _("source of the values"),
        max_length=8,
        choices=[("entered", _("entered by officers")), ("logs", _("computed from the logs"))],
        default="entered",
        help_text=_("Values computed from the logs are written by a job and cannot be entered by hand."),
    )
    unit_label = models.CharField(_("unit of measure"), max_length=60, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=20, decimal_places=4, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")
        ordering = ["code"]

    def __str__(self):
        return self.name_vi


class Indicator(models.Model):
    """numerator / denominator × factor, e.g. villages reached by radio / all villages × 100."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_vi = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    numerator = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="+", verbose_name=_("numerator"))
    denominator = models.ForeignKey(
        DataElement, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("denominator")
    )
    factor = models.PositiveIntegerField(_("factor"), default=1, help_text=_("100 for a percentage."))
    unit_label = models.CharField(_("unit of measure"), max_length=60, blank=True)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    numerator_le_denominator = models.BooleanField(
        _("numerator may not exceed denominator"), default=True, help_text=_("Validation rule for data entry.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self):
        return self.name_vi


class DataValue(Audited, TimeStampedModel):
    """One value of a data element for a current unit, a period and a disaggregation."""

    SCOPE_UNIT_PATH = "unit"

    element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="values")
    period = models.CharField(_("period"), max_length=8, db_index=True)
    period_start = models.DateField()
    period_end = models.DateField()
    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    ethnic_group = models.ForeignKey(
        "people.EthnicGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sex = models.CharField(_("sex"), max_length=6, choices=SEX_CHOICES, blank=True, default="")
    language = models.ForeignKey("people.Language", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    priority = models.CharField(_("priority"), max_length=10, choices=PRIORITY_CHOICES, blank=True, default="")
    # "" for the total; otherwise e.g. "eg=08;sex=female" — keeps uniqueness portable (no NULLs in the key).
    disaggregation = models.CharField(max_length=80, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    locked = models.BooleanField(_("locked by approval"), default=False)

    class Meta:
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        constraints = [
            models.UniqueConstraint(
                fields=["element", "period", "unit", "disaggregation"], name="indicators_value_unique"
            ),
        ]
        indexes = [models.Index(fields=["element", "period_start", "period_end"])]

    def __str__(self):
        return f"{self.element.code} {self.period} {self.unit.code}: {self.value}"


class ValueProvenance(models.Model):
    """Where a value computed from the logs comes from: the rows it counts (a registered source and
    the filter that selects them), how many, their first and last ids, and a digest of their ids,
    so the value can be traced to its rows and is rewritten only when the rows change."""

    value = models.OneToOneField(DataValue, on_delete=models.CASCADE, related_name="provenance")
    source = models.CharField(max_length=40)  # a name registered in indicators.provenance, e.g. "channels.playlog"
    rows = models.PositiveIntegerField(default=0)
    first_id = models.PositiveBigIntegerField(null=True, blank=True)
    last_id = models.PositiveBigIntegerField(null=True, blank=True)
    query = models.JSONField(default=dict)  # the filter of the source's rows, as the source reads it
    digest = models.CharField(max_length=64)  # SHA-256 of the sorted row ids
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("provenance of a value")
        verbose_name_plural = _("provenance of values")

    def __str__(self):
        return f"{self.source}: {self.rows} rows"


class Target(Audited, TimeStampedModel):
    """Baseline and target of an indicator for a unit (or the whole country), period and disaggregation."""

    SCOPE_UNIT_PATH = "unit"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for a national target."),
    )
    unit_key = models.CharField(max_length=20, editable=False)  # "VN" or the unit code: portable uniqueness
    period = models.CharField(_("period"), max_length=8)
    disaggregation = models.CharField(max_length=80, blank=True, default="")
    ethnic_group = models.ForeignKey(
        "people.EthnicGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sex = models.CharField(_("sex"), max_length=6, choices=SEX_CHOICES, blank=True, default="")
    language = models.ForeignKey("people.Language", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    baseline_value = models.DecimalField(_("baseline"), max_digits=20, decimal_places=4, null=True, blank=True)
    baseline_period = models.CharField(_("baseline period"), max_length=8, blank=True)
    target_value = models.DecimalField(_("target"), max_digits=20, decimal_places=4)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit_key", "period", "disaggregation"], name="indicators_target_unique"
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.unit_key} {self.period}: {self.target_value}"
