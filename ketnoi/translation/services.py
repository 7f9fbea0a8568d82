"""Writes of the termbase (the translation memory writes are ketnoi.translation.memory.add / bulk_add).

Who may write: importing TMX or TBX files and editing the termbase need ``programmes.manage`` over
the whole country (no capability of its own exists yet; see docs/translation-memory.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ketnoi.core.roles import PROGRAMMES_MANAGE
from ketnoi.core.scoping import require
from ketnoi.core.text import fold, normalize_text
from ketnoi.people.models import Language

from .models import Concept, Term
from .termbase import match_key

STATUS_ALIASES = {
    "preferred": Term.Status.PREFERRED,
    "admitted": Term.Status.ADMITTED,
    "forbidden": Term.Status.FORBIDDEN,
    "do_not_translate": Term.Status.DO_NOT_TRANSLATE,
    "do-not-translate": Term.Status.DO_NOT_TRANSLATE,
    "dnt": Term.Status.DO_NOT_TRANSLATE,
}


def require_termbase_manager(user) -> None:
    require(user, PROGRAMMES_MANAGE, None)


def clean_status(value: str) -> str:
    status = STATUS_ALIASES.get((value or "preferred").strip().lower().replace(" ", "_"))
    if status is None:
        raise ValidationError(
            {
                "status": _("unknown term status %(status)s; use preferred, admitted, forbidden or do_not_translate")
                % {"status": repr(value)}
            }
        )
    return status


def clean_term_text(value: str) -> str:
    text = " ".join(normalize_text(value or "").split())
    if not text:
        raise ValidationError({"text": _("the term is empty")})
    if len(text) > 300:
        raise ValidationError({"text": _("the term is longer than 300 characters")})
    return text


def concept_code(value: str) -> str:
    code = slugify(fold(value or ""))[:80]
    if not code:
        raise ValidationError({"concept": _("the concept has no usable identifier: %(id)s") % {"id": repr(value)}})
    return code


@dataclass
class TermbaseWrite:
    concepts_created: int = 0
    concepts_updated: int = 0
    terms_created: int = 0
    terms_updated: int = 0
    terms_unchanged: int = 0


def termbase_write(concepts: list[dict], *, result: TermbaseWrite | None = None) -> TermbaseWrite:
    """Upsert concepts and their terms, keyed by concept code and (concept, language, term).

    Each concept: {code, domain, subject, definition, note, terms: [{language: Language, text,
    status, part_of_speech, note}]}. Values are already validated. Runs in the caller's transaction.
    Concept fields and term attributes given as empty strings leave existing values alone.

    Existing concepts and terms are read in two queries; new ones are inserted with one
    ``bulk_create`` each (the caller suppresses per-row audit entries), changed ones saved one by one.
    """
    result = result or TermbaseWrite()
    existing = {c.code: c for c in Concept.objects.filter(code__in=[c["code"] for c in concepts])}
    terms: dict[tuple[str, int, str], Term] = {}
    for term in Term.objects.filter(concept__in=list(existing.values())).select_related("concept"):
        terms[(term.concept.code, term.language_id, term.match_key)] = term
    new_concepts: dict[str, Concept] = {}
    new_terms: list[Term] = []
    changed_concepts: dict[str, Concept] = {}
    changed_terms: dict[int, Term] = {}
    for data in concepts:
        code = data["code"]
        concept = existing.get(code)
        fields = {k: normalize_text(data.get(k) or "").strip() for k in ("domain", "subject", "definition", "note")}
        if concept is None:
            concept = Concept(code=code, **fields)
            existing[code] = new_concepts[code] = concept
            result.concepts_created += 1
        else:
            changed = {k: v for k, v in fields.items() if v and getattr(concept, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(concept, k, v)
                if code not in new_concepts:
                    changed_concepts[code] = concept
                result.concepts_updated += 1
        for item in data.get("terms", []):
            language: Language = item["language"]
            text = item["text"]
            key = (code, language.pk, match_key(text))
            term = terms.get(key)
            values = {
                "text": text,
                "status": item.get("status") or Term.Status.PREFERRED,
                "part_of_speech": (item.get("part_of_speech") or "").strip()[:20],
                "note": normalize_text(item.get("note") or "").strip(),
            }
            if term is None:
                term = Term(concept=concept, language=language, match_key=key[2], search_key=fold(text), **values)
                terms[key] = term
                new_terms.append(term)
                result.terms_created += 1
                continue
            changed = {k: v for k, v in values.items() if getattr(term, k) != v and (v or k == "status")}
            if changed:
                for k, v in changed.items():
                    setattr(term, k, v)
                term.search_key = fold(term.text)
                if term.pk is not None:
                    changed_terms[term.pk] = term
                result.terms_updated += 1
            else:
                result.terms_unchanged += 1
    Concept.objects.bulk_create(new_concepts.values())
    for concept in changed_concepts.values():
        concept.save()
    Term.objects.bulk_create(new_terms)  # takes concept_id from the concepts just created
    for term in changed_terms.values():
        term.save()
    return result


def term_create(*, user, concept: Concept, language: Language, text: str, status: str = "preferred", **extra) -> Term:
    """Add one term to a concept (termbase managers only)."""
    require_termbase_manager(user)
    text = clean_term_text(text)
    status = clean_status(status)
    with transaction.atomic():
        if Term.objects.filter(concept=concept, language=language, match_key=match_key(text)).exists():
            raise ValidationError({"text": _("the concept already has this term in this language")})
        return Term.objects.create(
            concept=concept,
            language=language,
            text=text,
            status=status,
            part_of_speech=(extra.get("part_of_speech") or "")[:20],
            note=normalize_text(extra.get("note") or ""),
            match_key=match_key(text),
            search_key=fold(text),
        )
