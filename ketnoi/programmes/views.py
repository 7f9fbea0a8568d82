from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ketnoi.core.files import download_response
from ketnoi.core.numbers import format_number, parse_number
from ketnoi.core.roles import PROGRAMMES_MANAGE, PROGRAMMES_VIEW, REPORTS_APPROVE, REPORTS_SUBMIT, TASKS_UPDATE
from ketnoi.core.scoping import allows, require_capability
from ketnoi.geo.models import AdminUnit
from ketnoi.indicators.periods import period_label
from ketnoi.orgs.titles import signature

from . import exports, selectors, services
from .models import Programme, ProgressReport, Task, TaskAttachment


def _programme_or_404(code) -> Programme:
    try:
        return selectors.programme_get(code=code)
    except Programme.DoesNotExist:
        raise Http404 from None


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{field}: {message}" if field != "__all__" else message
            for field, messages_ in exc.message_dict.items()
            for message in messages_
        ]
    return exc.messages


@login_required
def programme_list(request):
    require_capability(request.user, PROGRAMMES_VIEW)
    return render(request, "programmes/programme_list.html", {"programmes": selectors.programme_list()})


@login_required
def programme_detail(request, code):
    require_capability(request.user, PROGRAMMES_VIEW)
    programme = _programme_or_404(code)
    tasks = selectors.tasks_visible_to(request.user, selectors.task_list(programme=programme))
    states = {s.task.pk: s for s in selectors.task_states(tasks)}
    areas = [
        (area, [states[t.pk] for t in area.tasks.order_by("code") if t.pk in states])
        for area in programme.content_areas.all()
    ]
    period = request.GET.get("period") or str(timezone.localdate().year)
    try:
        rates = selectors.reporting_rates(programme=programme, period=period, user=request.user)
    except ValueError:
        rates, period = [], str(timezone.localdate().year)
    parties = [(party, party.agency.current_successors()) for party in programme.parties.select_related("agency")]
    summary = {
        "total": len(states),
        "overdue": sum(s.overdue for s in states.values()),
        "done": sum(s.status == Task.Status.DONE for s in states.values()),
    }
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "areas": areas,
            "rates": rates,
            "period": period,
            "parties": parties,
            "summary": summary,
            "can_manage": allows(request.user, PROGRAMMES_MANAGE, None),
        },
    )


@login_required
def programme_timeline(request, code):
    require_capability(request.user, PROGRAMMES_VIEW)
    programme = _programme_or_404(code)
    start, end = programme.period_start, programme.period_end
    span = max((end - start).days, 1)
    rows = []
    tasks = selectors.tasks_visible_to(request.user, selectors.task_list(programme=programme))
    for state in selectors.task_states(tasks):
        task = state.task
        task_start = task.start_date or start
        task_end = task.due_date or end
        left = max(0.0, (task_start - start).days / span * 100)
        width = max(0.8, min(100 - left, (task_end - task_start).days / span * 100))
        rows.append({"state": state, "left": round(left, 2), "width": round(width, 2)})
    years = list(range(start.year, end.year + 1))
    today = timezone.localdate()
    today_left = round(min(100, max(0, (today - start).days / span * 100)), 2)
    return render(
        request,
        "programmes/timeline.html",
        {
            "programme": programme,
            "rows": rows,
            "years": years,
            "today_left": today_left,
        },
    )


@login_required
def task_list(request, code):
    require_capability(request.user, PROGRAMMES_VIEW)
    programme = _programme_or_404(code)
    area = request.GET.get("area") or None
    tasks = selectors.tasks_visible_to(request.user, selectors.task_list(programme=programme, area_code=area))
    states = selectors.task_states(tasks)
    status = request.GET.get("status")
    if status == "overdue":
        states = [s for s in states if s.overdue]
    elif status:
        states = [s for s in states if s.status == status]
    file_format = request.GET.get("format")
    if file_format in ("csv", "xlsx"):
        return exports.task_export(programme, states, file_format)
    return render(
        request,
        "programmes/task_list.html",
        {
            "programme": programme,
            "states": states,
            "area": area,
            "status": status,
            "statuses": Task.Status.choices,
            "areas": programme.content_areas.all(),
        },
    )


