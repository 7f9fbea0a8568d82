from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ketnoi.core.exports import csv_response
from ketnoi.core.roles import PROGRAMMES_VIEW
from ketnoi.core.scoping import require_capability

from . import selectors
from .forms import MapForm
from .render import render_map


def _map(request):
    """(form, map or None, rows): the map the query asks for, within the user's area."""
    require_capability(request.user, PROGRAMMES_VIEW)
    form = MapForm(request.GET, provinces=selectors.provinces_for_user(request.user))
    if not request.GET.get("element") or not form.is_valid():
        return form, None, []
    data = form.cleaned_data
    element, within, level = data["element"], data["within"], data["level"]
    units = list(selectors.units_for_user(request.user, level=level, within=within))
    values = selectors.map_values(element, period=data["period"], units=units)
    items = selectors.map_items(units, values)
    name = element.name_en if (get_language() or "vi").startswith(("en", "th")) and element.name_en else element.name_vi
    place = within.name if within else _("your area")
    title = f"{name} · {data['period']} · {place}"
    rendered = render_map(
        items,
        title=title,
        method=data["method"],
        classes=data["classes"],
        fixed_breaks=data["breaks"],
        language=get_language() or "vi",
        unit_label=element.unit_label,
    )
    rows = [(item, rendered.classes.get(item.code, -1)) for item in items]
    return form, rendered, rows


def _filename(request) -> str:
    parts = [request.GET.get(k, "") for k in ("element", "period", "level", "within")]
    return "-".join(p for p in parts if p.replace("-", "").replace("_", "").isalnum()) or "map"


@login_required
def map_page(request):
    form, rendered, rows = _map(request)
    legend = rendered.legend if rendered else []
    return render(
        request,
        "maps/map.html",
        {
            "form": form,
            "map": rendered,
            "rows": [(item, legend[k] if 0 <= k < len(legend) else None) for item, k in rows],
            "query": request.GET.urlencode(),
            "boundaries": selectors.boundary_counts(),
        },
        status=400 if request.GET.get("element") and not form.is_valid() else 200,
    )


def _refused(form) -> HttpResponse:
    messages = [f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()]
    return HttpResponse(
        "\n".join(messages) or _("Choose a data element."), status=400, content_type="text/plain; charset=utf-8"
    )


@login_required
def map_svg(request):
    form, rendered, _rows = _map(request)
    if rendered is None:
        return _refused(form)
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + rendered.svg, content_type="image/svg+xml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(request)}.svg"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def map_csv(request):
    form, rendered, rows = _map(request)
    if rendered is None:
        return _refused(form)
    header = [_("Code"), _("Unit"), _("Value"), _("Class")]
    table = [
        (item.code, item.name, item.value if item.value is not None else "", rendered.legend[k].label if k >= 0 else "")
        for item, k in rows
    ]
    return csv_response(_filename(request), header, table)
