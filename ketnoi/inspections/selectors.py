"""Read queries of inspection and supervision, scoped by the requesting user.

Visits, results, findings and evidence are scoped by the visited unit. A plan is visible in the lead
agency's area and in the area of any of its planned units (a central plan is seen by every province
it plans to visit, but each province sees only its own visits and findings).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from ketnoi.core.roles import PROGRAMMES_VIEW
from ketnoi.core.scoping import restrict, user_scope
from ketnoi.programmes.models import Task, TaskAssignment
from ketnoi.programmes.selectors import TaskState, task_state

from .models import Evidence, Finding, InspectionPlan, PlannedUnit, Visit


def plan_list_for_user(*, user, programme=None, year: int | None = None) -> QuerySet[InspectionPlan]:
    plans = InspectionPlan.objects.select_related("programme__document", "lead_agency")
    scope = user_scope(user, PROGRAMMES_VIEW)
    if scope.empty:
        return plans.none()
    if not scope.everywhere:
        plans = plans.filter(
            Q(pk__in=restrict(InspectionPlan.objects.all(), user, PROGRAMMES_VIEW).values("pk"))
            | Q(pk__in=restrict(PlannedUnit.objects.all(), user, PROGRAMMES_VIEW).values("plan_id"))
        )
    if programme is not None:
        plans = plans.filter(programme=programme)
    if year:
        plans = plans.filter(year=year)
    return plans.order_by("-year", "period_start", "title")


def plan_get_for_user(*, user, pk: int) -> InspectionPlan:
    return plan_list_for_user(user=user).get(pk=pk)


def planned_units_for_user(*, user, plan: InspectionPlan) -> QuerySet[PlannedUnit]:
    """The plan's units within the user's area (a province does not learn which others are planned)."""
    return restrict(plan.planned_units.select_related("unit__province"), user, PROGRAMMES_VIEW)


def visit_list_for_user(*, user, plan: InspectionPlan | None = None) -> QuerySet[Visit]:
    visits = restrict(Visit.objects.select_related("plan", "unit__province", "template"), user, PROGRAMMES_VIEW)
    if plan is not None:
        visits = visits.filter(plan=plan)
    return visits.order_by("-date", "-id")


def visit_get_for_user(*, user, pk: int) -> Visit:
    return visit_list_for_user(user=user).select_related("plan__programme", "created_by").get(pk=pk)


def finding_list_for_user(
    *, user, plan: InspectionPlan | None = None, visit: Visit | None = None, state: str = "", severity: str = ""
) -> QuerySet[Finding]:
    findings = restrict(
        Finding.objects.select_related("visit__unit__province", "visit__plan", "item", "corrective_task"),
        user,
        PROGRAMMES_VIEW,
    )
    if plan is not None:
        findings = findings.filter(visit__plan=plan)
    if visit is not None:
        findings = findings.filter(visit=visit)
    if state == "open":
        findings = findings.filter(closed_at__isnull=True)
    elif state == "closed":
        findings = findings.filter(closed_at__isnull=False)
    if severity:
        findings = findings.filter(severity=severity)
    return findings.order_by("-created_at", "-id")


def finding_get_for_user(*, user, pk: int) -> Finding:
    return (
        finding_list_for_user(user=user).select_related("corrective_assignment", "created_by", "closed_by").get(pk=pk)
    )


def evidence_get_for_user(*, user, pk: int) -> Evidence:
    return restrict(Evidence.objects.select_related("finding"), user, PROGRAMMES_VIEW).get(pk=pk)


@dataclass
class FindingRow:
    finding: Finding
    task: TaskState | None
    overdue: bool
    ready_to_close: bool

    @property
    def status_label(self) -> str:
        return str(Task.Status(self.task.status).label) if self.task else ""


def finding_row(finding: Finding, *, today: dt.date | None = None) -> FindingRow:
    """A finding with its corrective task's state (from programmes.selectors.task_state)."""
    today = today or timezone.localdate()
    state = task_state(finding.corrective_task, today=today) if finding.corrective_task_id else None
    return FindingRow(
        finding=finding,
        task=state,
        overdue=bool(state and state.overdue and finding.closed_at is None),
        ready_to_close=bool(state and state.status == Task.Status.DONE and finding.closed_at is None),
    )


def open_findings_for_user(*, user, plan: InspectionPlan | None = None, today: dt.date | None = None) -> list:
    """Open findings the user may read: overdue corrective actions first, then those with no corrective
    task yet, then by severity (critical first) and corrective deadline."""
    today = today or timezone.localdate()
    findings = finding_list_for_user(user=user, plan=plan, state="open").prefetch_related(
        Prefetch("corrective_task__assignments", queryset=TaskAssignment.objects.only("task_id", "status")),
        "corrective_task__indicators",
    )
    rows = [finding_row(f, today=today) for f in findings]
    rows.sort(
        key=lambda r: (
            not r.overdue,
            r.task is not None,
            Finding.SEVERITY_RANK[r.finding.severity],
            (r.finding.corrective_task.due_date if r.task and r.finding.corrective_task.due_date else dt.date.max),
            r.finding.pk,
        )
    )
    return rows


# --- automatic input for emulation --------------------------------------------------------


@dataclass
class FindingCounts:
    """Findings of one visited unit. ``by_severity`` and ``open_by_severity`` have every severity as a key."""

    unit: object  # geo.AdminUnit
    by_severity: dict[str, int] = field(default_factory=dict)
    open_by_severity: dict[str, int] = field(default_factory=dict)
    open: int = 0
    closed: int = 0

    @property
    def total(self) -> int:
        return self.open + self.closed


def finding_counts(*, programme, year: int, unit=None) -> dict[str, FindingCounts]:
    """Counts of findings per visited unit, for the inspection plans of ``programme`` in ``year``.

    Returns {unit code: FindingCounts}, one entry per unit that had at least one finding. With
    ``unit`` (a current province or commune) only visits to that unit, or for a province to it and
    its communes, are counted. "Open" means not yet closed (closing needs the corrective task done).

    Not scoped by user: it is an aggregate for automatic use (emulation scoring); callers that show it
    to a user must restrict the units themselves. The signature is kept stable (docs/inspections.md).
    """
    findings = Finding.objects.filter(visit__plan__programme=programme, visit__plan__year=year).select_related(
        "visit__unit"
    )
    if unit is not None:
        if unit.level == "province":
            findings = findings.filter(Q(visit__unit=unit) | Q(visit__unit__province=unit))
        else:
            findings = findings.filter(visit__unit=unit)
    counts: dict[str, FindingCounts] = {}
    severities = Finding.Severity.values
    for finding in findings:
        visited = finding.visit.unit
        row = counts.get(visited.code)
        if row is None:
            row = counts[visited.code] = FindingCounts(
                unit=visited,
                by_severity=dict.fromkeys(severities, 0),
                open_by_severity=dict.fromkeys(severities, 0),
            )
        row.by_severity[finding.severity] += 1
        if finding.closed_at is None:
            row.open += 1
            row.open_by_severity[finding.severity] += 1
        else:
            row.closed += 1
    return counts