def _task_or_404(request, pk) -> Task:
    """The task if the user may read it; a corrective task outside their area is not found."""
    try:
        return selectors.tasks_visible_to(request.user, selectors.task_list()).get(pk=pk)
    except Task.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request, pk):
    require_capability(request.user, PROGRAMMES_VIEW)
    task = _task_or_404(request, pk)
    errors = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "comment":
                services.task_comment_add(user=request.user, task=task, body=request.POST.get("body", ""))
                messages.success(request, _("Comment added."))
            elif action == "attach" and request.FILES.get("file"):
                services.task_attachment_add(user=request.user, task=task, upload=request.FILES["file"])
                messages.success(request, _("File attached."))
            elif action == "assignment_status":
                assignment = get_object_or_404(
                    selectors.assignments_for_user(user=request.user, task=task), pk=request.POST.get("assignment")
                )
                services.assignment_set_status(
                    user=request.user,
                    assignment=assignment,
                    status=request.POST.get("status", ""),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Status saved."))
            elif action == "assign":
                unit = get_object_or_404(AdminUnit, structure="current", code=request.POST.get("unit_code", "").strip())
                services.task_assign(user=request.user, task=task, unit=unit)
                messages.success(request, _("Task assigned."))
            else:
                errors.append(_("Nothing to do."))
            if not errors:
                return redirect("task-detail", pk=task.pk)
        except ValidationError as exc:
            errors = _errors(exc)
        except PermissionDenied:
            raise Http404 from None
    return render(
        request,
        "programmes/task_detail.html",
        {
            "task": task,
            "state": selectors.task_state(task),
            "assignments": selectors.assignments_for_user(user=request.user, task=task),
            "comments": task.comments.select_related("author"),
            "attachments": task.attachments.all(),
            "errors": errors,
            "statuses": Task.Status.choices,
            "can_manage": allows(request.user, PROGRAMMES_MANAGE, None),
            "can_update": request.user.has_capability(TASKS_UPDATE),
            "lead_today": task.lead_agency.current_successors(),
        },
        status=422 if errors else 200,  # a refused comment, attachment or status: the form again, with why
    )


@login_required
def my_work(request):
    return render(
        request,
        "programmes/my_work.html",
        {"work": selectors.my_work(user=request.user), "today": timezone.localdate()},
    )


@login_required
def report_list(request, code):
    """The officer's due reports (one click opens each), the reports of their area filtered by a
    period picked from the calendar, and the reporting rate of that period."""
    require_capability(request.user, PROGRAMMES_VIEW)
    programme = _programme_or_404(code)
    period = request.GET.get("period") or ""
    try:
        reports = selectors.reports_for_user(user=request.user, programme=programme, period=period or None)
    except ValueError:
        messages.error(request, _("%(code)s is not a period of this programme.") % {"code": period[:20]})
        reports, period = selectors.reports_for_user(user=request.user, programme=programme), ""
    file_format = request.GET.get("format")
    if file_format in ("csv", "xlsx"):
        return exports.report_export(programme, reports, file_format)
    return render(
        request,
        "programmes/report_list.html",
        {
            "programme": programme,
            "reports": reports,
            "period": period,
            "period_label": period_label(period) if period else "",
            "period_choices": selectors.report_period_choices(programme),
            "due": selectors.due_reports(user=request.user, programme=programme),
            "rates": selectors.reporting_rates(programme=programme, period=period, user=request.user) if period else [],
        },
    )


def _report_or_404(request, pk) -> ProgressReport:
    try:
        return selectors.reports_for_user(user=request.user).get(pk=pk)
    except ProgressReport.DoesNotExist:
        raise Http404 from None


def _report_errors(exc: ValidationError, elements) -> tuple[list[str], dict[str, list[str]]]:
    """The summary (each error named by its indicator, not its code) and the errors per field."""
    if not hasattr(exc, "error_dict"):
        return exc.messages, {}
    names = {e.code: e.name_vi for e in elements}
    names["narrative"] = _("Narrative")
    summary, by_field = [], {}
    for field, messages_ in exc.message_dict.items():
        for message in messages_:
            summary.append(f"{names.get(field, field)}: {message}" if field != "__all__" else message)
            by_field.setdefault(field, []).append(message)
    return summary, by_field


def _typed_number(text: str, language: str):
    """A number as the page's language writes it (1.250,5 in Vietnamese, 1,250.5 in English); text
    that is none goes on as typed, for the service to refuse with its field named."""
    try:
        return parse_number(text, language=language) if text.strip() else text
    except ValueError:
        return text


def _posted_version(request) -> int:
    try:
        return int(request.POST.get("version", "0"))
    except ValueError:
        return 0  # not a version: treated as stale, so the page shows the stored text beside the typed one


def _approval_agency(request, report):
    return services.signing_agency_for(request.user, report)


def _report_post(request, report, language, values):
    """Carry out one POST on the report page. The editor is one form: whichever button was pressed
    (save, submit, remove a file), the narrative, the values and a chosen file are saved first."""
    action = request.POST.get("action", "save")
    edits = action in ("save", "submit") and "narrative" in request.POST
    if edits:
        posted = {
            element.code: request.POST.get(f"value_{element.code}", "")
            for element in selectors.report_elements(report.programme)
            if element.source != "logs"  # computed from the logs: shown, never posted
        }
        values.update(posted)
        services.report_save(
            user=request.user,
            report=report,
            narrative=request.POST.get("narrative", ""),
            version=_posted_version(request),
            values={code: _typed_number(text, language) for code, text in posted.items()},
        )
        report.refresh_from_db()
        upload = request.FILES.get("evidence")
        if upload:
            services.report_evidence_add(
                user=request.user, report=report, upload=upload, description=request.POST.get("evidence_note", "")
            )
        remove = request.POST.get("remove_evidence")
        if remove:
            evidence = get_object_or_404(report.evidence, pk=remove if remove.isdigit() else 0)
            services.report_evidence_remove(user=request.user, evidence=evidence)
    if action == "save":
        return _("Report saved.")
    if action == "submit":
        services.report_submit(user=request.user, report=report)
        return _("Report submitted.")
    if action == "approve":
        services.report_approve(
            user=request.user,
            report=report,
            agency=_approval_agency(request, report),
            comment=request.POST.get("comment", ""),
        )
        return _("Approval recorded.")
    if action == "return":
        services.report_return(
            user=request.user,
            report=report,
            agency=_approval_agency(request, report),
            reason=request.POST.get("reason", ""),
        )
        return _("Report returned.")
    if action == "unapprove":
        services.report_unapprove(
            user=request.user,
            report=report,
            agency=_approval_agency(request, report),
            reason=request.POST.get("reason", ""),
        )
        return _("Approval withdrawn.")
    raise ValidationError(_("Nothing to do."))


def _from_logs(report, language) -> dict[int, list[dict]]:
    """Per element computed from the logs: its values for the report (the total first, then each
    language or priority), with where they come from ("from 12 play logs") and the link to the rows."""
    from ketnoi.indicators import provenance

    rows: dict[int, list[dict]] = {}
    for value in selectors.report_computed_values(report):
        breakdown = ""
        if value.language_id:
            breakdown = value.language.name_vi
        elif value.priority:
            breakdown = value.get_priority_display()
        source = getattr(value, "provenance", None)
        rows.setdefault(value.element_id, []).append(
            {
                "breakdown": breakdown,
                "value": format_number(value.value, language=language),
                "described": provenance.describe(source) if source else "",
                "link": provenance.link(source) if source else None,
            }
        )
    return rows


def _report_context(request, report, elements_values, field_errors) -> dict:
    language = translation.get_language() or "vi"
    from_logs = _from_logs(report, language)
    elements = []
    for e in selectors.report_elements(report.programme):
        e.from_logs = from_logs.get(e.pk, [])  # shown read-only beside the form's fields
        elements.append((e, elements_values.get(e.code, ""), field_errors.get(e.code, [])))
    return {
        "report": report,
        "elements": elements,
        "rollup": selectors.report_rollup(report),
        "evidence": report.evidence.select_related("uploaded_by"),
        "signoffs": report.signoffs.select_related("agency", "user"),
        "required": services.required_signoff_agencies(report),
        "can_edit": allows(request.user, REPORTS_SUBMIT, report) and report.state in services.EDITABLE_STATES,
        "can_approve": request.user.has_capability(REPORTS_APPROVE),
    }


def _shown_values(report, language) -> dict[str, str]:
    """The stored values as the officer types them: 1.250 / 1.250,5, whole numbers without decimals."""
    return {v.element.code: format_number(v.value, language=language) for v in selectors.report_values(report)}


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk):
    report = _report_or_404(request, pk)
    errors, field_errors, conflict = [], {}, None
    narrative = report.narrative
    language = translation.get_language() or "vi"
    values = _shown_values(report, language)
    if request.method == "POST":
        narrative = request.POST.get("narrative", narrative)
        try:
            messages.success(request, _report_post(request, report, language, values))
            return redirect("report-detail", pk=report.pk)
        except services.StaleEdit as exc:
            conflict = exc
            report = exc.report
        except ValidationError as exc:
            # What the form saved before the refusal (the edits, when a submission or a file was
            # refused) is stored; the page shows the stored version (so the next save is not a
            # false conflict), every typed value, and each error beside its field.
            report = ProgressReport.objects.select_related("programme", "unit", "agency").get(pk=report.pk)
            errors, field_errors = _report_errors(exc, selectors.report_elements(report.programme))
        except PermissionDenied:
            errors = [_("This is outside your role or your area.")]
    context = _report_context(request, report, values, field_errors)
    context.update(
        narrative=narrative,
        errors=errors,
        field_errors=field_errors,
        conflict=conflict,
        comment=request.POST.get("comment", ""),
        evidence_note=request.POST.get("evidence_note", "") if errors else "",
    )
    return render(
        request, "programmes/report_detail.html", context, status=409 if conflict else (422 if errors else 200)
    )


