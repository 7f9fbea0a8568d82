"""Write use-cases of coordination programmes: amend, plan tasks, report and approve bottom-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core.files import check_upload
from ketnoi.core.roles import INSPECTIONS_MANAGE, PROGRAMMES_MANAGE, REPORTS_APPROVE, REPORTS_SUBMIT, TASKS_UPDATE
from ketnoi.core.scoping import allows, require
from ketnoi.core.text import normalize_text
from ketnoi.indicators import services as indicator_services
from ketnoi.indicators.periods import parse_period

from . import selectors
from .models import (
    ContentArea,
    Programme,
    ProgressReport,
    Recurrence,
    ReportEvidence,
    ReportingSchedule,
    ReportSignoff,
    Task,
    TaskAssignment,
    TaskAttachment,
    TaskComment,
)


class StaleEdit(Exception):
    """Someone else saved the report first; the caller keeps its text to merge."""

    def __init__(self, report: ProgressReport, your_narrative: str):
        self.report = report
        self.your_narrative = your_narrative
        super().__init__(_("The report was changed by someone else while you were editing."))


def _text(value: str) -> str:
    return normalize_text(value or "").strip()


def _require_manager(user) -> None:
    if not allows(user, PROGRAMMES_MANAGE, None):
        raise PermissionDenied(PROGRAMMES_MANAGE)


# --- programme structure ------------------------------------------------------------------


@transaction.atomic
def content_area_add(
    *, user, programme: Programme, code: str, name_vi: str, name_en: str = "", description: str = ""
) -> ContentArea:
    """Amend a programme with a new content area; the audit log keeps the history."""
    _require_manager(user)
    code = _text(code)
    if ContentArea.objects.filter(programme=programme, code=code).exists():
        raise ValidationError({"code": _("Content area %(code)s already exists.") % {"code": code}})
    order = (programme.content_areas.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    return ContentArea.objects.create(
        programme=programme,
        code=code,
        name_vi=_text(name_vi),
        name_en=_text(name_en),
        description=_text(description),
        order=order,
        added_on=timezone.localdate(),
    )


def _validate_dates(start, due, programme: Programme) -> None:
    if start and due and due < start:
        raise ValidationError({"due_date": _("The due date cannot be before the start date.")})
    for field, day in (("start_date", start), ("due_date", due)):
        if day and not (programme.period_start - dt.timedelta(days=366) <= day <= programme.period_end):
            raise ValidationError(
                {
                    field: _("%(day)s is outside the programme period %(start)s–%(end)s.")
                    % {
                        "day": day.strftime("%d/%m/%Y"),
                        "start": programme.period_start.strftime("%d/%m/%Y"),
                        "end": programme.period_end.strftime("%d/%m/%Y"),
                    }
                }
            )


@transaction.atomic
def task_create(
    *,
    user,
    programme: Programme,
    content_area: ContentArea,
    code: str,
    title_vi: str,
    lead_agency,
    co_agencies=(),
    title_en: str = "",
    description: str = "",
    start_date=None,
    due_date=None,
    recurrence: str = "",
    deliverable: str = "",
    indicators=(),
    requires_dual_signoff: bool = False,
    depends_on=(),
    corrective_for_unit=None,
) -> Task:
    """Add a task to the plan (programme managers). An inspector may add a corrective task for a
    finding in a unit they inspect: ``corrective_for_unit`` is that unit, checked against their scope."""
    if corrective_for_unit is not None:
        require(user, INSPECTIONS_MANAGE, corrective_for_unit)
    else:
        _require_manager(user)
    if content_area.programme_id != programme.pk:
        raise ValidationError({"content_area": _("The content area belongs to another programme.")})
    if recurrence not in Recurrence.values:
        raise ValidationError({"recurrence": _("Unknown recurrence %(r)s.") % {"r": recurrence}})
    _validate_dates(start_date, due_date, programme)
    code = _text(code)
    if Task.objects.filter(programme=programme, code=code).exists():
        raise ValidationError({"code": _("Task %(code)s already exists.") % {"code": code}})
    task = Task.objects.create(
        programme=programme,
        content_area=content_area,
        code=code,
        title_vi=_text(title_vi),
        title_en=_text(title_en),
        description=_text(description),
        lead_agency=lead_agency,
        start_date=start_date,
        due_date=due_date,
        recurrence=recurrence,
        deliverable=_text(deliverable),
        requires_dual_signoff=requires_dual_signoff,
        added_on=timezone.localdate(),
    )
    task.co_agencies.set(co_agencies)
    task.indicators.set(indicators)
    if depends_on:
        task_set_dependencies(user=user, task=task, depends_on=list(depends_on))
    return task


@transaction.atomic
def task_update(*, user, task: Task, **values) -> Task:
    _require_manager(user)
    start = values.get("start_date", task.start_date)
    due = values.get("due_date", task.due_date)
    _validate_dates(start, due, task.programme)
    for field in ("title_vi", "title_en", "description", "deliverable"):
        if field in values:
            setattr(task, field, _text(values[field]))
    for field in ("start_date", "due_date", "recurrence", "manual_status", "lead_agency", "requires_dual_signoff"):
        if field in values:
            setattr(task, field, values[field])
    task.save()
    return task


def _reachable(start: Task, target_ids: set[int]) -> bool:
    """Is any of target_ids reachable from start by following depends_on? (iterative DFS)"""
    seen, stack = set(), [start.pk]
    while stack:
        current = stack.pop()
        if current in target_ids:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack.extend(Task.depends_on.through.objects.filter(from_task_id=current).values_list("to_task_id", flat=True))
    return False


@transaction.atomic
def task_set_dependencies(*, user, task: Task, depends_on: list[Task]) -> Task:
    """Replace a task's prerequisites, refusing any cycle (A needs B needs … needs A)."""
    _require_manager(user)
    for other in depends_on:
        if other.pk == task.pk or _reachable(other, {task.pk}):
            raise ValidationError(
                {
                    "depends_on": _("%(a)s cannot depend on %(b)s: that would make a cycle.")
                    % {"a": task.code, "b": other.code}
                }
            )
        if other.programme_id != task.programme_id:
            raise ValidationError({"depends_on": _("Dependencies stay within one programme.")})
    task.depends_on.set(depends_on)
    return task


