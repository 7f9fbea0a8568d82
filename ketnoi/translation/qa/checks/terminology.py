"""Termbase compliance and consistency of terminology."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ..base import Check, register
from ..i18n import gettext as _
from ..text import fold, overlaps


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


# Domains of concepts that name one thing each (a rank, a body, a kind of document): a term of another
# concept of the same domain where the source has this one is a substitution, not a paraphrase.
NAMING_DOMAINS = frozenset({"title", "agency", "document_type"})


def _source_text(ctx, concept) -> str:
    terms = ctx.termbase.equivalents(concept, ctx.src_lang) if ctx.src_lang else []
    return next((e.text for e in terms if e.status == "preferred"), terms[0].text if terms else str(concept))


@register
class TerminologyCheck(Check):
    id = "terminology"
    name = "Termbase compliance"
    severity = "warning"
    blocking = True
    description = (
        "With a termbase: forbidden terms are errors (blocking); do-not-translate terms must be kept exactly (a "
        "variant with other diacritics or case is an error; document symbols and URLs are left to their own "
        "checks); in bilingual mode each termbase term of a source paragraph must be rendered by one of its "
        "preferred or admitted equivalents (or those of a concept inside it) in the aligned translation, and a "
        "title, agency or document type of another concept where the source has this one is reported where it "
        "stands. Admitted terms where a preferred one exists are reported only with the option 'admitted': true."
    )

    def run(self, ctx):
        index = ctx.term_index
        if index is None:
            return
        report_admitted = ctx.option(self.id, "admitted", False)
        for hit in index.hits(ctx.target):
            entry = hit.entry
            if entry.status == "forbidden":
                better = _preferred(ctx, entry.concept)
                if better:
                    message = _("forbidden rendering; use %(preferred)s") % {"preferred": " / ".join(better)}
                else:
                    message = _("forbidden rendering")
                yield self.finding(ctx, hit.start, hit.end, message, severity="error")
            elif entry.status == "admitted" and report_admitted:
                better = _preferred(ctx, entry.concept)
                if better:
                    message = _("admitted term; the preferred term is %(preferred)s") % {
                        "preferred": " / ".join(better)
                    }
                    yield self.finding(ctx, hit.start, hit.end, message, severity="info")
        for entry in index.entries:
            if entry.status != "do_not_translate":
                continue
            for m in _variant_pattern(entry.text).finditer(ctx.target):
                if overlaps(ctx.protected, m.start(), m.end()):
                    continue  # inside a document symbol or URL: the doc_symbol / urls checks say it once
                if unicodedata.normalize("NFC", m.group()) != unicodedata.normalize("NFC", entry.text):
                    message = _("do-not-translate term altered: write %(term)s") % {"term": entry.text}
                    yield self.finding(ctx, m.start(), m.end(), message, severity="error")
        if ctx.bilingual and ctx.source_term_index is not None:
            yield from self._bilingual(ctx)

    def _accepted(self, ctx, entry) -> set:
        """The concept of a source term and the concepts whose source terms are inside it
        ("đồng bào dân tộc thiểu số" may be rendered as the translation of "dân tộc thiểu số")."""
        concepts = {entry.concept}
        if getattr(entry, "domain", "") in NAMING_DOMAINS:
            return concepts  # "Phó Thủ tướng" holds "Thủ tướng", but a deputy is not the prime minister
        for hit in ctx.source_term_index.hits(entry.text):
            concepts.add(hit.entry.concept)
        for other in ctx.source_term_index.entries:
            if other.concept not in concepts and len(other.text) >= 4 and len(other.text) < len(entry.text):
                if re.search(rf"(?<!\w){re.escape(other.text)}(?!\w)", entry.text, re.IGNORECASE):
                    concepts.add(other.concept)
        return concepts

    def _bilingual(self, ctx):
        for sources, targets in ctx.alignment:
            if not sources or not targets:
                continue
            s0, s1, t0, t1 = sources[0].start, sources[-1].end, targets[0].start, targets[-1].end
            target_hits = ctx.term_index.hits(ctx.target, t0, t1)
            target_concepts: dict = {}
            for hit in target_hits:
                target_concepts.setdefault(hit.entry.concept, []).append(hit)
            target_text = ctx.target[t0:t1]
            seen = set()
            source_concepts = set()
            unrendered = []  # (source entry, its equivalents) not rendered in this paragraph
            for hit in ctx.source_term_index.hits(ctx.source, s0, s1):
                if overlaps(ctx.source_protected, hit.start, hit.end):
                    continue  # "UBND" inside 45/QĐ-UBND is part of a symbol, not a term of the sentence
                entry = hit.entry
                source_concepts |= self._accepted(ctx, entry)
                if entry.status == "forbidden" or (entry.concept, entry.text) in seen:
                    continue
                seen.add((entry.concept, entry.text))
                if entry.status == "do_not_translate":
                    if entry.text not in target_text:
                        message = _("do-not-translate term %(term)s of the source is not kept") % {"term": entry.text}
                        yield self.finding(ctx, t0, t1, message, severity="error")
                    continue
                candidates = ctx.termbase.equivalents(entry.concept, ctx.lang)
                equivalents = [e.text for e in candidates if e.status in ("preferred", "admitted")]
                if not equivalents:
                    continue
                accepted = self._accepted(ctx, entry)
                hits = [h for c in accepted for h in target_concepts.get(c, [])]
                if any(h.entry.status != "forbidden" for h in hits):
                    continue
                if any(h.entry.status == "forbidden" for h in hits):
                    continue  # the forbidden rendering is reported where it stands, with the term to use
                unrendered.append((entry, equivalents))
            substituted = set()
            for entry, equivalents in unrendered:
                domain = getattr(entry, "domain", "")
                if domain in NAMING_DOMAINS:
                    others = [
                        h
                        for h in target_hits
                        if h.entry.domain == domain
                        and h.entry.concept not in source_concepts
                        and h.entry.status != "forbidden"
                        and (h.start, h.end) not in substituted
                    ]
                    if others:
                        other = others[0]
                        substituted.add((other.start, other.end))
                        message = _("%(found)s means %(meaning)s, but the source has %(source)s: %(expected)s") % {
                            "found": ctx.target[other.start : other.end],
                            "meaning": _source_text(ctx, other.entry.concept),
                            "source": entry.text,
                            "expected": " / ".join(equivalents),
                        }
                        yield self.finding(ctx, other.start, other.end, message)
                        continue
                message = _("source term %(term)s is not rendered with the termbase: %(expected)s") % {
                    "term": repr(entry.text),
                    "expected": " / ".join(equivalents),
                }
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
                        message = _("%(concept)s is rendered %(count)s ways (%(forms)s); use %(term)s") % {
                            "concept": repr(str(concept)),
                            "count": len(texts),
                            "forms": summary,
                            "term": repr(expected),
                        }
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
                        _("the same source paragraph is translated differently elsewhere in this text"),
                    )
                seen.setdefault(key, (rendering, targets[0].start))
