"""Read queries of programmes: plans are shared, local assignments and reports are scoped.

Tasks follow ``tasks_visible_to``: the programme's own plan is shared with every official, but a
corrective task (one that answers an inspection finding, whose title is the finding's text) is
read only where the inspected unit, or a unit it is assigned to, lies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from ketnoi.core.roles import PROGRAMMES_VIEW, REPORTS_APPROVE, REPORTS_SUBMIT, TASKS_UPDATE
from ketnoi.core.scoping import restrict, scope_q, user_scope
from ketnoi.indicators.periods import parse_period
from ketnoi.indicators.selectors import indicator_result

from .models import LegalDocument, Programme, ProgressReport, Task, TaskAssignment


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.select_related("document").prefetch_related("parties__agency")


def programme_get(*, code: str) -> Programme:
    return programme_list().prefetch_related("content_areas", "legal_bases").get(code=code)


def legal_document_list(*, query: str = "") -> QuerySet[LegalDocument]:
    documents = LegalDocument.objects.select_related("replaced_by")
    if query:
        documents = documents.filter(Q(number_symbol__icontains=query) | Q(title__icontains=query))
    return documents


def task_list(*, programme: Programme | None = None, area_code: str | None = None, agency=None) -> QuerySet[Task]:
    """Every task of the plan, unfiltered: pass it through ``tasks_visible_to`` before showing it."""
    tasks = Task.objects.select_related("content_area", "lead_agency", "programme__document").prefetch_related(
        "co_agencies", "indicators__numerator", "indicators__denominator", "depends_on"
    )
    if programme is not None:
        tasks = tasks.filter(programme=programme)
    if area_code:
        tasks = tasks.filter(content_area__code=area_code)
    if agency is not None:
        tasks = tasks.filter(Q(lead_agency=agency) | Q(co_agencies=agency)).distinct()
    return tasks.order_by("content_area__order", "code")


def tasks_visible_to(user, queryset: QuerySet[Task] | None = None) -> QuerySet[Task]:
    """The tasks of ``queryset`` (all tasks by default) that ``user`` may read.

    Country-wide readers (central roles, coordinators, administrators) read every task. A reader
    scoped to provinces or communes reads the ordinary tasks of the plan, which are written
    centrally for everyone, but a corrective task (linked to an inspection finding) only when the
    finding's visited unit, or one of the task's assignments, lies in their area: its title and
    description come from the finding, which is scoped by the visited unit.
    """
    tasks = Task.objects.all() if queryset is None else queryset
    scope = user_scope(user, PROGRAMMES_VIEW)
    if scope.everywhere:
        return tasks
    if scope.empty:
        return tasks.none()
    assigned_here = TaskAssignment.objects.filter(scope_q(scope, TaskAssignment)).values("task_id")
    found_here = _finding_model().objects.filter(scope_q(scope, _finding_model()), corrective_task__isnull=False)
    return tasks.filter(
        Q(finding__isnull=True) | Q(pk__in=assigned_here) | Q(pk__in=found_here.values("corrective_task_id"))
    )


def task_visible_to(user, task: Task) -> bool:
    """Whether ``user`` may read ``task`` (the rule of ``tasks_visible_to``, for one task)."""
    return tasks_visible_to(user, Task.objects.filter(pk=task.pk)).exists()


def _finding_model():
    """inspections.Finding, looked up lazily: the inspections app builds on programmes, not the reverse."""
    from django.apps import apps

    return apps.get_model("inspections", "Finding")


def assignments_for_user(*, user, task: Task | None = None) -> QuerySet[TaskAssignment]:
    assignments = restrict(
        TaskAssignment.objects.select_related("unit__province", "agency", "task"), user, PROGRAMMES_VIEW
    )
    if task is not None:
        assignments = assignments.filter(task=task)
    return assignments.order_by("unit__sort_key")


@dataclass
class TaskState:
    task: Task
    status: str
    overdue: bool
    evidence: list = field(default_factory=list)  # IndicatorResult rows or assignment counts
    done_assignments: int = 0
    assignments: int = 0


def task_state(task: Task, *, today: dt.date | None = None) -> TaskState:
    """Status from evidence: indicators against their targets where the task has indicators; otherwise
    the assignments' statuses; the typed status only when neither exists."""
    today = today or timezone.localdate()
    year = str(min(today.year, task.due_date.year) if task.due_date else today.year)
    evidence = [indicator_result(indicator, period=year) for indicator in task.indicators.all()]
    assignment_statuses = [a.status for a in task.assignments.all()]
    done = sum(1 for s in assignment_statuses if s == Task.Status.DONE)
    if task.manual_status == Task.Status.CANCELLED:
        status = Task.Status.CANCELLED
    elif evidence and any(r.target is not None for r in evidence):
        measured = [r for r in evidence if r.target is not None]
        if all(r.met for r in measured):
            status = Task.Status.DONE
        elif any(r.value is not None for r in evidence):
            status = Task.Status.IN_PROGRESS
        else:
            status = Task.Status.NOT_STARTED
    elif assignment_statuses:
        if done == len(assignment_statuses):
            status = Task.Status.DONE
        elif any(s != Task.Status.NOT_STARTED for s in assignment_statuses):
            status = Task.Status.IN_PROGRESS
        else:
            status = Task.Status.NOT_STARTED
    else:
        status = task.manual_status
    overdue = bool(task.due_date and task.due_date < today and status not in (Task.Status.DONE, Task.Status.CANCELLED))
    return TaskState(task, status, overdue, evidence, done, len(assignment_statuses))