@transaction.atomic
def task_assign(*, user, task: Task, unit, agency=None, note: str = "", corrective: bool = False) -> TaskAssignment:
    """Assign a task to a province or commune; provincial officers may assign within their province."""
    if unit.structure != "current" or unit.level not in ("province", "commune"):
        raise ValidationError({"unit": _("Tasks are assigned to a current province or commune.")})
    if corrective:
        require(user, INSPECTIONS_MANAGE, unit)
    elif not allows(user, PROGRAMMES_MANAGE, None):
        require(user, TASKS_UPDATE, unit)
        if unit.level == "province":
            raise PermissionDenied(PROGRAMMES_MANAGE)
    assignment, _created = TaskAssignment.objects.get_or_create(
        task=task, unit=unit, defaults={"agency": agency, "note": _text(note)}
    )
    return assignment


@transaction.atomic
def assignment_set_status(*, user, assignment: TaskAssignment, status: str, note: str = "") -> TaskAssignment:
    require(user, TASKS_UPDATE, assignment)
    if status not in Task.Status.values:
        raise ValidationError({"status": _("Unknown status %(s)s.") % {"s": status}})
    assignment.status = status
    assignment.note = _text(note)
    assignment.save()
    return assignment


@transaction.atomic
def _require_task_readable(user, task: Task) -> None:
    """Comments and files go only on a task the user may read (a corrective task is scoped by its finding)."""
    if not selectors.task_visible_to(user, task):
        raise PermissionDenied(_("You cannot see this task."))


def task_comment_add(*, user, task: Task, body: str) -> TaskComment:
    _require_task_readable(user, task)
    body = _text(body)
    if not body:
        raise ValidationError({"body": _("A comment needs text.")})
    if len(body) > 5000:
        raise ValidationError({"body": _("A comment has at most 5000 characters.")})
    return TaskComment.objects.create(task=task, author=user, body=body)


