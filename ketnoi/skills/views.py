"""Digital-skills pages: courses and sessions of the user's area, the coverage report against the
target with its CSV export, and the imports."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ketnoi.core.exports import tabular_response
from ketnoi.core.importing import import_page
from ketnoi.core.paging import paginate
from ketnoi.core.roles import DATA_ENTER, PROGRAMMES_VIEW
from ketnoi.core.scoping import require_capability

from . import importers, selectors
from .models import Course


class SkillsImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file lists"),
        choices=[
            ("sessions", gettext_lazy("Training sessions with their participants (counts)")),
            ("figures", gettext_lazy("Commune figures: prestigious persons and IT access")),
            ("targets", gettext_lazy("Coverage targets per province")),
        ],
    )
    file = forms.FileField(label=gettext_lazy("File (CSV UTF-8 or XLSX)"))


def _year(request) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return dt.date.today().year


@login_required
def session_list(request):
    require_capability(request.user, PROGRAMMES_VIEW)
    sessions = paginate(request, selectors.session_list_for_user(user=request.user), per_page=50)
    return render(
        request,
        "skills/session_list.html",
        {
            "sessions": sessions,
            "courses": selectors.course_list_for_user(user=request.user),
            "can_import": request.user.has_capability(DATA_ENTER),
        },
    )


@login_required
def course_detail(request, pk: int):
    require_capability(request.user, PROGRAMMES_VIEW)
    course = get_object_or_404(Course.objects.select_related("organiser"), pk=pk)
    sessions = paginate(request, selectors.session_list_for_user(user=request.user, course=course), per_page=50)
    return render(request, "skills/course_detail.html", {"course": course, "sessions": sessions})


@login_required
def session_detail(request, pk: int):
    require_capability(request.user, PROGRAMMES_VIEW)
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    if session is None:
        raise Http404
    return render(
        request,
        "skills/session_detail.html",
        {
            "session": session,
            "cells": selectors.participation_table(session),
            "trainers": session.trainers.select_related("agency"),
            "named": session.participants.count(),
        },
    )


@login_required
def coverage_report(request):
    require_capability(request.user, PROGRAMMES_VIEW)
    provinces = list(selectors.provinces_for_user(user=request.user))
    year = _year(request)
    code = request.GET.get("province") or (provinces[0].code if provinces else "")
    province = next((p for p in provinces if p.code == code), None)
    if province is None and code:
        raise Http404  # a province outside the area is not there
    rows = selectors.coverage_report_for_user(user=request.user, province=province, year=year) if province else []
    access = selectors.it_access_for_communes([r.commune for r in rows], year)
    if request.GET.get("format") in ("csv", "xlsx"):
        header = [
            _("Commune code"),
            _("Commune"),
            _("Villages"),
            _("Village heads trained"),
            _("Village heads trained (percent)"),
            _("Prestigious persons"),
            _("Prestigious persons trained"),
            _("Prestigious persons trained (percent)"),
            _("Target (percent)"),
            _("Participants"),
            _("Women"),
            _("Households with a smartphone (percent)"),
            _("Households with internet (percent)"),
            _("4G coverage (percent)"),
        ]
        data = [
            [
                r.commune.code,
                r.commune.name,
                r.villages,
                r.village_heads_trained,
                r.village_heads_share,
                r.prestigious_persons,
                r.prestigious_trained,
                r.prestigious_share,
                r.target_village_heads,
                r.participants,
                r.women,
                access.get(r.commune.pk, {}).get("smartphone_share"),
                access.get(r.commune.pk, {}).get("internet_share"),
                access.get(r.commune.pk, {}).get("coverage_4g"),
            ]
            for r in rows
        ]
        return tabular_response(
            f"ky-nang-so-{province.code}-{year}.{request.GET['format']}",
            header,
            data,
            request.GET["format"],
            title=_("Digital skills"),
        )
    return render(
        request,
        "skills/coverage.html",
        {
            "provinces": provinces,
            "province": province,
            "year": year,
            "rows": [(r, access.get(r.commune.pk)) for r in rows],
            "years": range(dt.date.today().year + 1, 2020, -1),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def skills_import(request):
    if not request.user.has_capability(DATA_ENTER):
        raise Http404
    return import_page(request, SkillsImportForm, importers.IMPORTERS, "skills/import.html")
