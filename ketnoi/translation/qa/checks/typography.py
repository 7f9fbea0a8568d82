"""Whitespace, missing spaces, punctuation, Unicode hygiene, mixed scripts."""

from __future__ import annotations

import re
import unicodedata

from ..base import Check, register
from ..i18n import gettext as _
from ..text import inside, script_of


@register
class WhitespaceCheck(Check):
    id = "whitespace"
    name = "Whitespace"
    severity = "info"
    description = (
        "Double spaces and tabs inside a line, spaces at the end of a line, more than one empty line between "
        "paragraphs, unusual spaces (no-break, em, ideographic)."
    )

    def run(self, ctx):
        text = ctx.target
        for m in re.finditer(r"(?<=\S)[ \t]{2,}(?=\S)|\t", text):
            yield self.finding(ctx, m.start(), m.end(), _("double space or tab"))
        for m in re.finditer(r"[ \t]+(?=\r?\n|$)", text):
            if m.end() > m.start():
                yield self.finding(ctx, m.start(), m.end(), _("space at the end of the line"))
        for m in re.finditer(r"\n(?:[ \t]*\n){2,}", text):
            second = text.index("\n", m.start() + 1)
            yield self.finding(
                ctx, second + 1, m.end(), _("%(count)s empty lines in a row") % {"count": m.group().count(chr(10)) - 1}
            )
        for m in re.finditer(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]+", text):
            name = unicodedata.name(m.group()[0], hex(ord(m.group()[0])))
            yield self.finding(ctx, m.start(), m.end(), _("unusual space (%(name)s)") % {"name": name})


_UPPER_AFTER_LOWER = re.compile(r"(?<=[^\W\d_A-Z])(?=[^\W\d_a-z])")


@register
class MissingSpaceCheck(Check):
    id = "missing_space"
    name = "Words run together"
    severity = "warning"
    description = (
        "A lower-case letter directly followed by a capital inside a Vietnamese word ('triểnBáo', 'BpNguyễn'), "
        "or a word glued to a date ('triển25/05/2024') — text pasted without its separator. Plain-ASCII "
        "CamelCase (brand names, 'VietNam') is left alone."
    )

    def run(self, ctx):
        for m in re.finditer(r"[^\W\d_]+", ctx.target):
            word = m.group()
            if word.isascii() or script_of(word[0]) != "Latin" or inside(ctx.protected, m.start(), m.end()):
                continue
            for i in range(1, len(word)):
                if word[i - 1].islower() and word[i].isupper():
                    yield self.finding(
                        ctx,
                        m.start(),
                        m.end(),
                        _("words run together: %(first)s and %(second)s need a space")
                        % {"first": repr(word[:i]), "second": repr(word[i:])},
                    )
                    break
        for m in re.finditer(r"[^\W\d_]{2,}(?=\d{1,2}/\d{1,2}/\d{2,4})\d{1,2}/\d{1,2}/\d{2,4}", ctx.target):
            if script_of(m.group()[0]) == "Latin":
                yield self.finding(ctx, m.start(), m.end(), _("a word and a date run together"))