@transaction.atomic
def task_attachment_add(*, user, task: Task, upload) -> TaskAttachment:
    """Attach a file after checking its size and its real type (first bytes), not its claimed type."""
    _require_task_readable(user, task)
    name, content_type = check_upload(upload)
    return TaskAttachment.objects.create(
        task=task, uploaded_by=user, file=upload, original_name=name, content_type=content_type, size=upload.size
    )


# --- periodic reports ---------------------------------------------------------------------


def report_due_date(programme: Programme, frequency: str, period: str) -> dt.date:
    spec = parse_period(period)
    schedule = ReportingSchedule.objects.filter(programme=programme, frequency=frequency).first()
    days = schedule.due_days_after_period if schedule else 5
    return spec.end + dt.timedelta(days=days)


@transaction.atomic
def report_open(*, user, programme: Programme, period: str, frequency: str, unit, agency) -> ProgressReport:
    """The report of a unit (or central, unit=None) for a period: created as a draft if needed."""
    require(user, REPORTS_SUBMIT, unit)
    spec = parse_period(period)
    report, _created = ProgressReport.objects.get_or_create(
        programme=programme,
        period=spec.code,
        unit_key=unit.code if unit else "VN",
        agency=agency,
        defaults={"unit": unit, "frequency": frequency, "due_date": report_due_date(programme, frequency, spec.code)},
    )
    return report


@transaction.atomic
def report_save(
    *, user, report: ProgressReport, narrative: str, version: int, values: dict | None = None
) -> ProgressReport:
    """Save the narrative and values. ``version`` is the one the editor started from: if someone saved
    in between, StaleEdit is raised and nothing is written (no lost update)."""
    require(user, REPORTS_SUBMIT, report)
    if report.state in (ProgressReport.State.SUBMITTED, ProgressReport.State.APPROVED):
        raise ValidationError(_("A submitted or approved report cannot be edited; withdraw it first."))
    narrative = _text(narrative)
    updated = ProgressReport.objects.filter(pk=report.pk, version=version, state__in=EDITABLE_STATES).update(
        narrative=narrative, version=version + 1, updated_at=timezone.now()
    )
    if not updated:
        current = ProgressReport.objects.get(pk=report.pk)
        if current.state not in EDITABLE_STATES:  # submitted in between by someone else
            raise ValidationError(_("A submitted or approved report cannot be edited; withdraw it first."))
        raise StaleEdit(current, narrative)
    report.refresh_from_db()
    if values and report.unit_id:
        indicator_services.data_values_save(user=user, unit=report.unit, period=report.period, values=values)
    return report


EDITABLE_STATES = (ProgressReport.State.DRAFT, ProgressReport.State.RETURNED)


def _for_transition(report: ProgressReport) -> ProgressReport:
    """The report read again with its row locked until the transaction ends: a state transition is
    checked against the state as it is now, and concurrent requests for the same report wait for
    each other, so exactly one of them makes the transition (issue 11.3). On SQLite the IMMEDIATE
    transactions (settings.py) serialise writers the same way."""
    return (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("programme", "unit", "agency")
        .get(pk=report.pk)
    )


@transaction.atomic
def report_submit(*, user, report: ProgressReport) -> ProgressReport:
    require(user, REPORTS_SUBMIT, report)
    report = _for_transition(report)
    if report.state not in EDITABLE_STATES:
        raise ValidationError(_("Only a draft or returned report can be submitted."))
    if not report.narrative.strip():
        raise ValidationError({"narrative": _("Write the narrative before submitting.")})
    report.state = ProgressReport.State.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user
    report.version += 1
    report.save()
    return report


def _children_reports(report: ProgressReport):
    """Reports one level down that must be approved first (communes of a province; provinces for central)."""
    reports = ProgressReport.objects.filter(programme=report.programme, period=report.period)
    if report.unit_id is None:
        return reports.filter(unit__level="province")
    if report.unit.level == "province":
        return reports.filter(unit__level="commune", unit__province_id=report.unit_id)
    return reports.none()


