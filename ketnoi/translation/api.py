"""API of the termbase and the translation memory (mounted at /api/v1/)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from ninja import File, Form, Router, UploadedFile
from ninja.pagination import paginate

from ketnoi.core.api import Page

from . import interchange, selectors, termbase
from .schemas import ConceptOut, ImportOut, SuggestionOut, TermHitOut, TermOut

router = Router(tags=["translation"])


def _require_manager(user):
    if not selectors.can_manage(user):
        raise PermissionDenied("programmes.manage")


@router.get("/termbase", response=list[TermOut])
@paginate(Page)
def search_terms(request, q: str = "", lang: str = "", domain: str = ""):
    """Search terms; `q` ignores diacritics ("bo truong" finds "Bộ trưởng")."""
    return selectors.term_search(user=request.user, query=q, language=lang, domain=domain)


@router.get("/termbase/concepts/{int:concept_id}", response=ConceptOut)
def get_concept(request, concept_id: int):
    return selectors.concept_get(user=request.user, pk=concept_id)


@router.get("/termbase/hits", response=list[TermHitOut])
def term_hits(request, text: str, src: str, tgt: str):
    """Source-language terms found in `text` (positions into `text`), with their target-language terms."""
    selectors.require_reader(request.user)
    return termbase.hits(text=text, source_lang=src, target_lang=tgt)


@router.get("/termbase/export")
def export_termbase(request):
    """The termbase as TBX-Basic (TBX v3, ISO 30042:2019)."""
    selectors.require_reader(request.user)
    response = HttpResponse(interchange.tbx_export(), content_type="application/x-tbx+xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ketnoi-termbase.tbx"'
    return response


@router.post("/termbase/import", response=ImportOut)
def import_termbase(request, file: UploadedFile = File(...)):
    """Upload a TBX file; all of it is written, or nothing (programmes.manage, whole country)."""
    _require_manager(request.user)
    return interchange.tbx_import(file, user=request.user, filename=file.name)


@router.get("/tm/suggest", response=list[SuggestionOut])
def suggest(request, source: str, src: str, tgt: str, programme: str = "", limit: int = 5, min_score: int = 60):
    """Top matches from the translation memory: exact (100) first, then fuzzy."""
    return selectors.memory_suggest(
        user=request.user,
        source_text=source,
        source_lang=src,
        target_lang=tgt,
        programme=programme or None,
        limit=limit,
        min_score=min_score,
    )


@router.get("/tm/export")
def export_memory(request, src: str = "", tgt: str = "", programme: str = ""):
    """The memory (optionally one pair / one programme) as TMX 1.4b."""
    selectors.require_reader(request.user)
    data = interchange.tmx_export(source_lang=src or None, target_lang=tgt or None, programme=programme or None)
    response = HttpResponse(data, content_type="application/x-tmx+xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ketnoi-memory.tmx"'
    return response


@router.post("/tm/import", response=ImportOut)
def import_memory(request, file: UploadedFile = File(...), programme: str = Form("")):
    """Upload a TMX file into the shared memory or a programme's; all of it is written, or nothing."""
    _require_manager(request.user)
    return interchange.tmx_import(file, user=request.user, programme=programme or None, filename=file.name)
