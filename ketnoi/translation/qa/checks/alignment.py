"""Omissions and additions: length ratio of aligned paragraphs, paragraphs with no counterpart, cut-off text."""

from __future__ import annotations

import re

from ..base import Check, register
from ..i18n import gettext as _
from ..text import anchors


@register
class LengthRatioCheck(Check):
    id = "length_ratio"
    name = "Length of the translation"
    severity = "warning"
    needs_source = True
    description = (
        "Bilingual: an aligned paragraph whose length, compared with its source, differs from the text's overall "
        "ratio by more than a factor of 2 (option 'factor') — something left out or added. Paragraphs whose "
        "source is under 40 characters are not judged."
    )

    def run(self, ctx):
        if not ctx.bilingual:
            return
        factor = float(ctx.option(self.id, "factor", 2.0))
        total_s = sum(len(s.text) for group, _ in ctx.alignment for s in group) or 1
        total_t = sum(len(t.text) for _, group in ctx.alignment for t in group) or 1
        ratio = total_t / total_s
        for sources, targets in ctx.alignment:
            if not sources or not targets:
                continue
            ls = sum(len(s.text) for s in sources)
            lt = sum(len(t.text) for t in targets)
            if ls < 40:
                continue
            relative = lt / (ls * ratio)
            if relative > factor or relative < 1 / factor:
                if relative > 1:
                    template = _(
                        "%(ratio)s× the expected length (%(target)s characters for %(source)s in the source): "
                        "much longer than its source — text added?"
                    )
                else:
                    template = _(
                        "%(ratio)s× the expected length (%(target)s characters for %(source)s in the source): "
                        "much shorter than its source — text left out?"
                    )
                message = template % {"ratio": f"{relative:.1f}", "target": lt, "source": ls}
                yield self.finding(ctx, targets[0].start, targets[-1].end, message)


@register
class NoCounterpartCheck(Check):
    id = "no_counterpart"
    name = "Paragraph with no counterpart"
    severity = "error"
    blocking = True
    needs_source = True
    description = (
        "Bilingual: after aligning paragraphs, a source paragraph with no translation (omission, reported at the "
        "place it belongs, as an empty span) or a translated paragraph with no source (addition)."
    )

    def run(self, ctx):
        if not ctx.bilingual:
            return
        for sources, targets in ctx.alignment:
            if sources and not targets:
                position, _end = ctx.counterpart(sources[0].start)
                excerpt = " ".join(sources[0].text.split())[:80]
                message = _("source paragraph not translated: %(text)s") % {"text": repr(excerpt)}
                yield self.finding(ctx, position, position, message)
            elif targets and not sources:
                message = _("paragraph with no counterpart in the source")
                yield self.finding(ctx, targets[0].start, targets[-1].end, message)
            elif len(sources) == 2 and len(targets) == 1:
                yield from self._merged(ctx, sources, targets[0])
            elif len(sources) == 1 and len(targets) == 2:
                yield from self._split(ctx, sources[0], targets)

    @staticmethod
    def _pick(group, other):
        """Of two paragraphs aligned with one (``other``), the one that matches it (shared numbers first,
        then length) and the left-over one — or None when one paragraph fits both about as well."""
        lo = len(other.text)
        total = sum(len(s.text) for s in group)
        if abs(total - lo) / max(total, lo) < 0.4:
            return None
        oa = anchors(other.text)

        def fit(segment):
            shared = len(anchors(segment.text) & oa)
            return (-shared, abs(len(segment.text) - lo) / max(len(segment.text), lo))

        kept, left = sorted(group, key=fit)
        return None if fit(kept)[1] > 0.3 else (kept, left)

    def _merged(self, ctx, sources, target):
        picked = self._pick(sources, target)
        if picked:
            kept, dropped = picked
            position = target.start if dropped.start < kept.start else target.end
            excerpt = " ".join(dropped.text.split())[:80]
            message = _("source paragraph not translated: %(text)s") % {"text": repr(excerpt)}
            yield self.finding(ctx, position, position, message)

    def _split(self, ctx, source, targets):
        picked = self._pick(targets, source)
        if picked:
            _kept, added = picked
            yield self.finding(ctx, added.start, added.end, _("paragraph with no counterpart in the source"))


@register
class TruncationCheck(Check):
    id = "truncated"
    name = "Cut-off text"
    severity = "warning"
    description = "A paragraph of running text (over 100 characters) that ends in '...' or '…': cut off when copied?"

    def run(self, ctx):
        for line in ctx.target_language_lines:
            m = re.search(r"(?:\.{3,}|…)\s*$", line.text)
            if m and len(line.text) > 100:
                end = line.start + len(line.text.rstrip())
                yield self.finding(ctx, line.start + m.start(), end, _("paragraph ends in an ellipsis: text cut off?"))
