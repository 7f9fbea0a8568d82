from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from ketnoi.core.roles import PROGRAMMES_VIEW
from ketnoi.core.scoping import require_capability
from ketnoi.geo.models import AdminUnit
from ketnoi.programmes.selectors import tasks_visible_to

from . import selectors
from .models import Indicator
from .periods import parse_period


def _period(request) -> str:
    try:
        return parse_period(request.GET.get("period") or str(timezone.localdate().year)).code
    except ValueError:
        return str(timezone.localdate().year)


@login_required
def indicator_list(request):
    require_capability(request.user, PROGRAMMES_VIEW)
    period = _period(request)
    results = [selectors.indicator_result(indicator, period=period) for indicator in selectors.indicator_list()]
    return render(request, "indicators/indicator_list.html", {"results": results, "period": period})


@login_required
def indicator_detail(request, code):
    require_capability(request.user, PROGRAMMES_VIEW)
    try:
        indicator = selectors.indicator_list().get(code=code)
    except Indicator.DoesNotExist:
        raise Http404 from None
    period = _period(request)
    provinces = AdminUnit.objects.filter(structure="current", level="province").order_by("sort_key")
    national = selectors.indicator_result(indicator, period=period)
    by_province = [(p, selectors.indicator_result(indicator, period=period, unit=p)) for p in provinces]
    by_province = [(p, r) for p, r in by_province if r.value is not None or r.target is not None]
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "period": period,
            "national": national,
            "by_province": by_province,
            "tasks": tasks_visible_to(request.user, indicator.tasks.select_related("programme")),
        },
    )
