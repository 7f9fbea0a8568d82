"""Reads of the termbase and the translation memory.

Both are shared across areas (like programmes): any official holding ``programmes.view`` anywhere
may read them; nothing here belongs to a province or commune.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from ketnoi.core.roles import PROGRAMMES_MANAGE, PROGRAMMES_VIEW
from ketnoi.core.scoping import allows, require_capability
from ketnoi.core.text import fold

from .models import Concept, Term


def require_reader(user) -> None:
    require_capability(user, PROGRAMMES_VIEW)


def can_manage(user) -> bool:
    """Imports and termbase edits: programmes.manage over the whole country."""
    return allows(user, PROGRAMMES_MANAGE, None)


def term_search(*, user, query: str = "", language: str = "", domain: str = "") -> QuerySet[Term]:
    """Terms whose text contains every word of ``query``, ignoring diacritics ("bo truong" finds "Bộ trưởng")."""
    require_reader(user)
    terms = Term.objects.select_related("concept", "language")
    for word in fold(query).split():
        terms = terms.filter(search_key__contains=word)
    if language:
        terms = terms.filter(language__bcp47__iexact=language)
    if domain:
        terms = terms.filter(concept__domain=domain)
    return terms.order_by("search_key", "id")


def concept_get(*, user, pk: int) -> Concept:
    require_reader(user)
    return Concept.objects.prefetch_related(
        Prefetch(
            "terms", queryset=Term.objects.select_related("language").order_by("language__bcp47", "status", "text")
        )
    ).get(pk=pk)


def domain_list() -> list[str]:
    return list(Concept.objects.exclude(domain="").order_by("domain").values_list("domain", flat=True).distinct())


def memory_programmes(*, user):
    """The programme memories ``user`` may read besides the shared one: those of the programmes the
    user's organisation (agency) is a party to. Issue 7.3: suggestions come from all of them."""
    from ketnoi.programmes.models import Programme

    agency_id = getattr(user, "agency_id", None)
    if agency_id is None:
        return Programme.objects.none()
    return Programme.objects.filter(parties__agency_id=agency_id).distinct().order_by("code")


def memory_suggest(*, user, source_text: str, source_lang: str, target_lang: str, programme=None, **options):
    """``memory.suggest`` over every memory ``user`` may read (shared, ``programme``, the organisation's
    programmes), for an article linked to a task or not; each suggestion names its memory
    (``scope``, ``scope_name``)."""
    from . import memory

    require_reader(user)
    return memory.suggest(
        source_text=source_text,
        source_lang=source_lang,
        target_lang=target_lang,
        programme=programme,
        programmes=list(memory_programmes(user=user)),
        **options,
    )