def required_signoff_agencies(report: ProgressReport) -> list:
    """Who must sign: for a central report, every party of the programme (as it is today, through
    succession); for a local report, the reporting agency's approver (one sign-off)."""
    if report.unit_id is not None:
        return [report.agency]
    agencies = []
    for party in report.programme.parties.select_related("agency"):
        for agency in party.agency.current_successors() or [party.agency]:
            if agency not in agencies:
                agencies.append(agency)
    return agencies


def signing_agency_for(user, report: ProgressReport):
    """The agency a user signs for: their own, or for a central report the party (or party's
    department) they belong to today."""
    agency = getattr(user, "agency", None)
    required = required_signoff_agencies(report)
    if report.unit_id is None and agency is not None:
        for candidate in required:
            if candidate.pk in (agency.pk, agency.parent_id):
                return candidate
    return agency or (required[0] if required else None)


def _approver_scope_unit(report: ProgressReport):
    """Approval is by the level above: a commune's report by its province, a province's by central."""
    if report.unit_id is None:
        return None
    if report.unit.level == "commune":
        return report.unit.province
    return None


COMMENT_MAX = 500


def _comment(comment: str) -> str:
    comment = _text(comment or "")
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {
                "comment": _("A comment has at most %(max)s characters (this one has %(n)s).")
                % {"max": COMMENT_MAX, "n": len(comment)}
            }
        )
    return comment


@transaction.atomic
def report_approve(*, user, report: ProgressReport, agency, comment: str = "") -> ProgressReport:
    """Approve (one sign-off); ``comment`` is kept with the sign-off and shown in the history."""
    require(user, REPORTS_APPROVE, _approver_scope_unit(report))
    comment = _comment(comment)
    report = _for_transition(report)
    if report.state != ProgressReport.State.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be approved."))
    pending = _children_reports(report).exclude(state=ProgressReport.State.APPROVED)
    if pending.exists():
        names = ", ".join(str(r.unit or r.unit_key) for r in pending.select_related("unit")[:5])
        raise ValidationError(_("Approve the reports below this level first: %(names)s.") % {"names": names})
    required = required_signoff_agencies(report)
    if report.unit_id is None and agency not in required:
        raise ValidationError(_("%(agency)s is not a party that signs this report.") % {"agency": agency})
    if agency is not None and agency.pk in _current_signers(report):
        raise ValidationError(_("%(agency)s has already approved this report.") % {"agency": agency})
    _sign(report, agency=agency, user=user, action=ReportSignoff.Action.APPROVE, reason=comment)
    signed = _current_signers(report)
    if all(a.pk in signed for a in required) or report.unit_id is not None:
        report.state = ProgressReport.State.APPROVED
        report.approved_at = timezone.now()
        _lock(report, True)
    report.save()
    return report


def _sign(report: ProgressReport, *, agency, user, action: str, reason: str = "") -> ReportSignoff:
    """Record a sign-off action at the report's next version: (report, version) is unique, so even
    a transition that slipped past the row lock could not record the same step twice."""
    report.version += 1
    return ReportSignoff.objects.create(
        report=report, agency=agency, user=user, action=action, reason=reason, report_version=report.version
    )


def _current_signers(report: ProgressReport) -> set[int]:
    """Agencies whose latest sign-off action on the report is an approval."""
    latest: dict[int, str] = {}
    for signoff in report.signoffs.order_by("at", "id"):
        latest[signoff.agency_id] = signoff.action
    return {agency_id for agency_id, action in latest.items() if action == ReportSignoff.Action.APPROVE}


def _lock(report: ProgressReport, locked: bool) -> None:
    spec = parse_period(report.period)
    if report.unit_id is None:
        return
    unit_ids = [report.unit_id]
    indicator_services.values_set_locked(unit_ids=unit_ids, period_start=spec.start, period_end=spec.end, locked=locked)


