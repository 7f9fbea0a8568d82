from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ketnoi.core.importing import ImportFailed
from ketnoi.core.paging import paginate
from ketnoi.people.models import Language
from ketnoi.programmes.models import Programme

from . import interchange, selectors
from .forms import TbxImportForm, TmxImportForm
from .models import Concept, TMEntry


@login_required
def termbase_search(request):
    query = request.GET.get("q", "")
    language = request.GET.get("lang", "")
    domain = request.GET.get("domain", "")
    terms = selectors.term_search(user=request.user, query=query, language=language, domain=domain)
    context = {
        "page": paginate(request, terms),
        "q": query,
        "lang": language,
        "domain": domain,
        "domains": selectors.domain_list(),
        "languages": Language.objects.filter(bcp47__in=["vi", "en", "th"]).order_by("bcp47"),
        "can_manage": selectors.can_manage(request.user),
    }
    return render(request, "translation/termbase_search.html", context)


@login_required
def concept_detail(request, pk):
    try:
        concept = selectors.concept_get(user=request.user, pk=pk)
    except Concept.DoesNotExist:
        raise Http404 from None
    return render(request, "translation/concept_detail.html", {"concept": concept})


@login_required
def tm_search(request):
    selectors.require_reader(request.user)
    source = request.GET.get("source", "")
    src = request.GET.get("src", "vi")
    tgt = request.GET.get("tgt", "th")
    programme = request.GET.get("programme", "")
    suggestions, error = [], None
    if source.strip():
        try:
            suggestions = selectors.memory_suggest(
                user=request.user,
                source_text=source,
                source_lang=src,
                target_lang=tgt,
                programme=programme or None,
                limit=20,
                min_score=40,
            )
        except ValidationError as exc:
            error = "; ".join(exc.messages)
    context = {
        "source": source,
        "src": src,
        "tgt": tgt,
        "programme": programme,
        "programmes": Programme.objects.order_by("code"),
        "suggestions": suggestions,
        "error": error,
        "entry_count": TMEntry.objects.count(),
        "can_manage": selectors.can_manage(request.user),
    }
    return render(request, "translation/tm_search.html", context, status=422 if error else 200)


def _require_manager(user):
    if not selectors.can_manage(user):
        raise PermissionDenied("programmes.manage")


@login_required
@require_http_methods(["GET", "POST"])
def tm_import(request):
    _require_manager(request.user)
    form = TmxImportForm(request.POST or None, request.FILES or None)
    errors, result = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = interchange.tmx_import(
                upload, user=request.user, programme=form.cleaned_data["programme"], filename=upload.name
            )
        except ImportFailed as exc:
            errors = exc
    status = 422 if errors or (request.method == "POST" and not form.is_valid()) else 200
    return render(
        request,
        "translation/import.html",
        {"form": form, "errors": errors, "result": result, "kind": "tmx"},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def tbx_import(request):
    _require_manager(request.user)
    form = TbxImportForm(request.POST or None, request.FILES or None)
    errors, result = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = interchange.tbx_import(upload, user=request.user, filename=upload.name)
        except ImportFailed as exc:
            errors = exc
    status = 422 if errors or (request.method == "POST" and not form.is_valid()) else 200
    return render(
        request,
        "translation/import.html",
        {"form": form, "errors": errors, "result": result, "kind": "tbx"},
        status=status,
    )


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def tm_export(request):
    selectors.require_reader(request.user)
    try:
        data = interchange.tmx_export(
            source_lang=request.GET.get("src") or None,
            target_lang=request.GET.get("tgt") or None,
            programme=request.GET.get("programme") or None,
        )
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=422, content_type="text/plain; charset=utf-8")
    return _download(data, "ketnoi-memory.tmx", "application/x-tmx+xml; charset=utf-8")


@login_required
def tbx_export(request):
    selectors.require_reader(request.user)
    return _download(interchange.tbx_export(), "ketnoi-termbase.tbx", "application/x-tbx+xml; charset=utf-8")
