"""Automatic inputs of a scorecard, computed from the programme's data for the sheet's year.

- task_completion: tasks the agency (or its predecessors) leads or co-ordinates, through
  ``programmes.selectors.task_states``; for a province or commune, the tasks assigned to that unit.
  Done / total, cancelled ones left out. A task counts in a year when it is due that year, or has no
  due date and has started by the end of that year.
- reporting_timeliness: progress reports of the year (period codes 2025, 2025S1, 2025Q3, 2025M07)
  that were due by the cut-off day (31/12 of the year, or today during the year): submitted on time
  / due.
- inspection_findings: the criterion's maximum minus points per open finding of the scored unit by
  severity (criterion parameters ``severity_points``, ``default_points``), never below zero, from
  ``ketnoi.inspections.selectors.finding_counts``. Central agencies are not visited: manual. If that
  function does not exist when this module is imported, the value is "not available" and the line is
  scored manually like a manual criterion.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.programmes.models import ProgressReport, Task, TaskAssignment
from ketnoi.programmes.selectors import task_list, task_states

from .models import Criterion, Scorecard

try:  # written in parallel by the inspections app; optional until it lands
    from ketnoi.inspections.selectors import finding_counts
except ImportError:  # pragma: no cover - depends on the other app's progress
    finding_counts = None

CENT = Decimal("0.01")


@dataclass
class AutoInput:
    available: bool
    points: Decimal | None = None
    numerator: int | None = None
    denominator: int | None = None
    detail: str = ""


def as_of(year: int, today: dt.date | None = None) -> dt.date:
    """The day the automatic inputs are computed for: the end of the year, or today during it."""
    today = today or timezone.localdate()
    return min(today, dt.date(year, 12, 31))


def share_points(maximum: Decimal, numerator: int, denominator: int) -> Decimal:
    return (maximum * numerator / denominator).quantize(CENT, rounding=ROUND_HALF_UP)


def agency_family(agency) -> set[int]:
    """An agency with its predecessors, transitively: UBDT's tasks are BDTTG's work today. Successors and
    siblings are not followed (BTTTT's work went to both BKHCN and BVHTTDL; each is credited with it, but
    BKHCN's own tasks do not count for BVHTTDL)."""
    family, frontier = {agency.pk}, [agency]
    while frontier:
        current = frontier.pop()
        for other in current.predecessors.all():
            if other.pk not in family:
                family.add(other.pk)
                frontier.append(other)
    return family


def _in_year(year: int, prefix: str = "") -> Q:
    end = dt.date(year, 12, 31)
    return Q(**{f"{prefix}due_date__year": year}) | (
        Q(**{f"{prefix}due_date__isnull": True})
        & (Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": end}))
    )


def task_completion(scorecard: Scorecard, criterion: Criterion, *, today=None) -> AutoInput:
    sheet = scorecard.sheet
    day = as_of(sheet.year, today)
    if scorecard.agency_id:
        family = agency_family(scorecard.agency)
        tasks = task_list(programme=sheet.programme).filter(
            Q(lead_agency_id__in=family) | Q(co_agencies__in=family), _in_year(sheet.year)
        )
        states = [s for s in task_states(tasks.distinct(), today=day) if s.status != Task.Status.CANCELLED]
        total, done = len(states), sum(1 for s in states if s.status == Task.Status.DONE)
        what = _("tasks led or co-ordinated")
    else:
        assignments = TaskAssignment.objects.filter(unit=scorecard.unit, task__programme=sheet.programme).filter(
            _in_year(sheet.year, "task__")
        )
        statuses = [s for s in assignments.values_list("status", flat=True) if s != Task.Status.CANCELLED]
        total, done = len(statuses), sum(1 for s in statuses if s == Task.Status.DONE)
        what = _("tasks assigned to the unit")
    if not total:
        return AutoInput(
            False, detail=_("No %(what)s in %(year)s: score this line manually.") % {"what": what, "year": sheet.year}
        )
    return AutoInput(
        True,
        share_points(criterion.max_points, done, total),
        done,
        total,
        _("%(done)s of %(total)s %(what)s are done (as of %(day)s).")
        % {"done": done, "total": total, "what": what, "day": day.strftime("%d/%m/%Y")},
    )


def report_counts(scorecard: Scorecard, *, today=None) -> dict[str, int]:
    """Reports of the year due by the cut-off day: due, on time, late, missing."""
    sheet = scorecard.sheet
    day = as_of(sheet.year, today)
    reports = ProgressReport.objects.filter(
        programme=sheet.programme, period__startswith=str(sheet.year), due_date__lte=day
    )
    if scorecard.agency_id:
        reports = reports.filter(agency_id__in=agency_family(scorecard.agency))
    else:
        reports = reports.filter(unit=scorecard.unit)
    counts = {"due": 0, "on_time": 0, "late": 0, "missing": 0}
    for report in reports.only("state", "submitted_at", "due_date"):
        counts["due"] += 1
        if report.state in (ProgressReport.State.SUBMITTED, ProgressReport.State.APPROVED):
            counts["on_time" if report.on_time else "late"] += 1
        else:
            counts["missing"] += 1
    return counts


def reporting_timeliness(scorecard: Scorecard, criterion: Criterion, *, today=None) -> AutoInput:
    counts = report_counts(scorecard, today=today)
    if not counts["due"]:
        return AutoInput(
            False, detail=_("No reports were due in %(year)s: score this line manually.") % {"year": scorecard.year}
        )
    return AutoInput(
        True,
        share_points(criterion.max_points, counts["on_time"], counts["due"]),
        counts["on_time"],
        counts["due"],
        _("%(on_time)s of %(due)s reports due were on time (%(late)s late, %(missing)s not submitted).") % counts,
    )


def open_findings(scorecard: Scorecard) -> dict[str, int]:
    """Open findings of the scored unit itself, by severity.

    ``finding_counts`` answers {unit code: FindingCounts} and, for a province, includes its communes'
    visits; only the scored unit's own entry is used, so one finding never costs both a commune and its
    province.
    """
    result = finding_counts(programme=scorecard.sheet.programme, year=scorecard.year, unit=scorecard.unit) or {}
    entry = result.get(scorecard.unit.code)
    return {str(k): int(v) for k, v in (getattr(entry, "open_by_severity", None) or {}).items() if v}


def inspection_findings(scorecard: Scorecard, criterion: Criterion, *, today=None) -> AutoInput:
    if finding_counts is None:
        return AutoInput(
            False,
            detail=_(
                "Inspection findings are not available yet (the inspections module does not provide "
                "finding_counts): score this line manually."
            ),
        )
    if scorecard.unit_id is None:
        return AutoInput(
            False, detail=_("Inspections visit provinces and communes, not central agencies: score this line manually.")
        )
    counts = open_findings(scorecard)
    per_severity = criterion.parameters.get("severity_points", {})
    default = Decimal(str(criterion.parameters.get("default_points", 1)))
    deducted = sum(
        (Decimal(str(per_severity.get(severity, default))) * count for severity, count in counts.items()),
        Decimal("0"),
    )
    points = max(Decimal("0"), criterion.max_points - deducted).quantize(CENT)
    listed = ", ".join(f"{severity}: {count}" for severity, count in sorted(counts.items())) or "0"
    return AutoInput(
        True,
        points,
        sum(counts.values()),
        None,
        _("Open findings (%(listed)s): %(deducted)s points deducted.") % {"listed": listed, "deducted": deducted},
    )


COMPUTERS = {
    Criterion.Source.TASK_COMPLETION: task_completion,
    Criterion.Source.REPORTING_TIMELINESS: reporting_timeliness,
    Criterion.Source.INSPECTION_FINDINGS: inspection_findings,
}


def compute(scorecard: Scorecard, criterion: Criterion, *, today=None) -> AutoInput:
    if criterion.kind != Criterion.Kind.AUTOMATIC:
        return AutoInput(False)
    return COMPUTERS[criterion.source](scorecard, criterion, today=today)
