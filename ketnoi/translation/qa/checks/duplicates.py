"""Duplicated words, sentences, lines and passages."""

from __future__ import annotations

import re

from ..base import Check, register
from ..i18n import gettext as _
from ..text import thai_words


@register
class DuplicateWordsCheck(Check):
    id = "duplicate_words"
    name = "Duplicated words"
    severity = "warning"
    description = (
        "The same word twice in a row ('the the', 'ชนกลุ่มน้อย ชนกลุ่มน้อย'); Thai is split into words with "
        "pythainlp. Numbers are not words here."
    )

    def run(self, ctx):
        for line in ctx.lines:
            if not line.text.strip():
                continue
            if line.lang == "th":
                yield from self._thai(ctx, line)
            for m in re.finditer(r"(?<![\w])([^\W\d_]+)(\s+)(\1)(?![\w])", line.text, re.IGNORECASE):
                if re.search(r"[\u0e00-\u0e7f]", m.group(1)):
                    continue
                start = line.start + m.start()
                yield self.finding(
                    ctx, start, line.start + m.end(), _("duplicated word %(word)s") % {"word": repr(m.group(1))}
                )

    def _thai(self, ctx, line):
        tokens = thai_words(line.text)
        positions, pos = [], 0
        for token in tokens:
            positions.append(pos)
            pos += len(token)
        for i, token in enumerate(tokens):
            if len(token) < 2 or not re.fullmatch(r"[\u0e00-\u0e7f]+", token):
                continue
            j = i + 1
            if j < len(tokens) and tokens[j] == " ":
                j += 1
            if j < len(tokens) and tokens[j] == token:
                start = line.start + positions[i]
                yield self.finding(
                    ctx,
                    start,
                    line.start + positions[j] + len(token),
                    _("duplicated word %(word)s") % {"word": repr(token)},
                )


def _normal(text: str) -> str:
    return " ".join(text.split())


@register
class RepeatedTextCheck(Check):
    id = "repeated_text"
    name = "Repeated lines, sentences and passages"
    severity = "warning"
    description = (
        "A line identical to an earlier one; a passage of 100 or more characters (option 'min_length') that "
        "already appeared earlier in the text (a caption translated twice, a sentence repeated); a phrase repeated "
        "back to back with nothing between ('ABCABC')."
    )

    def run(self, ctx):
        k = 25
        min_length = int(ctx.option(self.id, "min_length", 100))
        first_line: dict[str, int] = {}
        seen: dict[str, tuple[int, int]] = {}  # gram → (line number, offset of the gram in the text)
        for line in ctx.lines:
            body = line.text.strip()
            if not body:
                continue
            key = _normal(body)
            if key in first_line and re.search(r"[^\W\d_]{2}", key):
                start = line.start + line.text.index(body)
                yield self.finding(
                    ctx, start, start + len(body), _("same line as line %(line)s") % {"line": first_line[key]}
                )
                continue
            first_line.setdefault(key, line.number)
            yield from self._back_to_back(ctx, line)
            text = line.text
            marks: list[tuple[int, int, int]] = []
            for i in range(len(text) - k + 1):
                gram = text[i : i + k]
                if gram in seen and seen[gram][1] + k <= line.start + i:
                    marks.append((i, i + k, seen[gram][0]))
            for i in range(len(text) - k + 1):
                seen.setdefault(text[i : i + k], (line.number, line.start + i))
            for start, end, origin in _merge(marks):
                if end - start >= min_length:
                    if origin == line.number:
                        message = _("repeats %(count)s characters earlier in this line") % {"count": end - start}
                    else:
                        message = _("repeats %(count)s characters from line %(line)s") % {
                            "count": end - start,
                            "line": origin,
                        }
                    yield self.finding(ctx, line.start + start, line.start + end, message)

    def _back_to_back(self, ctx, line):
        for m in re.finditer(r"(?P<unit>\S.{5,200}?)(?P=unit)", line.text):
            unit = m.group("unit")
            if len(re.findall(r"[^\W\d_]", unit)) >= 5 and len(set(unit)) > 3:
                yield self.finding(
                    ctx,
                    line.start + m.start(),
                    line.start + m.end(),
                    _("%(text)s written twice back to back") % {"text": repr(unit.strip())},
                )


def _merge(marks):
    out: list[list[int]] = []
    for start, end, origin in sorted(marks):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end, origin])
    return [tuple(m) for m in out]