_PAIRS = {"(": ")", "[": "]", "{": "}", "“": "”", "‘": "’", "«": "»"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


@register
class PunctuationCheck(Check):
    id = "punctuation"
    name = "Punctuation"
    severity = "warning"
    description = (
        "Unbalanced brackets and quotation marks within a paragraph, doubled punctuation (',,', '..', '!!'), "
        "a space before , ; ! ? in English; in Thai, semicolons (Thai does not use them: carried over from the "
        "source) as information."
    )

    def run(self, ctx):
        for line in ctx.lines:
            if not line.text.strip():
                continue
            yield from self._balance(ctx, line)
            for m in re.finditer(r"(?<!\.)\.\.(?!\.)|([,;:!?])\1+", line.text):
                yield self.finding(ctx, line.start + m.start(), line.start + m.end(), _("doubled punctuation"))
            if line.lang == "en" and ctx.lang == "en":
                for m in re.finditer(r"(?<=\w) +[,;!?]", line.text):
                    yield self.finding(ctx, line.start + m.start(), line.start + m.end(), _("space before punctuation"))
            if ctx.lang == "th" and line.lang == "th":
                for m in re.finditer(";", line.text):
                    if not inside(ctx.protected, line.start + m.start(), line.start + m.end()):
                        yield self.finding(
                            ctx,
                            line.start + m.start(),
                            line.start + m.end(),
                            _("semicolon in Thai text (Thai separates clauses with a space)"),
                            severity="info",
                        )

    def _balance(self, ctx, line):
        stack: list[tuple[str, int]] = []
        for i, ch in enumerate(line.text):
            if ch in _PAIRS and not (ch == "‘" and False):
                stack.append((ch, i))
            elif ch in _CLOSERS:
                if ch == "’" and (not stack or stack[-1][0] != "‘"):
                    continue  # an apostrophe
                if stack and stack[-1][0] == _CLOSERS[ch]:
                    stack.pop()
                elif not inside(ctx.protected, line.start + i, line.start + i + 1):
                    yield self.finding(
                        ctx,
                        line.start + i,
                        line.start + i + 1,
                        _("%(mark)s without its opening %(pair)s") % {"mark": ch, "pair": _CLOSERS[ch]},
                    )
        for ch, i in stack:
            if not inside(ctx.protected, line.start + i, line.start + i + 1):
                yield self.finding(
                    ctx,
                    line.start + i,
                    line.start + i + 1,
                    _("%(mark)s without its closing %(pair)s") % {"mark": ch, "pair": _PAIRS[ch]},
                )


_MOJIBAKE = re.compile(r"Ã[\u0080-\u00bf]|Ä[\u0080-\u00bf]|á[º»][\u0080-\u00bf]|à¸|à¹|â€[\u0080-\u00bf™œ”“˜]")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_THAI_MARK_ORDER = re.compile(r"[\u0e48-\u0e4b][\u0e31\u0e34-\u0e3a\u0e47]")
_THAI_DOUBLE_MARK = re.compile(r"([\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])\1")


@register
class UnicodeCheck(Check):
    id = "unicode"
    name = "Unicode hygiene"
    severity = "error"
    blocking = True
    description = (
        "Replacement characters (U+FFFD: text damaged by a wrong conversion), control characters and mojibake "
        "('Ã¡', 'à¸') are blocking errors; invisible characters (zero-width, bidi controls), private-use "
        "characters, text not in NFC, Thai marks in the wrong order or doubled, Thai vowels typed as two "
        "characters (เเ for แ, ํา for ำ) are warnings."
    )

    def run(self, ctx):
        text = ctx.target
        for m in re.finditer("\ufffd+", text):
            yield self.finding(
                ctx, m.start(), m.end(), _("replacement character U+FFFD: characters lost in conversion")
            )
        for m in _CONTROL.finditer(text):
            yield self.finding(
                ctx, m.start(), m.end(), _("control character %(code)s") % {"code": f"U+{ord(m.group()):04X}"}
            )
        for m in _MOJIBAKE.finditer(text):
            yield self.finding(ctx, m.start(), m.end(), _("mojibake: UTF-8 text decoded as Latin-1/Windows-1252"))
        for m in _INVISIBLE.finditer(text):
            if m.group() == "\ufeff" and m.start() == 0:
                continue
            name = unicodedata.name(m.group(), f"U+{ord(m.group()):04X}")
            yield self.finding(
                ctx, m.start(), m.end(), _("invisible character %(name)s") % {"name": name}, severity="warning"
            )
        for m in re.finditer(r"[\ue000-\uf8ff]+", text):
            yield self.finding(ctx, m.start(), m.end(), _("private-use character"), severity="warning")
        if not unicodedata.is_normalized("NFC", text):
            for m in re.finditer(r"\S[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff]+", text):
                if unicodedata.normalize("NFC", m.group()) != m.group():
                    yield self.finding(ctx, m.start(), m.end(), _("not in NFC (decomposed)"), severity="warning")
        for regex, message in (
            (_THAI_MARK_ORDER, _("Thai tone mark typed before the vowel mark")),
            (_THAI_DOUBLE_MARK, _("Thai mark typed twice")),
            (re.compile("\u0e40\u0e40"), _("two เ typed for แ")),
            (re.compile("\u0e4d\u0e32"), _("ํ + า typed for ำ")),
        ):
            for m in regex.finditer(text):
                yield self.finding(ctx, m.start(), m.end(), message, severity="warning")


@register
class MixedScriptCheck(Check):
    id = "mixed_script"
    name = "Mixed scripts"
    severity = "warning"
    description = (
        "A word mixing scripts: Latin with Cyrillic or Greek look-alikes (homoglyphs) and the Icelandic Ð typed for "
        "Vietnamese Đ are errors; Thai and Latin letters in one unbroken token (a translated URL slug, a glued "
        "name) are warnings."
    )

    def run(self, ctx):
        for m in re.finditer(r"\S+", ctx.target):
            token = m.group()
            if "Ð" in token:
                i = m.start() + token.index("Ð")
                yield self.finding(
                    ctx, i, i + 1, _("Ð (U+00D0, Icelandic eth) typed for Vietnamese Đ (U+0110)"), "error"
                )
            scripts = {script_of(ch) for ch in token} - {""}
            if len(scripts) < 2:
                continue
            if "Latin" in scripts and scripts & {"Cyrillic", "Greek"}:
                yield self.finding(
                    ctx,
                    m.start(),
                    m.end(),
                    _("letters of %(scripts)s in one word: look-alikes?") % {"scripts": " and ".join(sorted(scripts))},
                    "error",
                )
            else:
                yield self.finding(
                    ctx,
                    m.start(),
                    m.end(),
                    _("%(scripts)s letters in one token") % {"scripts": " and ".join(sorted(scripts))},
                )
