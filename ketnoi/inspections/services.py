"""Write use-cases of inspection and supervision: plan, visit, record the checklist, findings, corrective tasks.

Recording needs INSPECTIONS_MANAGE over the visited unit. A corrective task is a task of the programme's
plan, created through ``programmes.services.task_create`` and assigned to the visited unit through
``programmes.services.task_assign`` as a corrective task, which needs INSPECTIONS_MANAGE over the visited unit.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core.files import check_uploads
from ketnoi.core.roles import INSPECTIONS_MANAGE
from ketnoi.core.scoping import require
from ketnoi.core.text import normalize_text
from ketnoi.geo.models import AdminUnit
from ketnoi.orgs.models import Agency
from ketnoi.programmes import services as programme_services
from ketnoi.programmes.models import ContentArea, Task
from ketnoi.programmes.selectors import task_state

from .models import ChecklistItem, ChecklistTemplate, Evidence, Finding, InspectionPlan, ItemResult, PlannedUnit, Visit

MAX_FILES = 10


def _text(value) -> str:
    return normalize_text(value or "").strip()


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- files --------------------------------------------------------------------------------


def _check_uploads(uploads) -> list:
    return check_uploads(uploads, max_files=MAX_FILES)


def _store(finding: Finding, checked, *, user) -> list[Evidence]:
    today = timezone.localdate()
    return [
        Evidence.objects.create(
            finding=finding,
            uploaded_by=user,
            file_path=default_storage.save(f"inspections/{today:%Y}/{today:%m}/{name}", upload),
            original_name=name,
            content_type=kind,
            size=upload.size,
        )
        for upload, name, kind in checked
    ]


# --- plans --------------------------------------------------------------------------------


def resolve_unit(value) -> AdminUnit | None:
    """A current province (2-digit code) or commune (5-digit code), or None if unknown."""
    if isinstance(value, AdminUnit):
        return value
    code = _text(str(value))
    level = "province" if len(code) <= 2 else "commune"
    return AdminUnit.objects.filter(structure="current", level=level, code=code).select_related("province").first()


@transaction.atomic
def plan_create(
    *,
    user,
    programme,
    year: int,
    title: str,
    lead_agency: Agency,
    units,
    period_start: dt.date | None,
    period_end: dt.date | None,
    notes: str = "",
) -> InspectionPlan:
    """Plan a year's inspections. The user needs INSPECTIONS_MANAGE over the lead agency's unit and
    over every planned unit. Every problem is reported at once; nothing is written."""
    require(user, INSPECTIONS_MANAGE, lead_agency.unit)
    errors: dict[str, list[str]] = {}
    title = _text(title)
    if not title:
        errors["title"] = [_("Write the title of the plan.")]
    if not (programme.period_start.year <= year <= programme.period_end.year):
        errors["year"] = [
            _("%(year)s is outside the programme period %(start)s–%(end)s.")
            % {"year": year, "start": programme.period_start.year, "end": programme.period_end.year}
        ]
    if period_start is None or period_end is None:
        errors["period_start"] = [_("Give the period of the plan.")]
    elif period_end < period_start:
        errors["period_end"] = [_("The period ends before it starts.")]
    elif period_start.year != year or period_end.year != year:
        errors["period_start"] = [_("The period must lie within %(year)s.") % {"year": year}]
    resolved, unit_errors = [], []
    for value in units or ():
        unit = resolve_unit(value)
        if unit is None:
            unit_errors.append(_("Unknown unit code %(code)s.") % {"code": value})
        elif unit.structure != "current" or unit.level not in ("province", "commune"):
            unit_errors.append(_("%(unit)s is not a current province or commune.") % {"unit": unit.name})
        elif unit not in resolved:
            resolved.append(unit)
    if unit_errors:
        errors["units"] = unit_errors
    elif not resolved:
        errors["units"] = [_("Choose at least one province or commune to inspect.")]
    if errors:
        raise ValidationError(errors)
    for unit in resolved:
        require(user, INSPECTIONS_MANAGE, unit)
    plan = InspectionPlan.objects.create(
        programme=programme,
        year=year,
        title=title,
        lead_agency=lead_agency,
        period_start=period_start,
        period_end=period_end,
        notes=_text(notes),
        created_by=user,
    )
    for unit in resolved:
        PlannedUnit.objects.create(plan=plan, unit=unit)
    return plan


def _is_planned(plan: InspectionPlan, unit: AdminUnit) -> bool:
    planned = set(plan.planned_units.values_list("unit_id", flat=True))
    return unit.pk in planned or (unit.level == "commune" and unit.province_id in planned)


@transaction.atomic
def visit_create(
    *,
    user,
    plan: InspectionPlan,
    unit,
    date: dt.date | None,
    team: str = "",
    template: ChecklistTemplate | None = None,
    summary: str = "",
) -> Visit:
    """Record a visit to a planned unit (or a commune of a planned province) within the plan's period.
    Without a template the "default" checklist is used when it is loaded."""
    resolved = resolve_unit(unit)
    if resolved is None:
        raise ValidationError({"unit": _("Unknown unit code %(code)s.") % {"code": unit}})
    require(user, INSPECTIONS_MANAGE, resolved)
    errors: dict[str, list[str]] = {}
    if not _is_planned(plan, resolved):
        errors["unit"] = [_("%(unit)s is not among the units of this plan.") % {"unit": resolved.name}]
    if date is None:
        errors["date"] = [_("Give the date of the visit.")]
    elif not (plan.period_start <= date <= plan.period_end):
        errors["date"] = [
            _("%(day)s is outside the plan's period %(start)s–%(end)s.")
            % {"day": _fmt(date), "start": _fmt(plan.period_start), "end": _fmt(plan.period_end)}
        ]
    if template is None:
        template = ChecklistTemplate.objects.filter(code="default", active=True).first()
    elif not template.active:
        errors["template"] = [_("The checklist %(name)s is no longer in use.") % {"name": template.name}]
    if errors:
        raise ValidationError(errors)
    return Visit.objects.create(
        plan=plan,
        unit=resolved,
        date=date,
        team=_text(team),
        template=template,
        summary=_text(summary),
        created_by=user,
    )


@transaction.atomic
def visit_record_checklist(*, user, visit: Visit, results: dict) -> list[ItemResult]:
    """Save the checklist: ``results`` maps item code → (result, note). A non-compliant item needs a note.
    All rows are checked before any is written."""
    require(user, INSPECTIONS_MANAGE, visit)
    if visit.template_id is None:
        raise ValidationError(_("This visit has no checklist."))
    items = {item.code: item for item in visit.template.items.all()}
    errors: dict[str, list[str]] = {}
    clean = []
    for code, (result, note) in results.items():
        item = items.get(code)
        note = _text(note)
        if item is None:
            errors.setdefault("results", []).append(_("Unknown checklist item %(code)s.") % {"code": code})
        elif result not in ItemResult.Result.values:
            errors.setdefault(code, []).append(_("Choose compliant, not compliant or not applicable."))
        elif result == ItemResult.Result.NOT_COMPLIANT and not note:
            errors.setdefault(code, []).append(
                _("Item %(code)s is not compliant: say what was found.") % {"code": code}
            )
        elif len(note) > 1000:
            errors.setdefault(code, []).append(_("The note has at most 1000 characters."))
        else:
            clean.append((item, result, note))
    if errors:
        raise ValidationError(errors)
    saved = []
    for item, result, note in clean:
        row, _created = ItemResult.objects.get_or_create(
            visit=visit, item=item, defaults={"result": result, "note": note}
        )
        if (row.result, row.note) != (result, note):
            row.result, row.note = result, note
            row.save()
        saved.append(row)
    return saved


# --- findings -----------------------------------------------------------------------------


@transaction.atomic
def finding_create(
    *,
    user,
    visit: Visit,
    severity: str,
    description: str,
    item: ChecklistItem | None = None,
    evidence=(),
) -> Finding:
    require(user, INSPECTIONS_MANAGE, visit)
    errors: dict[str, list[str]] = {}
    description = _text(description)
    if severity not in Finding.Severity.values:
        errors["severity"] = [_("Choose a severity: low, medium, high or critical.")]
    if not description:
        errors["description"] = [_("Describe the finding.")]
    elif len(description) > 5000:
        errors["description"] = [_("The description has at most 5000 characters.")]
    if item is not None and item.template_id != visit.template_id:
        errors["item"] = [_("The item is not on this visit's checklist.")]
    try:
        checked = _check_uploads(evidence)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    finding = Finding.objects.create(
        visit=visit, item=item, severity=severity, description=description, created_by=user
    )
    _store(finding, checked, user=user)
    return finding


@transaction.atomic
def evidence_add(*, user, finding: Finding, upload) -> Evidence:
    require(user, INSPECTIONS_MANAGE, finding)
    if not upload:
        raise ValidationError({"file": _("Choose a file.")})
    return _store(finding, _check_uploads([upload]), user=user)[0]


def unit_committee(unit: AdminUnit) -> Agency | None:
    """The people's committee of a province (UBND-<code>) or commune (UBNDX-<code>)."""
    code = f"UBND-{unit.code}" if unit.level == "province" else f"UBNDX-{unit.code}"
    return Agency.objects.filter(code=code).first()


