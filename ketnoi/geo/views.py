from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ketnoi.core.forms import attach_errors
from ketnoi.core.importing import ImportFailed
from ketnoi.core.paging import paginate
from ketnoi.core.roles import VILLAGES_CHANGE, VILLAGES_IMPORT
from ketnoi.core.scoping import allows
from ketnoi.core.sections import render_sections

from . import importers, selectors, services
from .forms import ImportForm, VillageForm
from .models import AdminUnit, Village


@login_required
def unit_list(request):
    query = request.GET.get("q", "")
    structure = request.GET.get("structure", "current")
    if structure not in AdminUnit.Structure.values:
        structure = "current"
    level = request.GET.get("level") or None
    province = request.GET.get("province") or None
    units = selectors.unit_search(query=query, structure=structure, level=level, province_code=province)
    context = {
        "page": paginate(request, units),
        "q": query,
        "structure": structure,
        "level": level,
        "province": province,
        "provinces": selectors.province_list(structure=structure),
        "levels": AdminUnit.Level.choices,
        "structures": AdminUnit.Structure.choices,
    }
    template = "geo/_unit_rows.html" if request.htmx else "geo/unit_list.html"
    return render(request, template, context)


def _unit_or_404(structure, level, code) -> AdminUnit:
    try:
        return selectors.unit_get(structure=structure, level=level, code=code)
    except AdminUnit.DoesNotExist:
        raise Http404 from None


@login_required
def unit_detail(request, structure, level, code):
    unit = _unit_or_404(structure, level, code)
    context = {
        "unit": unit,
        "children": paginate(request, selectors.unit_children(unit=unit), per_page=200),
        "successors": selectors.unit_successors(unit=unit) if unit.structure == "legacy" else [],
        "predecessors": selectors.unit_predecessors(unit=unit) if unit.structure == "current" else [],
        "classification": selectors.classification_of(unit=unit),
        "agencies": unit.agencies.order_by("sort_key"),
    }
    if unit.structure == "current" and unit.level == "commune":
        context["villages"] = selectors.village_list_for_user(user=request.user, commune=unit)
        context["can_change_villages"] = allows(request.user, VILLAGES_CHANGE, unit)
        context["sections"] = render_sections("commune", request, unit)  # e.g. the channels (core/sections.py)
    return render(request, "geo/unit_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def village_create(request, code):
    commune = _unit_or_404("current", "commune", code)
    if not allows(request.user, VILLAGES_CHANGE, commune):
        raise Http404
    form = VillageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.village_create(user=request.user, commune=commune, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Village saved."))
            return redirect("unit-detail", structure="current", level="commune", code=code)
    return render(request, "geo/village_form.html", {"form": form, "commune": commune})


@login_required
@require_http_methods(["GET", "POST"])
def village_edit(request, pk):
    try:
        village = selectors.village_get_for_user(user=request.user, pk=pk)
    except Village.DoesNotExist:
        raise Http404 from None
    if not allows(request.user, VILLAGES_CHANGE, village):
        raise Http404
    form = VillageForm(request.POST or None, instance=Village.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.village_update(user=request.user, village=village, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Village saved."))
            return redirect("unit-detail", structure="current", level="commune", code=village.commune.code)
    return render(request, "geo/village_form.html", {"form": form, "commune": village.commune, "village": village})


@login_required
@require_POST
def village_delete(request, pk):
    try:
        village = selectors.village_get_for_user(user=request.user, pk=pk)
    except Village.DoesNotExist:
        raise Http404 from None
    if not allows(request.user, VILLAGES_CHANGE, village):
        raise Http404
    code = village.commune.code
    services.village_delete(user=request.user, village=village)
    messages.success(request, _("Village deleted."))
    return redirect("unit-detail", structure="current", level="commune", code=code)


@login_required
def village_list(request):
    query = request.GET.get("q", "")
    villages = selectors.village_list_for_user(user=request.user, query=query)
    return render(request, "geo/village_list.html", {"page": paginate(request, villages), "q": query})


@login_required
@require_http_methods(["GET", "POST"])
def village_import(request):
    if not request.user.has_capability(VILLAGES_IMPORT):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, result = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = importers.import_villages(upload, user=request.user, filename=upload.name)
        except ImportFailed as exc:
            errors = exc
    return render(
        request,
        "geo/village_import.html",
        {"form": form, "errors": errors, "result": result},
        status=422 if errors or (request.method == "POST" and not form.is_valid()) else 200,
    )
