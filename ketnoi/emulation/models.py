"""Emulation and rewards (thi đua, khen thưởng): score sheets as data, scorecards, award proposals.

A score sheet (bảng điểm) belongs to a programme and a year and is split into criteria groups, each
capped at its maximum; criteria are scored manually (self-score, then bloc score, with evidence) or
computed from the programme's data. Bonus and deduction rules add or remove points with a reason.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.models import TimeStampedModel, ValidityMixin

POINTS = {"max_digits": 7, "decimal_places": 2}
ZERO = Decimal("0")


class ScoreSheet(Audited, ValidityMixin, TimeStampedModel):
    """A score table of an emulation bloc for one programme and year."""

    class AppliesTo(models.TextChoices):
        AGENCIES = "agencies", _("agencies")
        UNITS = "units", _("provinces and communes")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="score_sheets", verbose_name=_("programme")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=300)
    applies_to = models.CharField(_("scores"), max_length=10, choices=AppliesTo.choices)
    bonus_max = models.DecimalField(_("bonus points at most"), default=Decimal("10"), **POINTS)
    deduction_max = models.DecimalField(
        _("deductions at most"), null=True, blank=True, help_text=_("Empty: no limit."), **POINTS
    )
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year", "name"], name="emu_sheet_unique"),
            models.CheckConstraint(condition=models.Q(bonus_max__gte=0), name="emu_sheet_bonus_max_ok"),
        ]

    def __str__(self):
        return f"{self.name} ({self.year})"

    @property
    def base_max(self) -> Decimal:
        return sum((g.max_points for g in self.groups.all()), ZERO)


class CriteriaGroup(Audited, models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=300)
    max_points = models.DecimalField(_("maximum points"), validators=[MinValueValidator(0)], **POINTS)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("criteria group")
        verbose_name_plural = _("criteria groups")
        ordering = ["sheet", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "code"], name="emu_group_unique"),
            models.CheckConstraint(condition=models.Q(max_points__gte=0), name="emu_group_max_ok"),
        ]

    def __str__(self):
        return f"{self.code}. {self.name}"


class Criterion(Audited, models.Model):
    class Kind(models.TextChoices):
        MANUAL = "manual", _("manual")
        AUTOMATIC = "automatic", _("automatic")

    class Source(models.TextChoices):
        NONE = "", _("none")
        TASK_COMPLETION = "task_completion", _("task completion")
        REPORTING_TIMELINESS = "reporting_timeliness", _("reporting timeliness")
        INSPECTION_FINDINGS = "inspection_findings", _("inspection findings")

    group = models.ForeignKey(CriteriaGroup, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=500)
    max_points = models.DecimalField(_("maximum points"), validators=[MinValueValidator(0)], **POINTS)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MANUAL)
    source = models.CharField(_("automatic source"), max_length=24, choices=Source.choices, blank=True, default="")
    evidence_required = models.CharField(_("evidence required"), max_length=500, blank=True)
    parameters = models.JSONField(
        _("parameters"), default=dict, blank=True, help_text=_('e.g. {"severity_points": {"high": 3}}')
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["group__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="emu_criterion_unique"),
            models.CheckConstraint(condition=models.Q(max_points__gte=0), name="emu_criterion_max_ok"),
            models.CheckConstraint(
                condition=(models.Q(kind="manual", source="") | (models.Q(kind="automatic") & ~models.Q(source=""))),
                name="emu_criterion_source_ok",
                violation_error_message=_("An automatic criterion needs a source; a manual one has none."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class _Rule(Audited, models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="%(class)ss")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=300)
    points = models.DecimalField(_("points each time"), validators=[MinValueValidator(0)], **POINTS)
    max_points = models.DecimalField(
        _("at most"), null=True, blank=True, help_text=_("Empty: no limit for this rule."), **POINTS
    )
    condition = models.TextField(_("condition"), blank=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name} ({self.points})"


class BonusRule(_Rule):
    class Meta(_Rule.Meta):
        verbose_name = _("bonus rule")
        verbose_name_plural = _("bonus rules")
        constraints = [models.UniqueConstraint(fields=["sheet", "code"], name="emu_bonus_unique")]


class DeductionRule(_Rule):
    class Meta(_Rule.Meta):
        verbose_name = _("deduction rule")
        verbose_name_plural = _("deduction rules")
        constraints = [models.UniqueConstraint(fields=["sheet", "code"], name="emu_deduction_unique")]


class Scorecard(Audited, TimeStampedModel):
    """The score of one agency, or one current province or commune, on a sheet (so for one year).

    ``unit`` is the scored unit, or the agency's unit (empty for a central agency): it scopes the card.
    Totals are stored so that ranking is one query; every write recomputes them.
    """

    SCOPE_UNIT_PATH = "unit"

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="scorecards")
    agency = models.ForeignKey(
        "orgs.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    unit = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    subject_key = models.CharField(max_length=60, editable=False)
    base_points = models.DecimalField(_("base points"), default=ZERO, **POINTS)
    bonus_points = models.DecimalField(_("bonus"), default=ZERO, **POINTS)
    deduction_points = models.DecimalField(_("deductions"), default=ZERO, **POINTS)
    total_points = models.DecimalField(_("final score"), default=ZERO, **POINTS)
    computed_at = models.DateTimeField(_("automatic inputs computed"), null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["-total_points", "subject_key"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "subject_key"], name="emu_scorecard_unique"),
        ]

    def __str__(self):
        return f"{self.subject_name} · {self.sheet}"

    @property
    def subject_name(self) -> str:
        if self.agency_id:
            return self.agency.name_vi
        return self.unit.name if self.unit_id else ""

    @property
    def year(self) -> int:
        return self.sheet.year


class ScoreLine(Audited, models.Model):
    """One criterion on a scorecard: the automatic value, the self-score and the bloc score."""

    SCOPE_UNIT_PATH = "scorecard__unit"

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="lines")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="lines")
    auto_available = models.BooleanField(_("automatic value available"), default=False)
    auto_numerator = models.PositiveIntegerField(null=True, blank=True)
    auto_denominator = models.PositiveIntegerField(null=True, blank=True)
    auto_points = models.DecimalField(_("automatic points"), null=True, blank=True, **POINTS)
    auto_detail = models.CharField(_("how it was computed"), max_length=500, blank=True)
    self_score = models.DecimalField(_("self-score"), null=True, blank=True, **POINTS)
    self_evidence = models.TextField(_("evidence"), blank=True)
    bloc_score = models.DecimalField(_("bloc score"), null=True, blank=True, **POINTS)
    bloc_note = models.TextField(_("bloc's note"), blank=True)
    adjusted_points = models.DecimalField(_("adjusted points"), null=True, blank=True, **POINTS)
    points = models.DecimalField(_("points"), default=ZERO, **POINTS)

    class Meta:
        ordering = ["criterion__group__order", "criterion__order", "criterion__code"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "criterion"], name="emu_line_unique"),
            models.CheckConstraint(
                condition=models.Q(self_score__isnull=True) | models.Q(self_score__gte=0), name="emu_line_self_ok"
            ),
            models.CheckConstraint(
                condition=models.Q(bloc_score__isnull=True) | models.Q(bloc_score__gte=0), name="emu_line_bloc_ok"
            ),
        ]

    def __str__(self):
        return f"{self.scorecard_id}:{self.criterion.code} = {self.points}"

    @property
    def uses_automatic(self) -> bool:
        return self.criterion.kind == Criterion.Kind.AUTOMATIC and self.auto_available

    @property
    def basis(self) -> str:
        """Which input the line's points come from (shown next to the points)."""
        if self.adjusted_points is not None:
            return "adjusted"
        if self.uses_automatic:
            return "automatic"
        if self.bloc_score is not None:
            return "bloc"
        if self.self_score is not None:
            return "self"
        return "none"