@login_required
def report_print(request, pk):
    """The report as it is filed: A4, the national header, the signature block, no navigation."""
    report = _report_or_404(request, pk)
    # The header and signer are the reporting agency as it is today (its successor if it was merged).
    block = signature(report.agency)
    signing_agency = block.agency
    with translation.override("vi"):  # a filed report is a Vietnamese document, whatever the interface
        context = _report_context(request, report, _shown_values(report, "vi"), {})
        approvals = [s for s in context["signoffs"] if s.action == "approve"]
        context.update(
            approved_by=approvals[-1] if approvals and report.state == "approved" else None,
            signing_agency=signing_agency,
            signer_lines=block.lines,
            signer_name=block.name,
            today=timezone.localdate(),
        )
        return render(request, "programmes/report_print.html", context)


@login_required
def report_evidence_download(request, pk):
    evidence = get_object_or_404(selectors.report_evidence_for_user(user=request.user), pk=pk)
    return download_response(evidence.file.name, filename=evidence.original_name, content_type=evidence.content_type)


@login_required
def task_attachment_download(request, pk):
    require_capability(request.user, PROGRAMMES_VIEW)
    attachment = get_object_or_404(
        TaskAttachment.objects.select_related("task").filter(
            task__in=selectors.tasks_visible_to(request.user, selectors.task_list())
        ),
        pk=pk,
    )
    return download_response(
        attachment.file.name, filename=attachment.original_name, content_type=attachment.content_type
    )


