"""Termbase compliance and consistency of terminology."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ..base import Check, register
from ..text import fold


def _preferred(ctx, concept: str) -> list[str]:
    return [e.text for e in ctx.termbase.equivalents(concept, ctx.lang) if e.status == "preferred"]


def _variant_pattern(term: str) -> re.Pattern:
    """Matches ``term`` with any letter swapped for a look-alike or a letter with other diacritics (Đ/D/Ð)."""
    parts = []
    for ch in term:
        if ch.isalpha() and not "\u0e00" <= ch <= "\u0e7f":
            base = fold(ch)
            options = {ch, ch.lower(), ch.upper(), base, base.upper()}
            if base == "d":
                options |= {"đ", "Đ", "Ð"}
            alternatives = "|".join(re.escape(o) for o in sorted(options, key=len, reverse=True))
            parts.append(f"(?:{alternatives})[\u0300-\u036f]*")
        else:
            parts.append(re.escape(ch))
    return re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)", re.IGNORECASE)


@register
class TerminologyCheck(Check):
    id = "terminology"
    name = "Termbase compliance"
    severity = "warning"
    blocking = True
    description = (
        "With a termbase: forbidden terms are errors (blocking); admitted terms where the concept has a preferred "
        "one are warnings; do-not-translate terms must be kept exactly (a variant with other diacritics or case "
        "is an error); in bilingual mode each termbase term of a source paragraph must be rendered by one of "
        "its preferred or admitted equivalents in the aligned translation."
    )

    def run(self, ctx):
        index = ctx.term_index
        if index is None:
            return
        for hit in index.hits(ctx.target):
            entry = hit.entry
            if entry.status == "forbidden":
                better = _preferred(ctx, entry.concept)
                advice = f"; use {' / '.join(better)}" if better else ""
                yield self.finding(ctx, hit.start, hit.end, f"forbidden term{advice}", severity="error")
            elif entry.status == "admitted":
                better = _preferred(ctx, entry.concept)
                if better:
                    message = f"admitted term; the preferred term is {' / '.join(better)}"
                    yield self.finding(ctx, hit.start, hit.end, message)
        for entry in index.entries:
            if entry.status != "do_not_translate":
                continue
            for m in _variant_pattern(entry.text).finditer(ctx.target):
                if unicodedata.normalize("NFC", m.group()) != unicodedata.normalize("NFC", entry.text):
                    yield self.finding(
                        ctx, m.start(), m.end(), f"do-not-translate term altered: write {entry.text}", severity="error"
                    )
        if ctx.bilingual and ctx.source_term_index is not None:
            yield from self._bilingual(ctx)

    def _bilingual(self, ctx):
        for sources, targets in ctx.alignment:
            if not sources or not targets:
                continue
            s0, s1, t0, t1 = sources[0].start, sources[-1].end, targets[0].start, targets[-1].end
            target_concepts = ctx.term_index.concepts_in(ctx.target, t0, t1)
            target_text = ctx.target[t0:t1]
            seen = set()
            for hit in ctx.source_term_index.hits(ctx.source, s0, s1):
                entry = hit.entry
                if entry.status == "forbidden" or (entry.concept, entry.text) in seen:
                    continue
                seen.add((entry.concept, entry.text))
                if entry.status == "do_not_translate":
                    if entry.text not in target_text:
                        message = f"do-not-translate term {entry.text} of the source is not kept"
                        yield self.finding(ctx, t0, t1, message, severity="error")
                    continue
                candidates = ctx.termbase.equivalents(entry.concept, ctx.lang)
                equivalents = [e.text for e in candidates if e.status in ("preferred", "admitted")]
                used = [h for h in target_concepts.get(entry.concept, []) if h.entry.status != "forbidden"]
                if equivalents and not used:
                    message = f"source term {entry.text!r} is not rendered with the termbase: {' / '.join(equivalents)}"
                    yield self.finding(ctx, t0, t1, message)


@register
class ConsistencyCheck(Check):
    id = "consistency"
    name = "Consistent terminology"
    severity = "warning"
    description = (
        "A concept of the termbase is rendered one way through the text: when its preferred and admitted terms "
        "(or several admitted ones) are mixed, the ones differing from the preferred (else the most frequent) "
        "are reported. Bilingual mode also reports identical source paragraphs translated differently."
    )

    def run(self, ctx):
        if ctx.term_index is not None:
            by_concept: dict[str, list] = {}
            for hit in ctx.term_index.hits(ctx.target):
                if hit.entry.status in ("preferred", "admitted"):
                    by_concept.setdefault(hit.entry.concept, []).append(hit)
            for concept, hits in by_concept.items():
                texts = Counter(ctx.target[h.start : h.end].casefold() for h in hits)
                if len(texts) < 2:
                    continue
                preferred = {t.casefold() for t in _preferred(ctx, concept)} & set(texts)
                expected = next(iter(preferred)) if preferred else texts.most_common(1)[0][0]
                summary = ", ".join(f"{t!r} ×{n}" for t, n in texts.most_common())
                for hit in hits:
                    if ctx.target[hit.start : hit.end].casefold() != expected:
                        message = f"'{concept}' is rendered {len(texts)} ways ({summary}); use {expected!r}"
                        yield self.finding(ctx, hit.start, hit.end, message)
        if ctx.bilingual:
            seen: dict[str, tuple[str, int]] = {}
            for sources, targets in ctx.alignment:
                if len(sources) != 1 or len(targets) != 1:
                    continue
                key = " ".join(sources[0].text.split())
                rendering = " ".join(targets[0].text.split())
                if len(key) < 20:
                    continue
                if key in seen and seen[key][0] != rendering:
                    yield self.finding(
                        ctx,
                        targets[0].start,
                        targets[0].end,
                        "the same source paragraph is translated differently elsewhere in this text",
                    )
                seen.setdefault(key, (rendering, targets[0].start))