class ScoreAdjustment(Audited, models.Model):
    """A manual change with its reason: a line's points overridden, a bonus or a deduction."""

    SCOPE_UNIT_PATH = "scorecard__unit"

    class Kind(models.TextChoices):
        LINE = "line", _("line adjusted")
        BONUS = "bonus", _("bonus")
        DEDUCTION = "deduction", _("deduction")

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    line = models.ForeignKey(ScoreLine, null=True, blank=True, on_delete=models.CASCADE, related_name="adjustments")
    bonus_rule = models.ForeignKey(BonusRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deduction_rule = models.ForeignKey(DeductionRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveSmallIntegerField(_("times"), default=1)
    points = models.DecimalField(_("points"), **POINTS)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="emu_adjustment_reason"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="emu_adjustment_points_ok"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="line", line__isnull=False, bonus_rule__isnull=True, deduction_rule__isnull=True)
                    | models.Q(kind="bonus", line__isnull=True, bonus_rule__isnull=False, deduction_rule__isnull=True)
                    | models.Q(
                        kind="deduction", line__isnull=True, bonus_rule__isnull=True, deduction_rule__isnull=False
                    )
                ),
                name="emu_adjustment_target_ok",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.points}: {self.reason[:40]}"

    @property
    def rule(self):
        return self.bonus_rule or self.deduction_rule


class AwardTitle(Audited, models.Model):
    """An emulation title or commendation form of the 2022 Law on Emulation and Commendation (data file)."""

    class Level(models.TextChoices):
        INDIVIDUAL = "individual", _("individual")
        COLLECTIVE = "collective", _("collective")

    class Kind(models.TextChoices):
        TITLE = "title", _("emulation title")
        FORM = "form", _("form of commendation")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    level = models.CharField(_("for"), max_length=12, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("award title")
        verbose_name_plural = _("award titles")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name_vi


class AwardProposal(Audited, TimeStampedModel):
    SCOPE_UNIT_PATH = "scorecard__unit"

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="proposals")
    title = models.ForeignKey(AwardTitle, on_delete=models.PROTECT, related_name="proposals")
    justification = models.TextField(_("justification"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("award proposal")
        verbose_name_plural = _("award proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "title"], name="emu_proposal_unique"),
            models.CheckConstraint(condition=~models.Q(justification=""), name="emu_proposal_justified"),
        ]

    def __str__(self):
        return f"{self.title} → {self.scorecard.subject_name}"