def _parent_report_approved(report: ProgressReport) -> bool:
    approved = ProgressReport.objects.filter(
        programme=report.programme, period=report.period, state=ProgressReport.State.APPROVED
    )
    if report.unit_id is None:
        return False
    if report.unit.level == "province":
        return approved.filter(unit__isnull=True).exists()
    return approved.filter(unit_id=report.unit.province_id).exists()


@transaction.atomic
def report_unapprove(*, user, report: ProgressReport, agency, reason: str) -> ProgressReport:
    """Withdraw an approval (recorded with its reason); the data unlock and the report returns to submitted."""
    require(user, REPORTS_APPROVE, _approver_scope_unit(report))
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for withdrawing the approval.")})
    report = _for_transition(report)
    if report.state != ProgressReport.State.APPROVED and not _current_signers(report):
        raise ValidationError(_("The report has no approval to withdraw."))
    if _parent_report_approved(report):
        raise ValidationError(_("The report above this one is approved; withdraw that approval first."))
    _sign(report, agency=agency, user=user, action=ReportSignoff.Action.UNAPPROVE, reason=reason)
    report.state = ProgressReport.State.SUBMITTED
    report.approved_at = None
    report.save()
    _lock(report, False)
    return report


@transaction.atomic
def report_return(*, user, report: ProgressReport, agency, reason: str) -> ProgressReport:
    require(user, REPORTS_APPROVE, _approver_scope_unit(report))
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say what needs changing.")})
    report = _for_transition(report)
    if report.state != ProgressReport.State.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be returned."))
    _sign(report, agency=agency, user=user, action=ReportSignoff.Action.RETURN, reason=reason)
    report.state = ProgressReport.State.RETURNED
    report.save()
    return report


@dataclass
class BulkApproval:
    approved: list[ProgressReport]
    refused: list[tuple[ProgressReport, str]]  # the report and why, in the approver's language


def reports_approve_bulk(*, user, reports, comment: str = "") -> BulkApproval:
    """Approve several reports with one comment. Each approval is its own transaction: one refused
    report (already approved by someone else, a commune still pending) does not undo the others,
    and the answer says which were refused and why. ``reports`` must come from the caller's
    approval queue (the view and the API pass it through ``selectors.approval_queue``)."""
    comment = _comment(comment)
    result = BulkApproval([], [])
    for report in reports:
        try:
            approved = report_approve(
                user=user, report=report, agency=signing_agency_for(user, report), comment=comment
            )
        except ValidationError as exc:
            result.refused.append((report, " ".join(exc.messages)))
        except PermissionDenied:
            result.refused.append((report, _("This is outside your role or your area.")))
        else:
            result.approved.append(approved)
    return result


# --- evidence files ------------------------------------------------------------------------

EVIDENCE_MAX_FILES = 20


def _require_report_writer(user, report: ProgressReport) -> None:
    require(user, REPORTS_SUBMIT, report)
    if report.state not in EDITABLE_STATES:
        raise ValidationError(_("Evidence can be added or removed only while the report is a draft or returned."))


@transaction.atomic
def report_evidence_add(*, user, report: ProgressReport, upload, description: str = "") -> ReportEvidence:
    """Attach a file to a report being written; its real type (first bytes) and size are checked."""
    report = _for_transition(report)
    _require_report_writer(user, report)
    description = _text(description or "")
    if len(description) > 300:
        raise ValidationError({"description": _("A description has at most 300 characters.")})
    if report.evidence.count() >= EVIDENCE_MAX_FILES:
        raise ValidationError({"file": _("A report holds at most %(n)s files.") % {"n": EVIDENCE_MAX_FILES}})
    name, content_type = check_upload(upload)
    return ReportEvidence.objects.create(
        report=report,
        uploaded_by=user,
        file=upload,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        description=description,
    )


@transaction.atomic
def report_evidence_remove(*, user, evidence: ReportEvidence) -> None:
    report = _for_transition(evidence.report)
    _require_report_writer(user, report)
    stored = evidence.file.name
    evidence.delete()
    # The file goes only once the row is gone for good (a rollback keeps both).
    transaction.on_commit(lambda: evidence.file.storage.delete(stored))
