import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Body, Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from ketnoi.core.api import Page
from ketnoi.core.roles import PROGRAMMES_VIEW
from ketnoi.core.scoping import require_capability
from ketnoi.geo.models import AdminUnit
from ketnoi.indicators.models import Indicator
from ketnoi.orgs.models import Agency

from . import selectors, services
from .models import ContentArea, Programme, ProgressReport, Task

router = Router(tags=["programmes, tasks and reports"])


class AgencyRef(Schema):
    code: str
    name_vi: str


class LegalDocumentOut(Schema):
    number_symbol: str
    doc_type: str
    issuer: str
    issued_on: dt.date | None
    title: str
    status: str
    replaced_by: str | None

    @staticmethod
    def resolve_replaced_by(obj):
        return obj.replaced_by.number_symbol if obj.replaced_by_id else None


class PartyOut(Schema):
    agency: AgencyRef
    current: list[AgencyRef]
    signer_name: str
    signer_title: str

    @staticmethod
    def resolve_current(obj):
        return obj.agency.current_successors()


class AreaOut(Schema):
    code: str
    name_vi: str
    name_en: str


class ProgrammeOut(Schema):
    code: str
    number_symbol: str
    name_vi: str
    name_en: str
    place: str
    signed_on: dt.date | None
    period_start: dt.date
    period_end: dt.date
    parties: list[PartyOut]
    content_areas: list[AreaOut]
    legal_bases: list[str]

    @staticmethod
    def resolve_number_symbol(obj):
        return obj.document.number_symbol

    @staticmethod
    def resolve_parties(obj):
        return list(obj.parties.select_related("agency"))

    @staticmethod
    def resolve_content_areas(obj):
        return list(obj.content_areas.all())

    @staticmethod
    def resolve_legal_bases(obj):
        return [d.number_symbol for d in obj.legal_bases.all()]


class TaskOut(Schema):
    id: int
    code: str
    content_area: str
    title_vi: str
    title_en: str
    lead_agency: AgencyRef
    co_agencies: list[AgencyRef]
    start_date: dt.date | None
    due_date: dt.date | None
    recurrence: str
    deliverable: str
    indicators: list[str]
    depends_on: list[str]
    status: str
    overdue: bool

    @staticmethod
    def resolve_content_area(obj):
        return obj.content_area.code

    @staticmethod
    def resolve_co_agencies(obj):
        return list(obj.co_agencies.all())

    @staticmethod
    def resolve_indicators(obj):
        return [i.code for i in obj.indicators.all()]

    @staticmethod
    def resolve_depends_on(obj, context):
        hidden = _hidden_task_ids((context or {}).get("request"))
        return [t.code for t in obj.depends_on.all() if t.pk not in hidden]

    @staticmethod
    def resolve_status(obj):
        return _state(obj).status

    @staticmethod
    def resolve_overdue(obj):
        return _state(obj).overdue


def _hidden_task_ids(request) -> set[int]:
    """Ids of the tasks the caller may not read (corrective tasks of other areas), once per request."""
    if request is None:
        return set(Task.objects.filter(finding__isnull=False).values_list("pk", flat=True))
    if not hasattr(request, "_hidden_task_ids"):
        visible = selectors.tasks_visible_to(request.user).values("pk")
        request._hidden_task_ids = set(
            Task.objects.filter(finding__isnull=False).exclude(pk__in=visible).values_list("pk", flat=True)
        )
    return request._hidden_task_ids


def _state(task):
    """The task's derived state, computed once per serialised task (it reads indicator values)."""
    if not hasattr(task, "_derived_state"):
        task._derived_state = selectors.task_state(task)
    return task._derived_state


class TaskIn(Schema):
    content_area: str
    code: str
    title_vi: str
    title_en: str = ""
    lead_agency: str
    co_agencies: list[str] = []
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    recurrence: str = ""
    deliverable: str = ""
    indicators: list[str] = []
    depends_on: list[str] = []


class DependenciesIn(Schema):
    depends_on: list[str]


class AssignmentOut(Schema):
    id: int
    task: str
    unit_code: str
    unit: str
    status: str
    note: str

    @staticmethod
    def resolve_task(obj):
        return obj.task.code

    @staticmethod
    def resolve_unit_code(obj):
        return obj.unit.code

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.name


