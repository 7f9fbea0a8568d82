"""Write use-cases of emulation: open and recompute scorecards, score, adjust with a reason, propose awards.

Who may do what (capability EMULATION_SCORE, scoped like everything else):
- open a scorecard, recompute it, self-score, propose an award: EMULATION_SCORE over the scored unit
  (a central agency's card needs the whole country);
- bloc score and adjustments (line overrides, bonuses, deductions): EMULATION_SCORE *from above*: a
  commune's card needs its province or the country, a province's or an agency's card the country;
- approve or reject a proposal, load the default sheet: EMULATION_SCORE over the whole country.
Every model is Audited, so each change is in the audit log with the values before and after.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core.roles import EMULATION_SCORE
from ketnoi.core.scoping import require, user_scope
from ketnoi.core.text import normalize_text

from . import inputs, loaders
from .models import (
    ZERO,
    AwardProposal,
    AwardTitle,
    BonusRule,
    DeductionRule,
    ScoreAdjustment,
    Scorecard,
    ScoreLine,
    ScoreSheet,
)


def _text(value) -> str:
    return normalize_text(value or "").strip()


def _points(value, field: str = "points") -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: _("Enter the points.")})
    try:
        points = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("“%(value)s” is not a number.") % {"value": value}}) from None
    if not points.is_finite():
        raise ValidationError({field: _("“%(value)s” is not a number.") % {"value": value}})
    if points < 0:
        raise ValidationError({field: _("Points cannot be negative.")})
    if points != points.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Use at most two decimal places.")})
    return points


def _within(points: Decimal, maximum: Decimal, what: str, field: str = "points") -> None:
    if points > maximum:
        raise ValidationError(
            {
                field: _("%(points)s is above the maximum of %(max)s points for %(what)s.")
                % {"points": points, "max": maximum, "what": what}
            }
        )


def _require_country(user) -> None:
    if not user_scope(user, EMULATION_SCORE).everywhere:
        raise PermissionDenied(EMULATION_SCORE)


def can_score_from_above(user, scorecard: Scorecard) -> bool:
    """The bloc scores from the level above: a commune from its province (or the country), others from the
    country."""
    scope = user_scope(user, EMULATION_SCORE)
    if scope.everywhere:
        return True
    unit = scorecard.unit
    return unit is not None and unit.level == "commune" and unit.province_id in scope.province_ids


def _require_from_above(user, scorecard: Scorecard) -> None:
    if not can_score_from_above(user, scorecard):
        raise PermissionDenied(EMULATION_SCORE)


# --- sheets ---------------------------------------------------------------------------------


def sheet_load_default(*, user, programme, year: int, applies_to: str = ScoreSheet.AppliesTo.UNITS) -> ScoreSheet:
    _require_country(user)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Enter a year such as 2025.")}) from None
    if not programme.period_start.year <= year <= programme.period_end.year:
        raise ValidationError(
            {
                "year": _("%(year)s is outside the programme period %(start)s–%(end)s.")
                % {"year": year, "start": programme.period_start.year, "end": programme.period_end.year}
            }
        )
    if applies_to not in ScoreSheet.AppliesTo.values:
        raise ValidationError({"applies_to": _("Choose agencies or units.")})
    return loaders.load_default_sheet(programme=programme, year=year, applies_to=applies_to)


# --- scorecards -----------------------------------------------------------------------------


def _subject_valid_in(agency, year: int) -> bool:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (agency.valid_from is None or agency.valid_from <= end) and (
        agency.valid_to is None or agency.valid_to >= start
    )


@transaction.atomic
def scorecard_open(*, user, sheet: ScoreSheet, agency=None, unit=None, today=None) -> Scorecard:
    """Open the scorecard of an agency or a current province/commune; lines are created for every
    criterion and the automatic inputs are computed at once."""
    if sheet.applies_to == ScoreSheet.AppliesTo.AGENCIES:
        if agency is None or unit is not None:
            raise ValidationError({"subject": _("This sheet scores agencies: choose an agency.")})
        if not _subject_valid_in(agency, sheet.year):
            raise ValidationError(
                {"subject": _("%(agency)s did not exist in %(year)s.") % {"agency": agency.name_vi, "year": sheet.year}}
            )
        scope_unit, key = agency.unit, f"A:{agency.code}"
    else:
        if unit is None or agency is not None:
            raise ValidationError({"subject": _("This sheet scores provinces and communes: choose a unit.")})
        if unit.structure != "current" or unit.level not in ("province", "commune"):
            raise ValidationError({"subject": _("Choose a current province or commune.")})
        scope_unit, key = unit, f"U:{unit.code}"
    if scope_unit is None:
        _require_country(user)
    else:
        require(user, EMULATION_SCORE, scope_unit)
    if Scorecard.objects.filter(sheet=sheet, subject_key=key).exists():
        raise ValidationError({"subject": _("A scorecard for this subject already exists on this sheet.")})
    scorecard = Scorecard.objects.create(sheet=sheet, agency=agency, unit=scope_unit, subject_key=key)
    criteria = [c for g in sheet.groups.prefetch_related("criteria") for c in g.criteria.all()]
    ScoreLine.objects.bulk_create([ScoreLine(scorecard=scorecard, criterion=c) for c in criteria])
    _recompute(scorecard, today=today)
    return scorecard


def _recompute(scorecard: Scorecard, *, today=None) -> None:
    for line in scorecard.lines.select_related("criterion"):
        auto = inputs.compute(scorecard, line.criterion, today=today)
        line.auto_available = auto.available
        line.auto_points = auto.points if auto.available else None
        line.auto_numerator = auto.numerator
        line.auto_denominator = auto.denominator
        line.auto_detail = auto.detail[:500]
        line.save()
    scorecard.computed_at = timezone.now()
    _refresh_totals(scorecard)


@transaction.atomic
def scorecard_recompute(*, user, scorecard: Scorecard, today=None) -> Scorecard:
    require(user, EMULATION_SCORE, scorecard)
    _recompute(scorecard, today=today)
    return scorecard


def _line_points(line: ScoreLine) -> Decimal:
    if line.adjusted_points is not None:
        value = line.adjusted_points
    elif line.uses_automatic:
        value = line.auto_points
    elif line.bloc_score is not None:
        value = line.bloc_score
    elif line.self_score is not None:
        value = line.self_score
    else:
        value = ZERO
    return min(value, line.criterion.max_points)


def _capped_rule_sum(adjustments, rule_attr: str) -> Decimal:
    per_rule: dict[int, Decimal] = {}
    rules = {}
    for adjustment in adjustments:
        rule = getattr(adjustment, rule_attr)
        rules[rule.pk] = rule
        per_rule[rule.pk] = per_rule.get(rule.pk, ZERO) + adjustment.points
    return sum(
        (
            min(total, rules[pk].max_points) if rules[pk].max_points is not None else total
            for pk, total in per_rule.items()
        ),
        ZERO,
    )


def _refresh_totals(scorecard: Scorecard) -> None:
    """Line points, group caps, bonus (capped per rule and by the sheet), deductions, final score."""
    sheet = scorecard.sheet
    active = list(
        scorecard.adjustments.filter(withdrawn_at__isnull=True).select_related("bonus_rule", "deduction_rule")
    )
    latest_override = {}
    for adjustment in active:  # ordered by time: the latest override of a line wins
        if adjustment.kind == ScoreAdjustment.Kind.LINE:
            latest_override[adjustment.line_id] = adjustment.points
    group_sums: dict[int, Decimal] = {}
    for line in scorecard.lines.select_related("criterion__group"):
        line.adjusted_points = latest_override.get(line.pk)
        line.points = _line_points(line)
        line.save()
        group_sums[line.criterion.group_id] = group_sums.get(line.criterion.group_id, ZERO) + line.points
    base = sum(
        (min(total, group.max_points) for group in sheet.groups.all() for total in [group_sums.get(group.pk, ZERO)]),
        ZERO,
    )
    bonus = min(
        _capped_rule_sum([a for a in active if a.kind == ScoreAdjustment.Kind.BONUS], "bonus_rule"), sheet.bonus_max
    )
    deductions = _capped_rule_sum([a for a in active if a.kind == ScoreAdjustment.Kind.DEDUCTION], "deduction_rule")
    if sheet.deduction_max is not None:
        deductions = min(deductions, sheet.deduction_max)
    scorecard.base_points = base
    scorecard.bonus_points = bonus
    scorecard.deduction_points = deductions
    scorecard.total_points = base + bonus - deductions
    scorecard.save()


def _manual_line(line: ScoreLine) -> None:
    if line.uses_automatic:
        raise ValidationError(
            {
                "points": _("%(criterion)s is computed from the data; change it with an adjustment and a reason.")
                % {"criterion": line.criterion.code}
            }
        )


@transaction.atomic
def line_self_score(*, user, line: ScoreLine, points, evidence: str) -> ScoreLine:
    """The scored unit's own assessment, with its evidence."""
    require(user, EMULATION_SCORE, line.scorecard)
    _manual_line(line)
    value = _points(points)
    _within(value, line.criterion.max_points, line.criterion.code)
    evidence = _text(evidence)
    if not evidence:
        raise ValidationError({"evidence": _("Give the evidence for the self-score.")})
    line.self_score, line.self_evidence = value, evidence
    line.save()
    _refresh_totals(line.scorecard)
    line.refresh_from_db()
    return line


