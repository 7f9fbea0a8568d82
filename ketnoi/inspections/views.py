"""Pages of inspection and supervision: plans, visits with the checklist, findings, open findings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ketnoi.core.files import download_response
from ketnoi.core.forms import attach_errors
from ketnoi.core.paging import paginate
from ketnoi.core.roles import INSPECTIONS_MANAGE, PROGRAMMES_VIEW
from ketnoi.core.scoping import allows, user_scope
from ketnoi.orgs.models import Agency

from . import selectors, services
from .forms import CorrectiveTaskForm, EvidenceForm, FindingForm, PlanForm, VisitForm, codes
from .models import ItemResult


def _require_view(request):
    if user_scope(request.user, PROGRAMMES_VIEW).empty:
        raise Http404


def _get(request, getter, pk):
    _require_view(request)
    try:
        return getter(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


# --- plans --------------------------------------------------------------------------------


@login_required
def plan_list(request):
    _require_view(request)
    year = request.GET.get("year", "")
    plans = selectors.plan_list_for_user(user=request.user, year=int(year) if year.isdigit() else None)
    context = {
        "page": paginate(request, plans),
        "year": year,
        "can_manage": not user_scope(request.user, INSPECTIONS_MANAGE).empty,
    }
    return render(request, "inspections/plan_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    if user_scope(request.user, INSPECTIONS_MANAGE).empty:
        raise Http404
    form = PlanForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            agency = Agency.objects.filter(code=data["lead_agency"].strip()).first()
            if agency is None:
                form.add_error("lead_agency", _("Unknown agency code %(code)s.") % {"code": data["lead_agency"]})
            else:
                try:
                    plan = services.plan_create(
                        user=request.user,
                        programme=data["programme"],
                        year=data["year"],
                        title=data["title"],
                        lead_agency=agency,
                        units=codes(data["units"]),
                        period_start=data["period_start"],
                        period_end=data["period_end"],
                        notes=data["notes"],
                    )
                except ValidationError as exc:
                    attach_errors(form, exc)
                else:
                    messages.success(request, _("Inspection plan saved."))
                    return redirect("inspections-plan", pk=plan.pk)
        status = 422
    return render(request, "inspections/plan_form.html", {"form": form}, status=status)


def _plan_page(request, plan, *, visit_form=None, status=200):
    context = {
        "plan": plan,
        "planned_units": selectors.planned_units_for_user(user=request.user, plan=plan),
        "visits": selectors.visit_list_for_user(user=request.user, plan=plan),
        "findings": selectors.open_findings_for_user(user=request.user, plan=plan),
        "can_manage": not user_scope(request.user, INSPECTIONS_MANAGE).empty,
        "visit_form": visit_form or VisitForm(),
    }
    return render(request, "inspections/plan_detail.html", context, status=status)


@login_required
def plan_detail(request, pk):
    return _plan_page(request, _get(request, selectors.plan_get_for_user, pk))


@login_required
@require_POST
def visit_create(request, pk):
    plan = _get(request, selectors.plan_get_for_user, pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_create(
                user=request.user,
                plan=plan,
                unit=data["unit"],
                date=data["date"],
                team=data["team"],
                template=data["template"],
                summary=data["summary"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Visit recorded."))
            return redirect("inspections-visit", pk=visit.pk)
    return _plan_page(request, plan, visit_form=form, status=422)


# --- visits -------------------------------------------------------------------------------


def _visit_page(request, visit, *, finding_form=None, checklist_errors=None, posted=None, status=200):
    results = {r.item_id: r for r in visit.results.all()}
    items = []
    for item in visit.template.items.all() if visit.template_id else []:
        saved = results.get(item.pk)
        items.append(
            {
                "item": item,
                "result": (posted or {}).get(item.code, (saved.result if saved else "", ""))[0],
                "note": (posted or {}).get(item.code, ("", saved.note if saved else ""))[1],
                "errors": (checklist_errors or {}).get(item.code, []),
            }
        )
    context = {
        "visit": visit,
        "items": items,
        "choices": ItemResult.Result.choices,
        "checklist_errors": (checklist_errors or {}).get("results", []) + (checklist_errors or {}).get("__all__", []),
        "findings": selectors.finding_list_for_user(user=request.user, visit=visit),
        "can_manage": allows(request.user, INSPECTIONS_MANAGE, visit),
        "finding_form": finding_form or FindingForm(visit=visit),
    }
    return render(request, "inspections/visit_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def visit_detail(request, pk):
    """The visit with its checklist; POST saves the checklist."""
    visit = _get(request, selectors.visit_get_for_user, pk)
    if request.method == "GET":
        return _visit_page(request, visit)
    if not allows(request.user, INSPECTIONS_MANAGE, visit):
        raise Http404
    posted = {}
    for item in visit.template.items.all() if visit.template_id else []:
        result = request.POST.get(f"result_{item.code}", "")
        note = request.POST.get(f"note_{item.code}", "")
        if result:
            posted[item.code] = (result, note)
    try:
        services.visit_record_checklist(user=request.user, visit=visit, results=posted)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return _visit_page(request, visit, checklist_errors=errors, posted=posted, status=422)
    messages.success(request, _("Checklist saved."))
    return redirect("inspections-visit", pk=visit.pk)


@login_required
@require_POST
def finding_create(request, pk):
    visit = _get(request, selectors.visit_get_for_user, pk)
    if not allows(request.user, INSPECTIONS_MANAGE, visit):
        raise Http404
    form = FindingForm(request.POST, request.FILES, visit=visit)
    if form.is_valid():
        data = form.cleaned_data
        try:
            finding = services.finding_create(
                user=request.user,
                visit=visit,
                severity=data["severity"],
                description=data["description"],
                item=data["item"],
                evidence=data["files"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Finding recorded."))
            return redirect("inspections-finding", pk=finding.pk)
    return _visit_page(request, visit, finding_form=form, status=422)


# --- findings -----------------------------------------------------------------------------


@login_required
def open_findings(request):
    _require_view(request)
    rows = selectors.open_findings_for_user(user=request.user)
    return render(request, "inspections/open_findings.html", {"page": paginate(request, rows)})


def _finding_page(request, finding, *, evidence_form=None, task_form=None, close_errors=None, status=200):
    programme = finding.visit.plan.programme
    context = {
        "finding": finding,
        "row": selectors.finding_row(finding),
        "evidence": finding.evidence.all(),
        "can_manage": allows(request.user, INSPECTIONS_MANAGE, finding),
        "can_plan_task": True,  # an inspector of the unit creates its corrective task
        "evidence_form": evidence_form or EvidenceForm(),
        "task_form": task_form or CorrectiveTaskForm(programme=programme),
        "close_errors": close_errors or [],
    }
    return render(request, "inspections/finding_detail.html", context, status=status)


def _managed_finding(request, pk):
    finding = _get(request, selectors.finding_get_for_user, pk)
    if not allows(request.user, INSPECTIONS_MANAGE, finding):
        raise Http404
    return finding


@login_required
def finding_detail(request, pk):
    return _finding_page(request, _get(request, selectors.finding_get_for_user, pk))


@login_required
@require_POST
def evidence_add(request, pk):
    finding = _managed_finding(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(user=request.user, finding=finding, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Evidence added."))
            return redirect("inspections-finding", pk=finding.pk)
    return _finding_page(request, finding, evidence_form=form, status=422)


@login_required
@require_POST
def corrective_task_create(request, pk):
    finding = _managed_finding(request, pk)
    form = CorrectiveTaskForm(request.POST, programme=finding.visit.plan.programme)
    if form.is_valid():
        data = form.cleaned_data
        try:
            task = services.finding_create_corrective_task(
                user=request.user,
                finding=finding,
                due_date=data["due_date"],
                title=data["title"],
                content_area=data["content_area"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Corrective task %(code)s created.") % {"code": task.code})
            return redirect("inspections-finding", pk=finding.pk)
    return _finding_page(request, finding, task_form=form, status=422)


@login_required
@require_POST
def finding_close(request, pk):
    finding = _managed_finding(request, pk)
    try:
        services.finding_close(user=request.user, finding=finding)
    except ValidationError as exc:
        return _finding_page(request, finding, close_errors=exc.messages, status=422)
    messages.success(request, _("Finding closed."))
    return redirect("inspections-finding", pk=finding.pk)


@login_required
def evidence_download(request, pk):
    evidence = _get(request, selectors.evidence_get_for_user, pk)
    return download_response(evidence.file_path, filename=evidence.original_name, content_type=evidence.content_type)
