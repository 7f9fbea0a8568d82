"""Finding termbase terms in a text: longest match wins, Thai matched as substrings (no spaces
between Thai words), alphabetic scripts matched on word boundaries, case-insensitively — except that a
term written with a capital (a name: "Bộ", "Quốc hội") needs that capital ("toàn bộ" is not "Bộ")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .base import Termbase, TermEntry, as_term_entry

NO_SPACE_LANGS = {"th", "lo", "km", "my", "zh", "ja"}


@dataclass(frozen=True)
class TermHit:
    start: int
    end: int
    entry: TermEntry


class TermIndex:
    """All terms of one language of a termbase, compiled into one regular expression."""

    def __init__(self, termbase: Termbase | None, lang: str):
        self.lang = lang
        self.entries: list[TermEntry] = (
            [as_term_entry(e) for e in termbase.terms_for(lang)] if termbase is not None else []
        )
        self._by_text: dict[str, list[TermEntry]] = {}
        for entry in self.entries:
            self._by_text.setdefault(entry.text.casefold(), []).append(entry)
        texts = sorted(self._by_text, key=len, reverse=True)
        if not texts:
            self._regex = None
            return
        alternatives = "|".join(re.escape(t) for t in texts)
        if lang in NO_SPACE_LANGS:
            self._regex = re.compile(f"(?:{alternatives})", re.IGNORECASE)
        else:
            self._regex = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def hits(self, text: str, start: int = 0, end: int | None = None) -> list[TermHit]:
        """Non-overlapping occurrences, longest first at each position; one hit per entry sharing the text."""
        if self._regex is None:
            return []
        out = []
        for m in self._regex.finditer(text, start, len(text) if end is None else end):
            found = m.group()
            for entry in self._by_text[found.casefold()]:
                if self.lang not in NO_SPACE_LANGS and entry.text[:1].isupper() and found[:1] != entry.text[:1]:
                    continue
                out.append(TermHit(m.start(), m.end(), entry))
        return out

    def concepts_in(self, text: str, start: int = 0, end: int | None = None) -> dict[str, list[TermHit]]:
        found: dict[str, list[TermHit]] = {}
        for hit in self.hits(text, start, end):
            found.setdefault(hit.entry.concept, []).append(hit)
        return found
