"""The operator's console pages (issue 8.6): thin views over console_selectors and console (writes).
Plain GET pages and POST forms: everything works without JavaScript; the console and the cluster
states reload themselves every minute (<meta http-equiv="refresh">)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ketnoi.core.exports import csv_response
from ketnoi.core.paging import paginate
from ketnoi.core.roles import CHANNELS_VIEW
from ketnoi.core.scoping import allows, restrict, user_scope
from ketnoi.core.text import fold, format_date, normalize_text, parse_date
from ketnoi.geo.models import AdminUnit

from . import console, console_selectors
from .models import RadioStation

REFRESH_SECONDS = 60


def _day(request, name: str, default, errors: list):
    text = (request.GET.get(name) or request.POST.get(name) or "").strip()
    if not text:
        return default
    try:
        return parse_date(text)
    except ValueError:
        errors.append(_("%(value)s is not a date (dd/mm/yyyy).") % {"value": text[:20]})
        return default


def _ddmmyyyy(day) -> str:
    return format_date(day, "vi")


# ---- the commune's console -----------------------------------------------------------------------


@login_required
@require_GET
def console_index(request):
    """The communes whose console the user may open; straight to it when there is one."""
    communes = console_selectors.manageable_communes(user=request.user)
    if not communes.exists():
        raise Http404
    if communes.count() == 1:
        return redirect("console-commune", code=communes.first().code)
    q = normalize_text(request.GET.get("q") or "").strip()
    if q:
        communes = communes.filter(search_key__contains=fold(q)) | communes.filter(code=q)
    page = paginate(request, communes, per_page=100)
    return render(request, "channels/console_index.html", {"page": page, "q": q})


def _commune_or_404(request, code):
    commune = console_selectors.console_commune(user=request.user, code=code)
    if commune is None:
        raise Http404
    return commune


def _render_console(request, commune, day, *, errors=(), status=200):
    context = console_selectors.console_page(user=request.user, commune=commune, day=day)
    context.update(
        {
            "day": day,
            "day_text": _ddmmyyyy(day),
            "today": console_selectors.local_today(),
            "errors": list(errors),
            "refresh": REFRESH_SECONDS if not errors else None,
            "plays_url": reverse("console-plays") + "?" + urlencode({"commune": commune.code}),
        }
    )
    return render(request, "channels/console_commune.html", context, status=status)


@login_required
@require_GET
def console_commune(request, code):
    commune = _commune_or_404(request, code)
    errors: list = []
    day = _day(request, "day", console_selectors.local_today(), errors)
    return _render_console(request, commune, day, errors=errors, status=400 if errors else 200)


@login_required
@require_POST
def console_decide(request, code):
    commune = _commune_or_404(request, code)
    errors: list = []
    day = _day(request, "day", console_selectors.local_today(), errors)
    station = get_object_or_404(
        restrict(RadioStation.objects.filter(commune=commune), request.user, CHANNELS_VIEW),
        pk=_int(request.POST.get("station")),
    )
    if errors:
        return _render_console(request, commune, day, errors=errors, status=400)
    seen = request.POST.get("seen")
    try:
        decision = console.programme_decide(
            user=request.user,
            station=station,
            bulletin_id=_int(request.POST.get("bulletin")),
            action=request.POST.get("action", ""),
            day=day,
            slot=request.POST.get("slot") or None,
            seen=_int(seen) if seen not in (None, "") else None,
        )
    except PermissionDenied:
        raise Http404 from None
    except console.ProgrammeChanged as exc:
        return _render_console(request, commune, day, errors=exc.messages, status=409)
    except ValidationError as exc:
        return _render_console(request, commune, day, errors=exc.messages, status=422)
    action = request.POST.get("action")
    done = {
        "accept": _("Accepted: the bulletin plays on this station."),
        "decline": _("Declined: the bulletin does not play on this station."),
        "up": _("Moved up."),
        "down": _("Moved down."),
    }[action]
    messages.success(request, done if decision is not None else _("Nothing to change."))
    url = reverse("console-commune", kwargs={"code": commune.code}) + "?" + urlencode({"day": _ddmmyyyy(day)})
    return redirect(f"{url}#station-{station.pk}")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# ---- filters shared by the plays and cluster pages ------------------------------------------------


def _filters(request):
    """commune / province / station from the query, each only if the user may see it (else 404)."""
    found = {}
    user = request.user
    if code := (request.GET.get("commune") or "").strip():
        commune = AdminUnit.objects.filter(structure="current", level="commune", code=code).first()
        if commune is None or not allows(user, CHANNELS_VIEW, commune):
            raise Http404
        found["commune"] = commune
    if code := (request.GET.get("province") or "").strip():
        province = console_selectors.viewable_provinces(user=user).filter(code=code).first()
        if province is None:
            raise Http404
        found["province"] = province
    if pk := (request.GET.get("station") or "").strip():
        found["station"] = get_object_or_404(
            restrict(RadioStation.objects.select_related("commune"), user, CHANNELS_VIEW), pk=_int(pk)
        )
    return found


# ---- play logs -----------------------------------------------------------------------------------

CSV_HEADER = [
    "Bản tin",
    "Ngôn ngữ",
    "Xã",
    "Đài",
    "Cụm loa",
    "Bắt đầu",
    "Số giây",
    "Phát hết",
]


@login_required
@require_GET
def console_plays(request):
    if user_scope(request.user, CHANNELS_VIEW).empty:
        raise Http404
    found = _filters(request)
    errors: list = []
    first = _day(request, "from", None, errors)
    last = _day(request, "to", None, errors)
    logs = console_selectors.play_logs(user=request.user, first=first, last=last, **found)
    if request.GET.get("format") == "csv" and not errors:
        rows = (
            [
                log.bulletin.title,
                log.rendition.language.name_vi,
                log.commune.name,
                log.credential.cluster.station.name,
                log.credential.cluster.name,
                timezone.localtime(log.started_at),
                log.seconds,
                "có" if log.completed else "không",
            ]
            for log in logs.iterator(chunk_size=2000)
        )
        return csv_response("nhat-ky-phat", CSV_HEADER, rows)
    stations = []
    if "commune" in found:
        stations = restrict(RadioStation.objects.filter(commune=found["commune"]), request.user, CHANNELS_VIEW)
        stations = list(stations.order_by("name"))
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return render(
        request,
        "channels/console_plays.html",
        {
            "page": paginate(request, logs, per_page=50),
            "errors": errors,
            "first": _ddmmyyyy(first) if first else "",
            "last": _ddmmyyyy(last) if last else "",
            "stations": stations,
            "csv_query": query.urlencode(),
            **found,
        },
        status=400 if errors else 200,
    )


# ---- cluster states ------------------------------------------------------------------------------


@login_required
@require_GET
def console_clusters(request):
    if user_scope(request.user, CHANNELS_VIEW).empty:
        raise Http404
    found = _filters(request)
    states = console_selectors.cluster_states(console_selectors.clusters_for(user=request.user, **found))
    wanted = request.GET.get("state", "")
    if wanted in ("online", "offline", "never"):
        states = [s for s in states if s.status == wanted]
    return render(
        request,
        "channels/console_clusters.html",
        {
            "page": paginate(request, states, per_page=100),
            "state": wanted,
            "refresh": REFRESH_SECONDS,
            "offline_minutes": int(console_selectors.offline_after().total_seconds() // 60),
            **found,
        },
    )


# ---- the provincial and national views -----------------------------------------------------------


@login_required
@require_GET
def console_province(request):
    provinces = console_selectors.viewable_provinces(user=request.user)
    if not provinces.exists():
        raise Http404
    code = (request.GET.get("province") or "").strip()
    province = provinces.filter(code=code).first() if code else None
    if code and province is None:
        raise Http404
    if province is None and provinces.count() == 1:
        province = provinces.first()
    errors: list = []
    day = _day(request, "day", console_selectors.local_today(), errors)
    context = {"provinces": provinces, "province": province, "day": day, "day_text": _ddmmyyyy(day), "errors": errors}
    if province is not None:
        page = paginate(request, console_selectors.province_station_queryset(user=request.user, province=province), 50)
        context["page"] = page
        context["rows"] = console_selectors.province_stations(
            user=request.user, province=province, day=day, stations=page.object_list
        )
        context["can_manage"] = {
            row.station.commune_id
            for row in context["rows"]
            if console_selectors.console_commune(user=request.user, code=row.station.commune.code)
        }
    return render(request, "channels/console_province.html", context, status=400 if errors else 200)


@login_required
@require_GET
def console_national(request):
    if not user_scope(request.user, CHANNELS_VIEW).everywhere:
        raise Http404
    import datetime as dt

    errors: list = []
    today = console_selectors.local_today()
    last = _day(request, "to", today, errors)
    first = _day(request, "from", last - dt.timedelta(days=6), errors)
    if first > last:
        errors.append(_("The period starts after it ends."))
        first = last
    rows, total = console_selectors.national_reach(first=first, last=last)
    return render(
        request,
        "channels/console_national.html",
        {
            "rows": rows,
            "total": total,
            "first": _ddmmyyyy(first),
            "last": _ddmmyyyy(last),
            "errors": errors,
        },
        status=400 if errors else 200,
    )
