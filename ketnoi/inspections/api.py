"""JSON API of inspection and supervision: plans, visits, findings and corrective tasks."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from ketnoi.core.api import Page
from ketnoi.orgs.models import Agency
from ketnoi.programmes.models import Programme

from . import selectors, services
from .models import ChecklistTemplate
from .schemas import (
    ChecklistIn,
    CorrectiveTaskIn,
    FindingIn,
    FindingOut,
    PlanIn,
    PlanOut,
    VisitIn,
    VisitOut,
)

router = Router(tags=["Inspection and supervision"])


class _Mapped:
    """A queryset (or list) whose page is converted only for the rows on that page."""

    def __init__(self, rows, convert):
        self.rows, self.convert = rows, convert

    def count(self) -> int:
        return self.rows.count() if hasattr(self.rows, "count") and not isinstance(self.rows, list) else len(self.rows)

    def __getitem__(self, window):
        return [self.convert(row) for row in self.rows[window]]


def _unit(unit):
    return {"level": unit.level, "code": unit.code, "name": unit.name} if unit else None


def _plan(plan, user) -> dict:
    return {
        "id": plan.pk,
        "programme": plan.programme.code,
        "year": plan.year,
        "title": plan.title,
        "lead_agency": plan.lead_agency.code,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "notes": plan.notes,
        "units": [_unit(p.unit) for p in selectors.planned_units_for_user(user=user, plan=plan)],
    }


def _visit(visit) -> dict:
    return {
        "id": visit.pk,
        "plan_id": visit.plan_id,
        "unit": _unit(visit.unit),
        "date": visit.date,
        "team": visit.team,
        "summary": visit.summary,
        "checklist": visit.template.code if visit.template_id else None,
        "results": [
            {"item": r.item.code, "text": r.item.text, "result": r.result, "note": r.note}
            for r in visit.results.select_related("item")
        ],
    }


def _finding(finding) -> dict:
    row = selectors.finding_row(finding)
    task = finding.corrective_task
    return {
        "id": finding.pk,
        "visit_id": finding.visit_id,
        "unit": _unit(finding.visit.unit),
        "item": finding.item.code if finding.item_id else None,
        "severity": finding.severity,
        "description": finding.description,
        "state": "open" if finding.closed_at is None else "closed",
        "closed_at": finding.closed_at,
        "corrective_task": {
            "code": task.code,
            "title": task.title_vi,
            "due_date": task.due_date,
            "status": row.task.status,
            "overdue": row.overdue,
            "assigned_to": _unit(finding.corrective_assignment.unit) if finding.corrective_assignment_id else None,
        }
        if task
        else None,
        "evidence": [
            {"id": e.pk, "name": e.original_name, "url": reverse("inspections-evidence", args=[e.pk])}
            for e in finding.evidence.all()
        ],
    }


# --- plans --------------------------------------------------------------------------------


@router.get("/inspections/plans", response=list[PlanOut])
@paginate(Page)
def list_plans(request, year: int | None = None, programme: str | None = None):
    programme_obj = Programme.objects.filter(code=programme).first() if programme else None
    plans = selectors.plan_list_for_user(user=request.user, programme=programme_obj, year=year)
    if programme and programme_obj is None:
        plans = plans.none()
    return _Mapped(plans, lambda plan: _plan(plan, request.user))


@router.post("/inspections/plans", response={201: PlanOut})
def create_plan(request, payload: PlanIn):
    programme = Programme.objects.filter(code=payload.programme).first()
    if programme is None:
        raise ValidationError({"programme": _("Unknown programme %(code)s.") % {"code": payload.programme}})
    agency = Agency.objects.filter(code=payload.lead_agency).first()
    if agency is None:
        raise ValidationError({"lead_agency": _("Unknown agency code %(code)s.") % {"code": payload.lead_agency}})
    plan = services.plan_create(
        user=request.user,
        programme=programme,
        year=payload.year,
        title=payload.title,
        lead_agency=agency,
        units=payload.units,
        period_start=payload.period_start,
        period_end=payload.period_end,
        notes=payload.notes,
    )
    return Status(201, _plan(plan, request.user))


@router.get("/inspections/plans/{int:pk}", response=PlanOut)
def get_plan(request, pk: int):
    return _plan(selectors.plan_get_for_user(user=request.user, pk=pk), request.user)


# --- visits -------------------------------------------------------------------------------


@router.get("/inspections/visits", response=list[VisitOut])
@paginate(Page)
def list_visits(request, plan_id: int | None = None):
    plan = selectors.plan_get_for_user(user=request.user, pk=plan_id) if plan_id else None
    return _Mapped(selectors.visit_list_for_user(user=request.user, plan=plan), _visit)


@router.post("/inspections/visits", response={201: VisitOut})
def create_visit(request, payload: VisitIn):
    plan = selectors.plan_get_for_user(user=request.user, pk=payload.plan_id)
    template = None
    if payload.checklist:
        template = ChecklistTemplate.objects.filter(code=payload.checklist).first()
        if template is None:
            raise ValidationError({"checklist": _("Unknown checklist %(code)s.") % {"code": payload.checklist}})
    visit = services.visit_create(
        user=request.user,
        plan=plan,
        unit=payload.unit,
        date=payload.date,
        team=payload.team,
        template=template,
        summary=payload.summary,
    )
    return Status(201, _visit(visit))


@router.get("/inspections/visits/{int:pk}", response=VisitOut)
def get_visit(request, pk: int):
    return _visit(selectors.visit_get_for_user(user=request.user, pk=pk))


@router.post("/inspections/visits/{int:pk}/checklist", response=VisitOut)
def record_checklist(request, pk: int, payload: ChecklistIn):
    """Save item results; a non-compliant item needs a note. All rows or none."""
    visit = selectors.visit_get_for_user(user=request.user, pk=pk)
    services.visit_record_checklist(
        user=request.user, visit=visit, results={r.item: (r.result, r.note) for r in payload.results}
    )
    return _visit(visit)


# --- findings -----------------------------------------------------------------------------


@router.get("/inspections/findings", response=list[FindingOut])
@paginate(Page)
def list_findings(request, state: str = "", severity: str = "", plan_id: int | None = None):
    """Findings you may read. `state=open` lists open ones with overdue corrective actions first."""
    plan = selectors.plan_get_for_user(user=request.user, pk=plan_id) if plan_id else None
    if state == "open":
        rows = [row.finding for row in selectors.open_findings_for_user(user=request.user, plan=plan)]
        if severity:
            rows = [f for f in rows if f.severity == severity]
        return _Mapped(rows, _finding)
    findings = selectors.finding_list_for_user(user=request.user, plan=plan, state=state, severity=severity)
    return _Mapped(findings, _finding)


@router.post("/inspections/findings", response={201: FindingOut})
def create_finding(request, payload: FindingIn):
    """Record a finding; attach evidence files on the finding's page."""
    visit = selectors.visit_get_for_user(user=request.user, pk=payload.visit_id)
    item = None
    if payload.item:
        item = visit.template.items.filter(code=payload.item).first() if visit.template_id else None
        if item is None:
            raise ValidationError({"item": _("The item is not on this visit's checklist.")})
    finding = services.finding_create(
        user=request.user, visit=visit, severity=payload.severity, description=payload.description, item=item
    )
    return Status(201, _finding(finding))