@transaction.atomic
def finding_create_corrective_task(
    *,
    user,
    finding: Finding,
    due_date: dt.date | None,
    title: str = "",
    content_area: ContentArea | None = None,
    lead_agency: Agency | None = None,
    today: dt.date | None = None,
) -> Task:
    """Create the corrective task of a finding in the programme's plan and assign it to the visited unit.

    The task goes into ``content_area`` (which must belong to the programme) or else the programme's
    last content area (the one for inspection), is led by ``lead_agency`` or else the visited unit's
    people's committee, and is due on ``due_date``.
    """
    require(user, INSPECTIONS_MANAGE, finding)
    today = today or timezone.localdate()
    visit = finding.visit
    programme = visit.plan.programme
    errors: dict[str, list[str]] = {}
    if finding.closed_at is not None:
        errors["finding"] = [_("The finding is closed.")]
    elif finding.corrective_task_id is not None:
        errors["finding"] = [
            _("The finding already has corrective task %(code)s.") % {"code": finding.corrective_task.code}
        ]
    if due_date is None:
        errors["due_date"] = [_("Give the deadline of the corrective action.")]
    elif due_date < today:
        errors["due_date"] = [_("The deadline %(day)s is in the past.") % {"day": _fmt(due_date)}]
    if content_area is None:
        content_area = programme.content_areas.order_by("-order", "-code").first()
        if content_area is None:
            errors["content_area"] = [_("The programme has no content area to put the task in.")]
    elif content_area.programme_id != programme.pk:
        errors["content_area"] = [_("The content area belongs to another programme.")]
    lead_agency = lead_agency or unit_committee(visit.unit) or visit.plan.lead_agency
    if errors:
        raise ValidationError(errors)
    title = _text(title) or _("Remedy: %(finding)s") % {"finding": finding.description[:400]}
    task = programme_services.task_create(
        user=user,
        programme=programme,
        content_area=content_area,
        code=f"KT{visit.plan.year}-{finding.pk}",
        title_vi=title[:500],
        lead_agency=lead_agency,
        description=_("Corrective action for finding #%(pk)s (%(severity)s) of the visit to %(unit)s on %(day)s.")
        % {
            "pk": finding.pk,
            "severity": finding.get_severity_display(),
            "unit": visit.unit.name,
            "day": _fmt(visit.date),
        },
        start_date=today,
        due_date=due_date,
        corrective_for_unit=visit.unit,
    )
    assignment = programme_services.task_assign(
        user=user,
        task=task,
        unit=visit.unit,
        agency=unit_committee(visit.unit),
        note=f"#{finding.pk}",
        corrective=True,
    )
    finding.corrective_task = task
    finding.corrective_assignment = assignment
    finding.save()
    return task


@transaction.atomic
def finding_close(*, user, finding: Finding) -> Finding:
    """Close a finding once its corrective task's assignment is done (status from programmes' task_state)."""
    require(user, INSPECTIONS_MANAGE, finding)
    if finding.closed_at is not None:
        raise ValidationError(_("The finding is already closed."))
    if finding.corrective_task_id is None:
        raise ValidationError(
            _("Create the corrective task first: a finding is closed when its corrective action is done.")
        )
    state = task_state(finding.corrective_task)
    if state.status != Task.Status.DONE:
        raise ValidationError(
            _("Corrective task %(code)s is %(status)s; the finding can be closed once it is done.")
            % {"code": finding.corrective_task.code, "status": Task.Status(state.status).label}
        )
    finding.closed_at = timezone.now()
    finding.closed_by = user
    finding.save()
    return finding
