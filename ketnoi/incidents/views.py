from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ketnoi.core.forms import attach_errors
from ketnoi.core.paging import paginate
from ketnoi.core.roles import INCIDENTS_MANAGE, INCIDENTS_VIEW
from ketnoi.core.scoping import allows, require_capability

from . import selectors, services
from .forms import EventForm, IncidentForm
from .models import Incident, Severity


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def incident_list(request):
    require_capability(request.user, INCIDENTS_VIEW)
    year = _year(request)
    severity = request.GET.get("severity", "") if request.GET.get("severity") in Severity.values else ""
    status = request.GET.get("status", "") if request.GET.get("status") in Incident.Status.values else ""
    incidents = selectors.incidents_for_user(user=request.user, year=year, severity=severity, status=status)
    context = {
        "page": paginate(request, incidents),
        "stats": selectors.incident_stats(user=request.user, year=year),
        "year": year,
        "severity": severity,
        "status": status,
        "severities": Severity.choices,
        "statuses": Incident.Status.choices,
        "can_manage": _can_manage(request.user),
        "now": timezone.now(),
    }
    return render(request, "incidents/incident_list.html", context)


def _can_manage(user) -> bool:
    from ketnoi.core.scoping import user_scope

    return not user_scope(user, INCIDENTS_MANAGE).empty


@login_required
@require_http_methods(["GET", "POST"])
def incident_create(request):
    require_capability(request.user, INCIDENTS_MANAGE)
    form = IncidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_create(
                user=request.user,
                title=form.cleaned_data["title"],
                severity=form.cleaned_data["severity"],
                detected_at=form.cleaned_data["detected_at"],
                unit=form.unit_object(),
                description=form.cleaned_data["description"],
                affected_systems=form.cleaned_data["affected_systems"],
            )
        except PermissionDenied:
            form.add_error("unit", _("You cannot register incidents for this unit."))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Incident %(code)s registered.") % {"code": incident.code})
            return redirect("incident-detail", pk=incident.pk)
    status = 422 if form.errors else 200
    return render(request, "incidents/incident_form.html", {"form": form}, status=status)


def _incident_or_404(user, pk) -> Incident:
    try:
        return selectors.incident_get(user=user, pk=pk)
    except Incident.DoesNotExist:
        raise Http404 from None


@login_required
def incident_detail(request, pk, *, event_form=None, errors=None, status=200):
    require_capability(request.user, INCIDENTS_VIEW)
    incident = _incident_or_404(request.user, pk)
    can_manage = allows(request.user, INCIDENTS_MANAGE, incident)
    context = {
        "incident": incident,
        "events": incident.events.all(),
        "can_manage": can_manage,
        "event_form": event_form or EventForm(),
        "errors": errors or [],
        "overdue": incident.report_overdue(),
        "next_statuses": [
            (code, label)
            for code, label in Incident.Status.choices
            if services.STATUS_ORDER.index(code) > services.STATUS_ORDER.index(incident.status)
        ],
    }
    return render(request, "incidents/incident_detail.html", context, status=status)


@login_required
@require_POST
def incident_action(request, pk):
    incident = _incident_or_404(request.user, pk)
    action = request.POST.get("action", "")
    event_form = None
    try:
        if action == "event":
            event_form = EventForm(request.POST)
            if not event_form.is_valid():
                return incident_detail(request, pk, event_form=event_form, status=422)
            services.incident_event_add(
                user=request.user,
                incident=incident,
                kind=event_form.cleaned_data["kind"],
                text=event_form.cleaned_data["text"],
            )
        elif action == "report":
            services.incident_report(user=request.user, incident=incident, reference=request.POST.get("reference", ""))
        elif action == "status":
            services.incident_set_status(
                user=request.user,
                incident=incident,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
            )
        else:
            return incident_detail(request, pk, errors=[_("Unknown action.")], status=422)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return incident_detail(request, pk, event_form=event_form, errors=exc.messages, status=422)
    messages.success(request, _("Saved."))
    return redirect("incident-detail", pk=pk)