def task_states(tasks, *, today: dt.date | None = None) -> list[TaskState]:
    tasks = tasks.prefetch_related(Prefetch("assignments", queryset=TaskAssignment.objects.only("task_id", "status")))
    return [task_state(task, today=today) for task in tasks]


def _agency_family(agency) -> set[int]:
    """An agency with its predecessors and successors: work assigned to UBDT is BDTTG's work today."""
    if agency is None:
        return set()
    family, frontier = {agency.pk}, [agency]
    while frontier:
        current = frontier.pop()
        for other in list(current.successors.all()) + list(current.predecessors.all()):
            if other.pk not in family:
                family.add(other.pk)
                frontier.append(other)
    return family


@dataclass
class MyWork:
    tasks: list[TaskState]
    assignments: list[TaskAssignment]
    reports_to_write: list[ProgressReport]
    reports_to_approve: list[ProgressReport]


def my_work(*, user, today: dt.date | None = None) -> MyWork:
    """What a user has to do, overdue items first."""
    today = today or timezone.localdate()
    family = _agency_family(getattr(user, "agency", None))
    tasks = (
        tasks_visible_to(user, task_list().filter(Q(lead_agency_id__in=family) | Q(co_agencies__in=family)).distinct())
        if family
        else (Task.objects.none())
    )
    states = sorted(
        task_states(tasks, today=today),
        key=lambda s: (not s.overdue, s.status == Task.Status.DONE, s.task.due_date or dt.date.max),
    )
    assignments = list(
        restrict(TaskAssignment.objects.select_related("task", "unit"), user, TASKS_UPDATE)
        .filter(task__in=tasks_visible_to(user).values("pk"))
        .exclude(status="done")
        .order_by("task__due_date", "task__code")
    )
    assignments.sort(key=lambda a: (not (a.task.due_date and a.task.due_date < today), a.task.due_date or dt.date.max))
    to_write = list(
        restrict(ProgressReport.objects.select_related("programme", "unit"), user, REPORTS_SUBMIT)
        .filter(state__in=[ProgressReport.State.DRAFT, ProgressReport.State.RETURNED])
        .order_by("due_date")
    )
    approve_scope = user_scope(user, REPORTS_APPROVE)
    submitted = ProgressReport.objects.select_related("programme", "unit__province").filter(
        state=ProgressReport.State.SUBMITTED
    )
    to_approve = [
        r
        for r in submitted.order_by("due_date")
        if (r.unit_id is None and approve_scope.everywhere)
        or (r.unit_id and r.unit.level == "province" and approve_scope.everywhere)
        or (r.unit_id and r.unit.level == "commune" and approve_scope.covers(r.unit.province_id, None))
    ]
    return MyWork(states, assignments, to_write, to_approve)


def reports_for_user(
    *, user, programme: Programme | None = None, period: str | None = None
) -> QuerySet[ProgressReport]:
    reports = restrict(
        ProgressReport.objects.select_related("programme__document", "unit__province", "agency"), user, PROGRAMMES_VIEW
    )
    if programme is not None:
        reports = reports.filter(programme=programme)
    if period:
        reports = reports.filter(period=parse_period(period).code)
    return reports.order_by("-period", "unit__sort_key")


@dataclass
class ReportingRate:
    label: str
    expected: int
    submitted: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.submitted / self.expected, 1) if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None


def reporting_rates(*, programme: Programme, period: str, user=None) -> list[ReportingRate]:
    """Reporting rate and timeliness per province (its communes and itself) and per agency.

    Expected reports are those opened for the period (every assignee unit gets one when the
    period opens); submitted counts submitted and approved ones; on time means by the due date.
    """
    reports = ProgressReport.objects.filter(programme=programme, period=parse_period(period).code).select_related(
        "unit__province", "agency"
    )
    if user is not None:
        reports = restrict(reports, user, PROGRAMMES_VIEW)
    groups: dict[str, ReportingRate] = {}
    for report in reports:
        labels = [("agency", report.agency.name_vi)]
        labels.append(("area", report.unit.province.name if report.unit_id else "Trung ương"))
        for _kind, label in labels:
            rate = groups.setdefault(label, ReportingRate(label, 0, 0, 0))
            rate.expected += 1
            if report.state in (ProgressReport.State.SUBMITTED, ProgressReport.State.APPROVED):
                rate.submitted += 1
                if report.on_time:
                    rate.on_time += 1
    return sorted(groups.values(), key=lambda r: r.label)