@login_required
@require_http_methods(["GET", "POST"])
def approval_queue(request):
    """The reports waiting for this approver, ticked and approved together with one comment; each
    refused one is named with the reason, the others are approved."""
    require_capability(request.user, REPORTS_APPROVE)
    queue = selectors.approval_queue(user=request.user)
    errors, comment, chosen = [], "", set()
    if request.method == "POST":
        comment = request.POST.get("comment", "")
        chosen = set(request.POST.getlist("report"))
        picked, _unknown = selectors.approval_queue_pick(user=request.user, ids=chosen)
        if not picked:
            errors.append(_("Tick the reports to approve."))
        else:
            try:
                result = services.reports_approve_bulk(user=request.user, reports=picked, comment=comment)
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                if result.approved:
                    messages.success(
                        request,
                        ngettext("%(n)s report approved.", "%(n)s reports approved.", len(result.approved))
                        % {"n": len(result.approved)},
                    )
                for report, reason in result.refused:
                    messages.error(request, f"{report.unit or _('Central')} · {report.period_label}: {reason}")
                return redirect("approval-queue")
    return render(
        request,
        "programmes/approval_queue.html",
        {"queue": queue, "errors": errors, "comment": comment, "chosen": chosen},
        status=422 if errors else 200,
    )


@login_required
@require_POST
def report_open(request, code):
    require_capability(request.user, PROGRAMMES_VIEW)
    programme = _programme_or_404(code)
    unit = None
    unit_code = request.POST.get("unit_code", "").strip()
    if unit_code:
        unit = AdminUnit.objects.filter(structure="current", code=unit_code).first()
        if unit is None:
            messages.error(
                request,
                _("There is no province or commune with code %(code)s in the current structure.")
                % {"code": unit_code[:20]},
            )
            return redirect("report-list", code=programme.code)
    agency = request.user.agency
    if agency is None:
        messages.error(
            request, _("Your account belongs to no agency, so it cannot open a report. Ask an administrator.")
        )
        return redirect("report-list", code=programme.code)
    try:
        report = services.report_open(
            user=request.user,
            programme=programme,
            period=request.POST.get("period", ""),
            frequency=request.POST.get("frequency", "quarterly"),
            unit=unit,
            agency=agency,
        )
    except (ValidationError, ValueError) as exc:
        messages.error(request, "; ".join(_errors(exc)) if isinstance(exc, ValidationError) else str(exc))
        return redirect("report-list", code=programme.code)
    except PermissionDenied:
        raise Http404 from None
    return redirect("report-detail", pk=report.pk)


@login_required
def legal_document_list(request):
    require_capability(request.user, PROGRAMMES_VIEW)
    query = request.GET.get("q", "")
    return render(
        request,
        "programmes/legal_documents.html",
        {
            "documents": selectors.legal_document_list(query=query),
            "q": query,
        },
    )