class AssignmentIn(Schema):
    unit_code: str


class StatusIn(Schema):
    status: str
    note: str = ""


class CommentIn(Schema):
    body: str


class ReportOut(Schema):
    id: int
    programme: str
    period: str
    frequency: str
    unit_code: str | None
    agency: AgencyRef
    state: str
    narrative: str
    due_date: dt.date
    submitted_at: dt.datetime | None
    on_time: bool | None
    version: int

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code

    @staticmethod
    def resolve_unit_code(obj):
        return obj.unit.code if obj.unit_id else None


class ReportOpenIn(Schema):
    period: str
    frequency: str = "quarterly"
    unit_code: str | None = None


class ReportSaveIn(Schema):
    narrative: str
    version: int
    values: dict[str, str | float | int | None] = {}


class ReasonIn(Schema):
    reason: str = ""


class ApproveIn(Schema):
    comment: str = Field("", description="Kept with the sign-off and shown in the report's history (500 characters)")


class BulkApproveIn(Schema):
    reports: list[int] = Field(..., description="Ids of submitted reports in the caller's approval queue")
    comment: str = ""


class RefusedOut(Schema):
    id: int
    reason: str


class BulkApproveOut(Schema):
    approved: list[int]
    refused: list[RefusedOut]


class RollupRowOut(Schema):
    element: str
    name: str
    own: float | None = Field(None, description="The report's own value (province); empty for the central report")
    combined: float | None = Field(None, description="The level below combined by the element's rule")
    rule: str = Field(..., description="sum, average or max")
    reported: int
    expected: int


class RollupOut(Schema):
    level: str = Field(..., description="commune (a province's report) or province (the central report)")
    rows: list[RollupRowOut]


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    description: str
    created_at: dt.datetime

    @staticmethod
    def resolve_name(obj):
        return obj.original_name


class RateOut(Schema):
    label: str
    level: str = Field("", description="commune, province, central (per level), area (per province); empty: total")
    expected: int = Field(..., description="Units that owe a report for the period (from the assignments)")
    submitted: int = Field(..., description="Reports received: submitted or approved")
    on_time: int
    late: int
    missing: int
    rate: float | None = Field(None, description="submitted / expected, in %")
    timeliness: float | None = Field(None, description="on time / expected, in %")


class DueReportOut(Schema):
    period: str
    period_label: str
    frequency: str
    unit_code: str | None = None
    unit_name: str | None = None
    due_date: dt.date
    state: str = Field(..., description="not_opened, draft, submitted, approved or returned")
    overdue: bool
    report_id: int | None = None

    @staticmethod
    def resolve_unit_code(obj):
        return obj.unit.code if obj.unit else None

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name if obj.unit else None

    @staticmethod
    def resolve_report_id(obj):
        return obj.report.pk if obj.report else None


def _programme(code: str) -> Programme:
    return get_object_or_404(selectors.programme_list(), code=code)


def _task(request, task_id: int) -> Task:
    """The task if the caller may read it (404 otherwise, e.g. a corrective task of another area)."""
    return get_object_or_404(selectors.tasks_visible_to(request.user, selectors.task_list()), pk=task_id)


def _tasks_by_code(request, programme: Programme, codes) -> list[Task]:
    return list(selectors.tasks_visible_to(request.user, Task.objects.filter(programme=programme, code__in=codes)))


def _report(request, report_id: int) -> ProgressReport:
    return get_object_or_404(selectors.reports_for_user(user=request.user), pk=report_id)


@router.get("/legal-documents", response=list[LegalDocumentOut])
@paginate(Page)
def list_legal_documents(request, q: str = ""):
    require_capability(request.user, PROGRAMMES_VIEW)
    return selectors.legal_document_list(query=q)


@router.get("/programmes", response=list[ProgrammeOut])
def list_programmes(request):
    require_capability(request.user, PROGRAMMES_VIEW)
    return list(selectors.programme_list())


@router.get("/programmes/{code}", response=ProgrammeOut)
def get_programme(request, code: str):
    require_capability(request.user, PROGRAMMES_VIEW)
    return _programme(code)


