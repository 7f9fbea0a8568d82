"""Press supply pages: the year's orders, the distributor's delivery file, and coverage and gaps."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ketnoi.core.exports import tabular_response
from ketnoi.core.importing import import_page
from ketnoi.core.roles import CHANNELS_MANAGE, CHANNELS_VIEW
from ketnoi.core.scoping import allows, require_capability
from ketnoi.geo.models import AdminUnit

from . import importers, selectors


def _year(request) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return dt.date.today().year


def _format(request) -> str | None:
    value = request.GET.get("format", "")
    return value if value in ("csv", "xlsx") else None


@login_required
def order_list(request):
    require_capability(request.user, CHANNELS_VIEW)
    year = _year(request)
    orders = list(selectors.orders_visible(user=request.user, year=year))
    if file_format := _format(request):
        header = [
            _("year"),
            _("decision"),
            _("province"),
            _("publication"),
            _("category"),
            _("distributor"),
            _("copies per recipient and issue"),
            _("issues in the year"),
            _("price per copy (VND)"),
            _("demo data"),
        ]
        rows = [
            [
                o.year,
                o.decision.number,
                o.province.name,
                o.publication.title,
                o.category.name,
                o.distributor.name if o.distributor else "",
                o.copies_per_issue,
                o.issues,
                o.unit_price if o.unit_price is not None else "",
                _("yes") if o.demo else "",
            ]
            for o in orders
        ]
        return tabular_response(f"press-orders-{year}", header, rows, file_format, title=_("Press orders"))
    return render(
        request,
        "press/order_list.html",
        {"orders": orders, "year": year, "can_import": request.user.has_capability(CHANNELS_MANAGE)},
    )


class DeliveryImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file lists"),
        choices=[
            ("deliveries", gettext_lazy("Deliveries (the distributor's file)")),
            ("recipients", gettext_lazy("Recipients (units and persons)")),
        ],
        initial="deliveries",
    )
    file = forms.FileField(label=gettext_lazy("File (CSV UTF-8 or XLSX)"))


@login_required
@require_http_methods(["GET", "POST"])
def delivery_import(request):
    if not request.user.has_capability(CHANNELS_MANAGE):
        raise Http404
    return import_page(request, DeliveryImportForm, importers.IMPORTERS, "press/delivery_import.html")


def _unit(request, name: str, level: str):
    code = request.GET.get(name, "").strip()
    if not code:
        return None
    unit = AdminUnit.objects.filter(structure="current", level=level, code=code).first()
    if unit is None or not allows(request.user, CHANNELS_VIEW, unit):
        raise Http404
    return unit


def _rate(value) -> str:
    return "" if value is None else number_format(round(value * 100, 1), 1) + " %"


def _per_100(value) -> str:
    return "" if value is None else number_format(round(value, 1), 1)


@login_required
def coverage(request):
    require_capability(request.user, CHANNELS_VIEW)
    year = _year(request)
    province = _unit(request, "province", "province")
    commune = _unit(request, "commune", "commune")
    rows = selectors.coverage(user=request.user, year=year, province=province, commune=commune)
    if file_format := _format(request):
        header = [
            _("province"),
            _("commune"),
            _("NSO code"),
            _("households"),
            _("recipients"),
            _("deliveries expected"),
            _("deliveries confirmed"),
            _("not received"),
            _("late"),
            _("recipients not delivered"),
            _("copies"),
            _("copies per 100 households"),
            _("delivery rate"),
            _("cost (VND)"),
        ]
        table = [
            [
                r.commune.province.name if r.commune.province else "",
                r.commune.name,
                r.commune.code,
                r.households if r.households is not None else "",
                r.recipients,
                r.expected,
                r.delivered,
                r.not_received,
                r.late,
                len(r.not_delivered),
                r.copies,
                "" if r.copies_per_100_households is None else round(r.copies_per_100_households, 2),
                "" if r.delivery_rate is None else round(r.delivery_rate, 4),
                r.cost,
            ]
            for r in rows
        ]
        return tabular_response(f"press-coverage-{year}", header, table, file_format, title=_("Press coverage"))
    for r in rows:
        r.rate_text, r.per_100_text = _rate(r.delivery_rate), _per_100(r.copies_per_100_households)
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "press/coverage.html",
        {
            "rows": rows,
            "year": year,
            "province": province,
            "commune": commune,
            "query": query.urlencode(),
            "totals": {
                "expected": sum(r.expected for r in rows),
                "delivered": sum(r.delivered for r in rows),
                "copies": sum(r.copies for r in rows),
                "cost": sum(r.cost for r in rows),
            },
        },
    )
