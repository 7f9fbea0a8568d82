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
from django.utils.translation import gettext as _

from ketnoi.core.roles import PROGRAMMES_VIEW, REPORTS_APPROVE, REPORTS_SUBMIT, TASKS_UPDATE
from ketnoi.core.scoping import restrict, scope_q, user_scope
from ketnoi.indicators.periods import MONTHLY, QUARTERLY, SIX_MONTHLY, YEARLY, parse_period
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
    reports_due: list = field(default_factory=list)  # DueReport rows needing action, opened or not

    @property
    def other_reports_to_write(self) -> list[ProgressReport]:
        """Drafts the user may write that the calendar does not list (older periods, other units)."""
        listed = {d.report.pk for d in self.reports_due if d.report is not None}
        return [r for r in self.reports_to_write if r.pk not in listed]


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
    due = [d for d in due_reports(user=user, today=today) if d.needs_action]
    return MyWork(states, assignments, to_write, approval_queue(user=user), due)


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


# --- reporting calendar: which reports are expected, which are due for whom (issue 7.2) ---------------

REPORT_LOOKBACK_DAYS = 366  # due reports shown on the officer's list: periods ended within a year


def report_frequencies(programme: Programme) -> list[str]:
    """The frequencies a programme reports at (its reporting calendar), quarterly when none is set."""
    from .models import ReportingSchedule

    return list(
        ReportingSchedule.objects.filter(programme=programme).order_by("frequency").values_list("frequency", flat=True)
    ) or ["quarterly"]