@router.get("/programmes/{code}/tasks", response=list[TaskOut])
@paginate(Page)
def list_tasks(request, code: str, area: str | None = None):
    require_capability(request.user, PROGRAMMES_VIEW)
    tasks = selectors.task_list(programme=_programme(code), area_code=area).prefetch_related("assignments")
    return selectors.tasks_visible_to(request.user, tasks)


@router.post("/programmes/{code}/tasks", response={201: TaskOut})
def create_task(request, code: str, payload: TaskIn):
    programme = _programme(code)
    area = get_object_or_404(ContentArea, programme=programme, code=payload.content_area)
    task = services.task_create(
        user=request.user,
        programme=programme,
        content_area=area,
        code=payload.code,
        title_vi=payload.title_vi,
        title_en=payload.title_en,
        lead_agency=get_object_or_404(Agency, code=payload.lead_agency),
        co_agencies=list(Agency.objects.filter(code__in=payload.co_agencies)),
        start_date=payload.start_date,
        due_date=payload.due_date,
        recurrence=payload.recurrence,
        deliverable=payload.deliverable,
        indicators=list(Indicator.objects.filter(code__in=payload.indicators)),
        depends_on=_tasks_by_code(request, programme, payload.depends_on),
    )
    return Status(201, task)


@router.get("/tasks/{int:task_id}", response=TaskOut)
def get_task(request, task_id: int):
    require_capability(request.user, PROGRAMMES_VIEW)
    return _task(request, task_id)


@router.put("/tasks/{int:task_id}/dependencies", response=TaskOut)
def set_dependencies(request, task_id: int, payload: DependenciesIn):
    task = _task(request, task_id)
    others = _tasks_by_code(request, task.programme, payload.depends_on)
    return services.task_set_dependencies(user=request.user, task=task, depends_on=others)


@router.get("/tasks/{int:task_id}/assignments", response=list[AssignmentOut])
def list_assignments(request, task_id: int):
    require_capability(request.user, PROGRAMMES_VIEW)
    return list(selectors.assignments_for_user(user=request.user, task=_task(request, task_id)))


@router.post("/tasks/{int:task_id}/assignments", response={201: AssignmentOut})
def create_assignment(request, task_id: int, payload: AssignmentIn):
    unit = get_object_or_404(AdminUnit, structure="current", code=payload.unit_code)
    return Status(201, services.task_assign(user=request.user, task=_task(request, task_id), unit=unit))


@router.post("/assignments/{int:assignment_id}/status", response=AssignmentOut)
def set_assignment_status(request, assignment_id: int, payload: StatusIn):
    assignment = get_object_or_404(selectors.assignments_for_user(user=request.user), pk=assignment_id)
    return services.assignment_set_status(
        user=request.user, assignment=assignment, status=payload.status, note=payload.note
    )


@router.post("/tasks/{int:task_id}/comments", response={201: dict})
def add_comment(request, task_id: int, payload: CommentIn):
    require_capability(request.user, PROGRAMMES_VIEW)
    comment = services.task_comment_add(user=request.user, task=_task(request, task_id), body=payload.body)
    return Status(201, {"id": comment.pk, "body": comment.body})


@router.get("/programmes/{code}/reports", response=list[ReportOut])
@paginate(Page)
def list_reports(request, code: str, period: str | None = None):
    require_capability(request.user, PROGRAMMES_VIEW)
    return selectors.reports_for_user(user=request.user, programme=_programme(code), period=period)


@router.get("/programmes/{code}/due-reports", response=list[DueReportOut])
def due_reports(request, code: str):
    """The reports the caller writes for this programme (from its assignments and reporting calendar),
    opened or not; open one with POST /programmes/{code}/reports using its period, frequency and unit_code."""
    require_capability(request.user, PROGRAMMES_VIEW)
    return selectors.due_reports(user=request.user, programme=_programme(code))


@router.get("/programmes/{code}/reporting-rates", response=list[RateOut])
def reporting_rates(request, code: str, period: str):
    require_capability(request.user, PROGRAMMES_VIEW)
    return selectors.reporting_rates(programme=_programme(code), period=period, user=request.user)


@router.post("/programmes/{code}/reports", response={201: ReportOut})
def open_report(request, code: str, payload: ReportOpenIn):
    programme = _programme(code)
    unit = get_object_or_404(AdminUnit, structure="current", code=payload.unit_code) if payload.unit_code else None
    if request.user.agency is None:
        raise PermissionDenied("no agency")
    report = services.report_open(
        user=request.user,
        programme=programme,
        period=payload.period,
        frequency=payload.frequency,
        unit=unit,
        agency=request.user.agency,
    )
    return Status(201, report)