@transaction.atomic
def line_bloc_score(*, user, line: ScoreLine, points, note: str = "") -> ScoreLine:
    """The bloc's score (from the level above); a note is needed when it differs from the self-score."""
    _require_from_above(user, line.scorecard)
    _manual_line(line)
    value = _points(points)
    _within(value, line.criterion.max_points, line.criterion.code)
    note = _text(note)
    if line.self_score is not None and value != line.self_score and not note:
        raise ValidationError({"note": _("The bloc score differs from the self-score: say why.")})
    line.bloc_score, line.bloc_note = value, note
    line.save()
    _refresh_totals(line.scorecard)
    line.refresh_from_db()
    return line


@transaction.atomic
def scorecard_adjust(
    *,
    user,
    scorecard: Scorecard,
    kind: str,
    reason: str,
    line: ScoreLine | None = None,
    points=None,
    rule: BonusRule | DeductionRule | None = None,
    count: int = 1,
) -> ScoreAdjustment:
    """Override a line's points, or apply a bonus or deduction rule; always with a reason."""
    _require_from_above(user, scorecard)
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the adjustment.")})
    values = {"scorecard": scorecard, "kind": kind, "reason": reason, "by": user}
    if kind == ScoreAdjustment.Kind.LINE:
        if line is None or line.scorecard_id != scorecard.pk:
            raise ValidationError({"criterion": _("Choose a criterion of this scorecard.")})
        value = _points(points)
        _within(value, line.criterion.max_points, line.criterion.code)
        values.update(line=line, points=value)
    elif kind in (ScoreAdjustment.Kind.BONUS, ScoreAdjustment.Kind.DEDUCTION):
        model = BonusRule if kind == ScoreAdjustment.Kind.BONUS else DeductionRule
        if not isinstance(rule, model) or rule.sheet_id != scorecard.sheet_id:
            raise ValidationError({"rule": _("Choose a rule of this score sheet.")})
        try:
            count = int(count)
        except (TypeError, ValueError):
            raise ValidationError({"count": _("Enter a whole number of times.")}) from None
        if not 1 <= count <= 1000:
            raise ValidationError({"count": _("The number of times must be between 1 and 1000.")})
        field = "bonus_rule" if kind == ScoreAdjustment.Kind.BONUS else "deduction_rule"
        values.update({field: rule, "count": count, "points": rule.points * count})
    else:
        raise ValidationError({"kind": _("Unknown kind of adjustment %(kind)s.") % {"kind": kind}})
    adjustment = ScoreAdjustment.objects.create(**values)
    _refresh_totals(scorecard)
    return adjustment


