"""Termbase reads: term hits in a text, and the adapter the QA checks read terms through.

``hits(text=, source_lang=, target_lang=)`` finds the source-language terms in a text. Matching is
diacritic-aware for Vietnamese: the text and the terms are compared after NFC, modern tone-mark
placement ("Uỷ ban" = "Ủy ban") and lower-casing, but "bo truong" does not match "Bộ trưởng".
Positions (start, end) index the text as it was given, even when it was in decomposed Unicode or
old-style tone marks.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Count, Max
from underthesea.pipeline.text_normalize import token_normalize

from ketnoi.core.text import normalize_text

from .languages import language_for
from .models import Term

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class TermEntry:
    text: str
    language: str  # BCP 47 tag
    status: str  # preferred | admitted | forbidden | do_not_translate
    concept_id: int
    domain: str = ""  # the concept's domain (title, agency, document_type…)


@dataclass(frozen=True)
class TermHit:
    start: int  # into the text as given
    end: int
    text: str  # the text's own spelling of the term
    term: str  # the termbase's spelling
    status: str  # status of the source term
    concept_id: int
    targets: list[TermEntry] = field(default_factory=list)  # target-language terms of the concept


def match_key(text: str) -> str:
    """The form terms are matched in: NFC, modern tone marks, lower case, single spaces."""
    return _SPACES.sub(" ", normalize_text(text)).strip().lower()


def _normalised_with_offsets(text: str) -> tuple[str, str, list[tuple[int, int]]]:
    """The text in match form (cased, and lower case), and for each character the span of the original."""
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        for ch in unicodedata.normalize("NFC", text[i:j]):
            chars.append(ch)
            spans.append((i, j))
        i = j
    nfc = "".join(chars)
    for m in _WORD.finditer(nfc):
        word = unicodedata.normalize("NFC", token_normalize(m.group()))
        if len(word) == len(m.group()):  # tone marks moved within the word: same characters count
            chars[m.start() : m.end()] = list(word)
    lowered = [c.lower() if len(c.lower()) == 1 else c for c in chars]
    return "".join(chars), "".join(lowered), spans


def _case_sensitive(text: str) -> bool:
    """A one-word term with capitals (a name or a symbol: "Hoa", "Mán", "QĐ") matches only in that case."""
    return " " not in text.strip() and any(c.isupper() for c in text)


def _pattern(keys) -> re.Pattern | None:
    keys = sorted(keys, key=len, reverse=True)  # longest first: "phó chủ nhiệm" before "chủ nhiệm"
    if not keys:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(w) for w in key.split(" ")) for key in keys)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


class _Matcher:
    def __init__(self, terms: list[tuple[str, str, str, int]]):
        # terms: (match_key, text, status, concept_id)
        self.folded: dict[str, list[tuple[str, str, int]]] = {}
        self.cased: dict[str, list[tuple[str, str, int]]] = {}
        for key, text, status, concept_id in terms:
            if _case_sensitive(text):
                cased_key = _SPACES.sub(" ", normalize_text(text)).strip()
                self.cased.setdefault(cased_key, []).append((text, status, concept_id))
            else:
                self.folded.setdefault(key, []).append((text, status, concept_id))
        self.folded_pattern = _pattern(self.folded)
        self.cased_pattern = _pattern(self.cased)

    def find(self, cased: str, lowered: str) -> list[tuple[int, int, str, str, int]]:
        """(start, end, term, status, concept_id) in the normalised text; overlaps resolved longest first."""
        found = []
        for pattern, text, table in (
            (self.folded_pattern, lowered, self.folded),
            (self.cased_pattern, cased, self.cased),
        ):
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                for term_text, status, concept_id in table.get(_SPACES.sub(" ", m.group()), []):
                    found.append((m.start(), m.end(), term_text, status, concept_id))
        found.sort(key=lambda hit: (hit[0], -(hit[1] - hit[0])))
        kept, taken_until, last_span = [], -1, None
        for hit in found:
            if (hit[0], hit[1]) == last_span or hit[0] >= taken_until:
                kept.append(hit)
                taken_until = max(taken_until, hit[1])
                last_span = (hit[0], hit[1])
        return kept


_cache: dict[int, tuple[tuple, _Matcher]] = {}
_lock = threading.Lock()


def _matcher(language_id: int) -> _Matcher:
    terms = Term.objects.filter(language_id=language_id)
    stamp = tuple(terms.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id")).values())
    with _lock:
        cached = _cache.get(language_id)
        if cached and cached[0] == stamp:
            return cached[1]
    matcher = _Matcher(list(terms.values_list("match_key", "text", "status", "concept_id")))
    with _lock:
        _cache[language_id] = (stamp, matcher)
    return matcher


STATUS_RANK = {"preferred": 0, "admitted": 1, "do_not_translate": 2, "forbidden": 3}


def hits(*, text: str, source_lang: str, target_lang: str) -> list[TermHit]:
    """Source-language terms found in ``text``, in text order, each with its target-language terms."""
    source = language_for(source_lang, field="source_lang")
    target = language_for(target_lang, field="target_lang")
    if not text:
        return []
    cased, lowered, spans = _normalised_with_offsets(text)
    found = [
        (spans[start][0], spans[end - 1][1], term_text, status, concept_id)
        for start, end, term_text, status, concept_id in _matcher(source.pk).find(cased, lowered)
    ]
    concept_ids = {concept_id for *_rest, concept_id in found}
    equivalents: dict[int, list[TermEntry]] = {}
    targets = Term.objects.filter(concept_id__in=concept_ids, language=target)
    for term in sorted(targets, key=lambda t: (STATUS_RANK.get(t.status, 9), t.text)):
        equivalents.setdefault(term.concept_id, []).append(
            TermEntry(text=term.text, language=target.bcp47, status=term.status, concept_id=term.concept_id)
        )
    return [
        TermHit(
            start=start,
            end=end,
            text=text[start:end],
            term=term_text,
            status=status,
            concept_id=concept_id,
            targets=equivalents.get(concept_id, []),
        )
        for start, end, term_text, status, concept_id in found
    ]


class TermbaseAdapter:
    """The termbase as the QA package reads it (ketnoi.translation.qa asks for nothing more)."""

    def terms_for(self, lang: str) -> list[TermEntry]:
        language = language_for(lang)
        return [
            TermEntry(text=text, language=language.bcp47, status=status, concept_id=concept_id, domain=domain)
            for text, status, concept_id, domain in Term.objects.filter(language=language)
            .order_by("concept_id", "text")
            .values_list("text", "status", "concept_id", "concept__domain")
        ]

    def equivalents(self, concept_id: int, lang: str) -> list[TermEntry]:
        language = language_for(lang)
        entries = [
            TermEntry(text=text, language=language.bcp47, status=status, concept_id=concept_id, domain=domain)
            for text, status, domain in Term.objects.filter(concept_id=concept_id, language=language).values_list(
                "text", "status", "concept__domain"
            )
        ]
        return sorted(entries, key=lambda e: (STATUS_RANK.get(e.status, 9), e.text))


def qa_snapshot():
    """The whole termbase read once into the QA package's in-memory termbase (concept codes as concept
    identifiers, with their domains): what ``ketnoi qa`` uses when a database is configured."""
    from .qa.termbase import SimpleTermbase

    snapshot = SimpleTermbase()
    rows = Term.objects.order_by("concept__code", "language__bcp47", "text").values_list(
        "concept__code", "concept__domain", "language__bcp47", "text", "status"
    )
    for code, domain, language, text, status in rows:
        snapshot.add(code, language, text, status, domain)
    return snapshot