@router.get("/reports/{int:report_id}", response=ReportOut)
def get_report(request, report_id: int):
    return _report(request, report_id)


@router.put("/reports/{int:report_id}", response={200: ReportOut, 409: dict})
def save_report(request, report_id: int, payload: ReportSaveIn):
    report = _report(request, report_id)
    try:
        return services.report_save(
            user=request.user,
            report=report,
            narrative=payload.narrative,
            version=payload.version,
            values={k: v for k, v in payload.values.items()},
        )
    except services.StaleEdit as exc:
        return Status(
            409,
            {
                "type": "about:blank",
                "title": "The report changed",
                "status": 409,
                "detail": str(exc),
                "current_version": exc.report.version,
                "current_narrative": exc.report.narrative,
                "your_narrative": exc.your_narrative,
            },
        )


@router.post("/reports/{int:report_id}/submit", response=ReportOut)
def submit_report(request, report_id: int):
    return services.report_submit(user=request.user, report=_report(request, report_id))


@router.post("/reports/{int:report_id}/approve", response=ReportOut)
def approve_report(request, report_id: int, payload: ApproveIn | None = Body(None)):
    """Approve (the body, with an optional comment, may be left out)."""
    report = _report(request, report_id)
    return services.report_approve(
        user=request.user,
        report=report,
        agency=services.signing_agency_for(request.user, report),
        comment=payload.comment if payload else "",
    )


@router.post("/reports/approve", response=BulkApproveOut)
def approve_reports(request, payload: BulkApproveIn):
    """Approve several reports of the caller's queue with one comment. Each is approved on its own:
    the answer lists those approved and, with the reason, those refused (ids not in the queue too)."""
    picked, unknown = selectors.approval_queue_pick(user=request.user, ids=payload.reports)
    refused = [
        {"id": pk, "reason": _("Not in your approval queue (unknown, outside your area or not submitted).")}
        for pk in unknown
    ]
    result = services.reports_approve_bulk(user=request.user, reports=picked, comment=payload.comment)
    refused += [{"id": report.pk, "reason": reason} for report, reason in result.refused]
    return {"approved": [report.pk for report in result.approved], "refused": refused}


@router.get("/reports/{int:report_id}/rollup", response=RollupOut)
def report_rollup(request, report_id: int):
    """A province's report: its communes' values combined; the central report: the provinces'."""
    report = _report(request, report_id)
    rollup = selectors.report_rollup(report)
    if rollup is None:
        raise ValidationError(_("A commune's report has no level below it to roll up."))
    return {
        "level": rollup.level,
        "rows": [
            {
                "element": row.element.code,
                "name": row.element.name_vi,
                "own": row.own,
                "combined": row.combined,
                "rule": row.element.aggregation,
                "reported": row.reported,
                "expected": row.expected,
            }
            for row in rollup.rows
        ],
    }


@router.get("/reports/{int:report_id}/evidence", response=list[EvidenceOut])
def list_report_evidence(request, report_id: int):
    return list(_report(request, report_id).evidence.all())


@router.post("/reports/{int:report_id}/evidence", response={201: EvidenceOut})
def add_report_evidence(request, report_id: int, file: UploadedFile = File(...), description: str = ""):
    """Attach a file (PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPEG; 10 MB) to a draft or returned report."""
    report = _report(request, report_id)
    return Status(
        201, services.report_evidence_add(user=request.user, report=report, upload=file, description=description)
    )


@router.post("/reports/{int:report_id}/return", response=ReportOut)
def return_report(request, report_id: int, payload: ReasonIn):
    report = _report(request, report_id)
    return services.report_return(
        user=request.user,
        report=report,
        agency=services.signing_agency_for(request.user, report),
        reason=payload.reason,
    )


@router.post("/reports/{int:report_id}/unapprove", response=ReportOut)
def unapprove_report(request, report_id: int, payload: ReasonIn):
    report = _report(request, report_id)
    return services.report_unapprove(
        user=request.user,
        report=report,
        agency=services.signing_agency_for(request.user, report),
        reason=payload.reason,
    )