@transaction.atomic
def adjustment_withdraw(*, user, adjustment: ScoreAdjustment, reason: str) -> ScoreAdjustment:
    _require_from_above(user, adjustment.scorecard)
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for withdrawing the adjustment.")})
    if adjustment.withdrawn_at is not None:
        raise ValidationError({"reason": _("This adjustment was already withdrawn.")})
    adjustment.withdrawn_at, adjustment.withdrawn_reason = timezone.now(), reason
    adjustment.save()
    _refresh_totals(adjustment.scorecard)
    return adjustment


# --- award proposals ------------------------------------------------------------------------


@transaction.atomic
def proposal_create(*, user, scorecard: Scorecard, title: AwardTitle, justification: str) -> AwardProposal:
    require(user, EMULATION_SCORE, scorecard)
    if title.level != AwardTitle.Level.COLLECTIVE:
        raise ValidationError(
            {"title": _("“%(title)s” is for individuals; a scorecard scores a collective.") % {"title": title.name_vi}}
        )
    justification = _text(justification)
    if not justification:
        raise ValidationError({"justification": _("Give the justification for the proposal.")})
    if AwardProposal.objects.filter(scorecard=scorecard, title=title).exists():
        raise ValidationError({"title": _("This title is already proposed for this scorecard.")})
    return AwardProposal.objects.create(scorecard=scorecard, title=title, justification=justification, proposed_by=user)


@transaction.atomic
def proposal_submit(*, user, proposal: AwardProposal) -> AwardProposal:
    require(user, EMULATION_SCORE, proposal)
    if proposal.state != AwardProposal.State.DRAFT:
        raise ValidationError({"state": _("Only a draft can be submitted.")})
    proposal.state = AwardProposal.State.SUBMITTED
    proposal.save()
    return proposal


@transaction.atomic
def proposal_decide(*, user, proposal: AwardProposal, approve: bool, note: str = "") -> AwardProposal:
    _require_country(user)
    if proposal.state != AwardProposal.State.SUBMITTED:
        raise ValidationError({"state": _("Only a submitted proposal can be approved or rejected.")})
    note = _text(note)
    if not approve and not note:
        raise ValidationError({"note": _("Give the reason for rejecting the proposal.")})
    proposal.state = AwardProposal.State.APPROVED if approve else AwardProposal.State.REJECTED
    proposal.decided_by, proposal.decided_at, proposal.decision_note = user, timezone.now(), note
    proposal.save()
    return proposal