def report_period_choices(programme: Programme, *, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(code, label) of the programme's reporting periods that have started, newest first, for pickers
    (nobody types 2025Q3)."""
    from ketnoi.indicators.periods import period_label, periods_between

    today = today or timezone.localdate()
    end = min(today, programme.period_end)
    if end < programme.period_start:
        return []
    specs = {spec for f in report_frequencies(programme) for spec in periods_between(programme.period_start, end, f)}
    ordered = sorted(specs, key=lambda s: (s.end, s.start), reverse=True)
    return [(spec.code, period_label(spec.code)) for spec in ordered]


@dataclass(frozen=True)
class ExpectedUnits:
    """The units that owe a report: every assigned commune, and every province assigned itself or
    through one of its communes; the central report is always expected."""

    commune_ids: frozenset[int]
    province_ids: frozenset[int]


def expected_units(programme: Programme) -> ExpectedUnits:
    communes, provinces = set(), set()
    rows = TaskAssignment.objects.filter(task__programme=programme).values_list(
        "unit_id", "unit__level", "unit__province_id"
    )
    for unit_id, level, province_id in rows:
        if level == "commune":
            communes.add(unit_id)
            if province_id:
                provinces.add(province_id)
        elif level == "province":
            provinces.add(unit_id)
    return ExpectedUnits(frozenset(communes), frozenset(provinces))


@dataclass
class DueReport:
    """A report the officer owes (opened or not yet), with everything the one-click open needs."""

    programme: Programme
    period: str
    frequency: str
    unit: object | None  # AdminUnit; None for the central report
    due_date: dt.date
    report: ProgressReport | None
    today: dt.date

    @property
    def period_label(self) -> str:
        from ketnoi.indicators.periods import period_label

        return period_label(self.period)

    @property
    def state(self) -> str:
        return self.report.state if self.report else "not_opened"

    @property
    def needs_action(self) -> bool:
        return self.state in ("not_opened", ProgressReport.State.DRAFT, ProgressReport.State.RETURNED)

    @property
    def overdue(self) -> bool:
        return self.needs_action and self.due_date < self.today


def due_reports(*, user, programme: Programme | None = None, today: dt.date | None = None) -> list[DueReport]:
    """The reports ``user`` writes, from the programme's assignments and reporting calendar: for each
    frequency, each period of the last year up to the current one, for each unit the user reports for
    (a commune or province officer: their unit if it is expected; a country-wide writer in an agency of
    the programme: the central report). Reports needing action come first, the most overdue on top."""
    from ketnoi.geo.models import AdminUnit
    from ketnoi.indicators.periods import periods_between

    from .services import report_due_date

    today = today or timezone.localdate()
    scope = user_scope(user, REPORTS_SUBMIT)
    if scope.empty:
        return []
    programmes = [programme] if programme is not None else list(programme_list())
    family = _agency_family(getattr(user, "agency", None))
    result: list[DueReport] = []
    for prog in programmes:
        expected = expected_units(prog)
        if scope.everywhere:
            in_programme = bool(family) and (
                prog.parties.filter(agency_id__in=family).exists()
                or prog.tasks.filter(Q(lead_agency_id__in=family) | Q(co_agencies__in=family)).exists()
            )
            units = [None] if in_programme else []
        else:
            ids = (expected.province_ids & scope.province_ids) | (expected.commune_ids & scope.commune_ids)
            units = list(AdminUnit.objects.filter(pk__in=ids).order_by("sort_key"))
        if not units:
            continue
        start = max(prog.period_start, today - dt.timedelta(days=REPORT_LOOKBACK_DAYS))
        end = min(today, prog.period_end)
        if start > end:
            continue
        wanted = Q(unit_id__in=[u.pk for u in units if u is not None])
        if None in units:
            wanted |= Q(unit__isnull=True, agency_id__in=family)
        reports = {(r.period, r.unit_id): r for r in ProgressReport.objects.filter(wanted, programme=prog)}
        for frequency in report_frequencies(prog):
            for spec in periods_between(start, end, frequency):
                for unit in units:
                    result.append(
                        DueReport(
                            programme=prog,
                            period=spec.code,
                            frequency=frequency,
                            unit=unit,
                            due_date=report_due_date(prog, frequency, spec.code),
                            report=reports.get((spec.code, getattr(unit, "pk", None))),
                            today=today,
                        )
                    )
    result.sort(key=lambda d: (not d.needs_action, d.due_date, d.period, getattr(d.unit, "sort_key", "")))
    return result


@dataclass
class ReportingRate:
    """Reports received over reports expected (units owing one), for one row of the table."""

    label: str
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    level: str = ""
    is_total: bool = False

    @property
    def late(self) -> int:
        return self.submitted - self.on_time

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def rate(self) -> float | None:
        return round(100 * self.submitted / self.expected, 1) if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None

    def count(self, report: ProgressReport | None) -> None:
        self.expected += 1
        if report is not None and report.state in (ProgressReport.State.SUBMITTED, ProgressReport.State.APPROVED):
            self.submitted += 1
            if report.on_time:
                self.on_time += 1


def reporting_rates(*, programme: Programme, period: str, user=None) -> list[ReportingRate]:
    """Reporting rate and timeliness for a period: per level (communes, provinces, central) with a
    total, then per province (its communes and itself). Expected = the units that owe a report
    (``expected_units``), whether or not anyone opened it; received = submitted or approved; on time =
    submitted by the due date. Rows cover only the units in the user's area."""
    from ketnoi.geo.models import AdminUnit

    code = parse_period(period).code
    expected = expected_units(programme)
    scope = user_scope(user, PROGRAMMES_VIEW) if user is not None else None
    reports: dict[int | None, ProgressReport] = {}
    for report in ProgressReport.objects.filter(programme=programme, period=code).order_by("pk"):
        if report.unit_id not in reports or report.state in ("submitted", "approved"):
            reports[report.unit_id] = report
    # a unit that reported without an assignment is expected too, so received never exceeds expected
    owing = expected.commune_ids | expected.province_ids | {pk for pk in reports if pk is not None}
    units = AdminUnit.objects.filter(pk__in=owing).select_related("province")
    levels = {
        "commune": ReportingRate(_("Communes"), level="commune"),
        "province": ReportingRate(_("Provinces"), level="province"),
        "central": ReportingRate(_("Central"), level="central"),
    }
    provinces: dict[int, ReportingRate] = {}
    for unit in units.order_by("sort_key"):
        province = unit if unit.level == "province" else unit.province
        if scope is not None and not scope.covers(province.pk, unit.pk if unit.level == "commune" else None):
            continue
        report = reports.get(unit.pk)
        levels[unit.level].count(report)
        provinces.setdefault(province.pk, ReportingRate(province.name, level="area")).count(report)
    if scope is None or scope.everywhere:
        levels["central"].count(reports.get(None))
    total = ReportingRate(_("Total"), is_total=True)
    for row in levels.values():
        total.expected += row.expected
        total.submitted += row.submitted
        total.on_time += row.on_time
    rows = [row for row in levels.values() if row.expected]
    if not rows:
        return []
    by_name = sorted(provinces.values(), key=lambda r: r.label)
    return [*rows, total, *by_name]


def approval_queue(*, user) -> list[ProgressReport]:
    """Submitted reports this user approves: a commune's report goes to its province's approvers
    (central approvers see it only while its province has none); province and central reports go to
    central approvers."""
    from ketnoi.notifications.selectors import local_holders

    scope = user_scope(user, REPORTS_APPROVE)
    if scope.empty:
        return []
    submitted = ProgressReport.objects.select_related("programme__document", "unit__province", "agency").filter(
        state=ProgressReport.State.SUBMITTED
    )
    has_local: dict[int, bool] = {}

    def province_has_approver(province) -> bool:
        if province.pk not in has_local:
            has_local[province.pk] = bool(local_holders(REPORTS_APPROVE, province))
        return has_local[province.pk]

    queue = []
    for report in submitted.order_by("due_date", "pk"):
        if report.unit_id is None or report.unit.level == "province":
            if scope.everywhere:
                queue.append(report)
        elif scope.province_ids and report.unit.province_id in scope.province_ids:
            queue.append(report)
        elif scope.everywhere and not province_has_approver(report.unit.province):
            queue.append(report)
    return queue


def approval_queue_pick(*, user, ids) -> tuple[list[ProgressReport], list]:
    """The reports of ``ids`` that are in the user's approval queue (in the queue's order), and the
    ids that are not (unknown, outside the area, not submitted), as given."""
    queue = approval_queue(user=user)
    wanted = {str(pk) for pk in ids}
    in_queue = {str(report.pk) for report in queue}
    unknown = list(dict.fromkeys(pk for pk in ids if str(pk) not in in_queue))
    return [report for report in queue if str(report.pk) in wanted], unknown


# --- what a report collects, and the roll-up of the level below ------------------------------


def report_elements(programme: Programme):
    """The data elements a report collects: those of the indicators of the programme's tasks."""
    from ketnoi.indicators.models import DataElement

    ids = set()
    for task in programme.tasks.prefetch_related("indicators"):
        for indicator in task.indicators.all():
            ids.add(indicator.numerator_id)
            if indicator.denominator_id:
                ids.add(indicator.denominator_id)
    return DataElement.objects.filter(pk__in=ids).order_by("code")


def report_values(report: ProgressReport) -> list:
    """The unit's own values (totals, not disaggregations) for exactly the report's period."""
    from ketnoi.indicators.models import DataValue

    if report.unit_id is None:
        return []
    return list(
        DataValue.objects.filter(unit_id=report.unit_id, period=report.period, disaggregation="")
        .select_related("element")
        .order_by("element__code")
    )


def report_computed_values(report: ProgressReport) -> list:
    """The unit's values computed from the logs for exactly the report's period, totals and their
    breakdowns (by language, by priority), each with its provenance."""
    from ketnoi.indicators.models import DataValue

    if report.unit_id is None:
        return []
    return list(
        DataValue.objects.filter(unit_id=report.unit_id, period=report.period, element__source="logs")
        .select_related("element", "language", "provenance")
        .order_by("element__code", "disaggregation")
    )


@dataclass(frozen=True)
class RollupRow:
    """One data element of a report: the unit's own value beside its units' values combined by the
    element's rule, and how many of the units expected gave a value."""

    element: object
    own: object  # Decimal | None
    combined: object  # Decimal | None
    reported: int
    expected: int


@dataclass(frozen=True)
class Rollup:
    level: str  # "commune" (a province's report) or "province" (the central report)
    rows: list[RollupRow]
    expected_units: int


_KIND_LENGTH = {MONTHLY: 1, QUARTERLY: 3, SIX_MONTHLY: 6, YEARLY: 12}


def _period_value(values: list, element, spec):
    """One unit's value of an element for the report's period: the value of that very period when
    there is one, otherwise the values of its longest kind of sub-period combined over time (a flow
    adds up, a stock takes the latest), so a quarter is never counted twice beside its months."""
    exact = [v for v in values if v.period == spec.code]
    if exact:
        return exact[0].value
    by_kind: dict[int, list] = {}
    for value in values:
        by_kind.setdefault(_KIND_LENGTH.get(parse_period(value.period).kind, 0), []).append(value)
    if not by_kind:
        return None
    longest = by_kind[max(by_kind)]
    if element.time_aggregation == "last":
        return max(longest, key=lambda v: v.period_end).value
    return sum(v.value for v in longest)


def _combine(numbers: list, rule: str):
    if not numbers:
        return None
    if rule == "average":
        return sum(numbers) / len(numbers)
    if rule == "max":
        return max(numbers)
    return sum(numbers)


def _unit_values(elements, units, spec) -> dict[tuple[int, int], object]:
    """{(element id, unit id): the unit's value for the period} of the units that gave one."""
    from ketnoi.indicators.models import DataValue

    values = DataValue.objects.filter(
        element__in=elements, unit__in=units, disaggregation="", period_start__gte=spec.start, period_end__lte=spec.end
    )
    grouped: dict[tuple[int, int], list] = {}
    for value in values:
        grouped.setdefault((value.element_id, value.unit_id), []).append(value)
    by_id = {element.pk: element for element in elements}
    result = {}
    for (element_id, unit_id), unit_values in grouped.items():
        number = _period_value(unit_values, by_id[element_id], spec)
        if number is not None:
            result[(element_id, unit_id)] = number
    return result


def report_rollup(report: ProgressReport) -> Rollup | None:
    """For a province's report its communes' values, for the central report the provinces' values
    (a province's own value, or else its communes' combined), combined per element by its rule
    (sum, average, maximum); None for a commune's report."""
    from ketnoi.geo.models import AdminUnit

    if report.unit_id is not None and report.unit.level != "province":
        return None
    spec = parse_period(report.period)
    expected = expected_units(report.programme)
    elements = list(report_elements(report.programme))
    communes = AdminUnit.objects.filter(structure="current", level="commune")
    if report.unit_id is None:
        level, unit_ids = "province", set(expected.province_ids)
        provinces = AdminUnit.objects.filter(structure="current", level="province")
        own_of_provinces = _unit_values(elements, provinces, spec)
        province_of = dict(communes.values_list("pk", "province_id"))
        of_communes: dict[tuple[int, int], list] = {}
        for (element_id, commune_id), number in _unit_values(elements, communes, spec).items():
            of_communes.setdefault((element_id, province_of[commune_id]), []).append(number)
        by_id = {element.pk: element for element in elements}
        values = dict(own_of_provinces)
        for (element_id, province_id), numbers in of_communes.items():
            values.setdefault((element_id, province_id), _combine(numbers, by_id[element_id].aggregation))
    else:
        level = "commune"
        children = communes.filter(province_id=report.unit_id)
        unit_ids = set(children.filter(pk__in=expected.commune_ids).values_list("pk", flat=True))
        values = _unit_values(elements, children, spec)
    unit_ids |= {unit_id for _element, unit_id in values}  # a unit that reported unasked counts too
    own = {v.element_id: v.value for v in report_values(report)}
    rows = []
    for element in elements:
        numbers = [number for (element_id, _unit), number in values.items() if element_id == element.pk]
        rows.append(
            RollupRow(
                element=element,
                own=own.get(element.pk),
                combined=_combine(numbers, element.aggregation),
                reported=len(numbers),
                expected=len(unit_ids),
            )
        )
    return Rollup(level=level, rows=rows, expected_units=len(unit_ids))


def report_evidence_for_user(*, user):
    """Evidence files of the reports the user may read (the same scope as the reports)."""
    from .models import ReportEvidence

    return ReportEvidence.objects.filter(report__in=reports_for_user(user=user)).select_related("report")
