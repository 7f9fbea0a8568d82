from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ketnoi.core.importing import ImportFailed
from ketnoi.core.roles import DATA_ENTER, PROGRAMMES_VIEW, REFERENCE_LOAD
from ketnoi.core.scoping import allows, require_capability, user_scope

from . import services
from .forms import ExportForm, ImportForm, MappingForm
from .mappings import MAX_CSV_BYTES as MAX_MAPPING_BYTES
from .mappings import mappings_import_csv
from .models import ComboMap, ElementMap, OrgUnitMap


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


@login_required
def export_file(request):
    require_capability(request.user, PROGRAMMES_VIEW)
    form = ExportForm(request.GET)
    if not form.is_valid():
        return render(request, "dhis2/page.html", _context(request, export_form=form), status=400)
    data = form.cleaned_data
    try:
        export = services.export_values(
            user=request.user,
            elements=_split(data["element"]),
            periods_=_split(data["period"]),
            units=_split(data["unit"]),
        )
    except ValidationError as exc:
        form.add_error("period", exc.messages)
        return render(request, "dhis2/page.html", _context(request, export_form=form), status=400)
    if data["format"] == "adx":
        response = HttpResponse(
            services.as_adx(export, data_set=services.default_data_set()), content_type="application/adx+xml"
        )
        name = "dataValueSets.adx"
    else:
        response = HttpResponse(services.as_json(export), content_type="application/json; charset=utf-8")
        name = "dataValueSets.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Ketnoi-Unmapped"] = str(export.unmapped)
    return response


def _context(request, **extra):
    context = {
        "export_form": ExportForm(initial={"format": "json"}),
        "import_form": ImportForm(),
        "can_import": not user_scope(request.user, DATA_ENTER).empty,
        "can_load_mappings": allows(request.user, REFERENCE_LOAD, None),
        "admin_enabled": settings.ADMIN_ENABLED,
        "mapping_form": MappingForm(),
        "mapping_counts": {
            "orgunits": OrgUnitMap.objects.count(),
            "elements": ElementMap.objects.count(),
            "combos": ComboMap.objects.count(),
        },
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def page(request):
    require_capability(request.user, PROGRAMMES_VIEW)
    if request.method == "GET":
        return render(request, "dhis2/page.html", _context(request))
    if "mapping_file" in request.FILES or request.POST.get("kind"):
        return _load_mapping(request)
    require_capability(request.user, DATA_ENTER)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "dhis2/page.html", _context(request, import_form=form), status=400)
    upload = form.cleaned_data["file"]
    if upload.size > services.max_bytes():
        form.add_error("file", str(services.max_bytes()))
        return render(request, "dhis2/page.html", _context(request, import_form=form), status=400)
    name = upload.name or "upload"
    content_type = "application/json" if name.lower().endswith(".json") else "application/adx+xml"
    try:
        summary = services.import_payload(
            user=request.user,
            data=upload.read(),
            content_type=content_type,
            filename=name,
            dry_run=form.cleaned_data["dry_run"],
        )
    except ImportFailed as exc:
        return render(
            request,
            "dhis2/page.html",
            _context(request, import_form=form, errors=[str(e) for e in exc.errors], total_errors=exc.total),
            status=422,
        )
    return render(
        request,
        "dhis2/page.html",
        _context(request, summary=summary, dry_run=form.cleaned_data["dry_run"]),
    )


def _load_mapping(request):
    if not allows(request.user, REFERENCE_LOAD, None):
        raise PermissionDenied(REFERENCE_LOAD)
    form = MappingForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "dhis2/page.html", _context(request, mapping_form=form), status=400)
    upload = form.cleaned_data["mapping_file"]
    try:
        count = mappings_import_csv(
            user=request.user,
            kind=form.cleaned_data["kind"],
            data=upload.read(MAX_MAPPING_BYTES + 1),
            filename=upload.name or "mapping.csv",
        )
    except ImportFailed as exc:
        return render(
            request,
            "dhis2/page.html",
            _context(request, mapping_errors=[str(e) for e in exc.errors]),
            status=422,
        )
    return render(request, "dhis2/page.html", _context(request, mapping_loaded=count))