@router.get("/inspections/findings/{int:pk}", response=FindingOut)
def get_finding(request, pk: int):
    return _finding(selectors.finding_get_for_user(user=request.user, pk=pk))


@router.post("/inspections/findings/{int:pk}/corrective-task", response={201: FindingOut})
def create_corrective_task(request, pk: int, payload: CorrectiveTaskIn):
    """Create the finding's corrective task in the programme and assign it to the visited unit."""
    finding = selectors.finding_get_for_user(user=request.user, pk=pk)
    area = None
    if payload.content_area:
        area = finding.visit.plan.programme.content_areas.filter(code=payload.content_area).first()
        if area is None:
            raise ValidationError(
                {"content_area": _("Unknown content area %(code)s.") % {"code": payload.content_area}}
            )
    services.finding_create_corrective_task(
        user=request.user, finding=finding, due_date=payload.due_date, title=payload.title, content_area=area
    )
    return Status(201, _finding(selectors.finding_get_for_user(user=request.user, pk=pk)))


@router.post("/inspections/findings/{int:pk}/close", response=FindingOut)
def close_finding(request, pk: int):
    """Close the finding; refused until its corrective task is done."""
    finding = selectors.finding_get_for_user(user=request.user, pk=pk)
    services.finding_close(user=request.user, finding=finding)
    return _finding(finding)
