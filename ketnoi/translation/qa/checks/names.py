"""People's names and titles: one rendering per person, one title per person, as the termbase says."""

from __future__ import annotations

import re
from collections import Counter

from ..base import Check, register
from ..i18n import gettext as _
from ..people import (
    _THAI_SKELETON,
    NAME_RE,
    _name_within,
    fold,
    has_diacritics,
    name_key,
    thai_skeleton,
    vietnamese_skeleton,
)

THAI_HONORIFICS = ("นางสาว", "นาง", "นาย", "ดร.")
# Thai consonant classes a Vietnamese initial is written with: tr as จ or ตร, ph as ฟ or พ, x as ซ or ช, t as ต or ท…
INITIAL_RENDERINGS = {
    "ch": {"ch", "t"},
    "f": {"f", "ph"},
    "s": {"s", "ch"},
    "t": {"t", "th"},
    "th": {"th", "t"},
    "k": {"k", "kh"},
    "kh": {"kh", "k"},
    "p": {"p", "ph", "b"},
}


def _initial_classes(token: str) -> set[str]:
    """Possible consonant classes a Thai syllable of a transliterated name starts with (its skeleton's first
    consonant, and its first written consonant: หว่าง is h-, เหงียน is ng-)."""
    out = set()
    skeleton = thai_skeleton(token)
    if skeleton:
        out.add(skeleton[0])
    first = next((ch for ch in token if ch in _THAI_SKELETON), "")
    if first:
        out.add(_THAI_SKELETON[first])
    return out


def _syllable_initials(name: str) -> list[str]:
    """The consonant class each syllable of a Vietnamese name starts with ("" when Thai may write it with
    any letter: d, gi, r, v, y and vowels)."""
    out = []
    for syllable in fold(name).split():
        skeleton = vietnamese_skeleton(syllable)
        if not skeleton or syllable.startswith(("d", "gi", "r", "v", "y")) or syllable[:1] in "aeiou":
            out.append("")
        else:
            out.append(skeleton[0])
    return out


def name_in_thai(name: str, text: str) -> bool:
    """Whether ``text`` holds a rendering of the Vietnamese ``name``: the Latin form with or without
    diacritics, or as many space-separated Thai syllables starting with the same consonants."""
    if name_key(name) in "".join(fold(text).split()):
        return True
    wanted = _syllable_initials(name)
    tokens = text.split()
    for i, token in enumerate(tokens):
        for honorific in THAI_HONORIFICS:
            if token.startswith(honorific) and len(token) > len(honorific):
                tokens[i] = token[len(honorific) :]
                break
    tolerance = 1 if len(wanted) >= 3 else 0  # one syllable spelt unexpectedly in a longer name
    for i in range(len(tokens) - len(wanted) + 1):
        window = tokens[i : i + len(wanted)]
        misses = sum(
            1
            for w, t in zip(wanted, window, strict=True)
            if w and not (INITIAL_RENDERINGS.get(w, {w}) & _initial_classes(t))
        )
        if misses <= tolerance:
            return True
    return False


THAI_RANKS = (
    ("รองนายกรัฐมนตรี", "deputy prime minister"),
    ("นายกรัฐมนตรี", "prime minister"),
    ("รัฐมนตรีช่วยว่าการ", "deputy minister"),
    ("รองรัฐมนตรี", "deputy minister"),
    ("รัฐมนตรี", "minister"),
    ("รองปลัดกระทรวง", "deputy permanent secretary"),
    ("ปลัดกระทรวง", "permanent secretary"),
    ("รองอธิบดี", "deputy director-general"),
    ("อธิบดี", "director-general"),
)
VI_RANKS = (
    ("Phó Thủ tướng", "deputy prime minister"),
    ("Thủ tướng", "prime minister"),
    ("Thứ trưởng", "deputy minister"),
    ("Bộ trưởng", "minister"),
    ("Phó Tổng cục trưởng", "deputy director-general"),
    ("Tổng cục trưởng", "director-general"),
)
_THAI_RANK_RE = re.compile("|".join(re.escape(t) for t, _ in THAI_RANKS))
_VI_RANK_RE = re.compile("|".join(re.escape(t) for t, _ in VI_RANKS))
_THAI_CHAIR_RE = re.compile(r"รองประธาน(?P<org>[^\s]*)")
TITLE_REACH = 60  # a title at most this many characters before the name belongs to it


def _window(ctx, mention, previous_end):
    line = next(line for line in ctx.lines if line.start <= mention.start <= line.end)
    start = max(line.start, previous_end, mention.start - 150)
    return start, ctx.target[start : mention.start]


@register
class NamesCheck(Check):
    id = "names"
    name = "People's names"
    severity = "warning"
    description = (
        "Each person is written one way throughout (Vietnamese names are recognised in Latin script with or "
        "without diacritics, and in Thai script by their consonant skeleton): the termbase form when the "
        "termbase has the person, else the most frequent form in the target script. A Latin-script name that "
        "lost its diacritics (Nong Thi Ha for Nông Thị Hà) is reported too."
    )

    def run(self, ctx):
        if ctx.bilingual and ctx.src_lang == "vi" and ctx.lang == "th":
            yield from self._missing(ctx)
        for person in ctx.people:
            mentions = [m for m in person.mentions if m.in_target]
            if not mentions:
                continue
            preferred = ""
            if person.concept and ctx.termbase is not None:
                preferred = next(
                    (e.text for e in ctx.termbase.equivalents(person.concept, ctx.lang) if e.status == "preferred"), ""
                )
            forms = Counter(" ".join(m.text.split()) for m in mentions)
            if not preferred:
                script = "Thai" if ctx.lang == "th" else "Latin"
                own = [m for m in mentions if m.script == script] or mentions
                counts = Counter(" ".join(m.text.split()) for m in own)
                best = max(counts.values())
                preferred = next(" ".join(m.text.split()) for m in own if counts[" ".join(m.text.split())] == best)
                source = _("the most frequent form here")
            else:
                source = _("the termbase form")
            summary = ", ".join(f"{form!r} ×{n}" for form, n in forms.most_common())
            for mention in mentions:
                form = " ".join(mention.text.split())
                problems = []
                if mention.script == "Latin" and person.vietnamese and not has_diacritics(mention.text):
                    problems.append(
                        _("written without its Vietnamese diacritics (%(name)s)") % {"name": person.vietnamese}
                    )
                if form != preferred:
                    problems.append(
                        _("written %(count)s ways in this text (%(forms)s); %(reference)s is %(form)s")
                        % {"count": len(forms), "forms": summary, "reference": source, "form": repr(preferred)}
                    )
                if problems:
                    yield self.finding(
                        ctx,
                        mention.start,
                        mention.end,
                        _("%(name)s: %(problems)s") % {"name": mention.text, "problems": "; ".join(problems)},
                    )

    def _missing(self, ctx):
        """Bilingual: a person named in a source paragraph but in no form in the aligned translation."""
        for sources, targets in ctx.alignment:
            if not sources or not targets:
                continue
            t0, t1 = targets[0].start, targets[-1].end
            target_text = ctx.target[t0:t1]
            reported = set()
            for source in sources:
                for m in NAME_RE.finditer(source.text):
                    found = _name_within(m.group())
                    if found is None or name_key(found[1]) in reported:
                        continue
                    name = found[1]
                    reported.add(name_key(name))
                    if not name_in_thai(name, target_text):
                        message = _("the name %(name)s of the source is not in this paragraph") % {"name": name}
                        yield self.finding(ctx, t0, t1, message)


@register
class TitlesCheck(Check):
    id = "titles"
    name = "People's titles"
    severity = "warning"
    languages = ("th",)
    description = (
        "The rank given to a person (รองรัฐมนตรี deputy minister, รองปลัดกระทรวง deputy permanent secretary…) and "
        "the body they are vice-chair of stay the same through the text. The reference is the title of the "
        "Vietnamese caption when the text has one (Thứ trưởng = deputy minister), else the most frequent."
    )

    def run(self, ctx):
        all_mentions = sorted((m for p in ctx.people for m in p.mentions), key=lambda m: m.start)
        ends = {id(m): max([0, *(o.end for o in all_mentions if o.end <= m.start)]) for m in all_mentions}
        for person in ctx.people:
            ranks, chairs, reference = [], [], None
            for mention in person.mentions:
                start, window = _window(ctx, mention, ends[id(mention)])
                if not mention.in_target:
                    found = list(_VI_RANK_RE.finditer(window))
                    if found and len(window) - found[-1].end() <= TITLE_REACH and reference is None:
                        reference = dict(VI_RANKS)[found[-1].group()], found[-1].group()
                    continue
                found = [m for m in _THAI_RANK_RE.finditer(window) if len(window) - m.end() <= TITLE_REACH]
                if found:
                    m = found[-1]
                    ranks.append((start + m.start(), start + m.end(), dict(THAI_RANKS)[m.group()], m.group()))
                for m in _THAI_CHAIR_RE.finditer(window):
                    if len(window) - m.end() <= TITLE_REACH and m.group("org"):
                        org = m.group("org").rstrip("ฯ")
                        chairs.append((start + m.start(), start + m.end(), org))
            name = person.vietnamese or person.mentions[0].text
            if ranks:
                counts = Counter(r[2] for r in ranks)
                if reference:
                    expected = reference[0]
                    why = _("the Vietnamese caption calls %(name)s %(title)s (%(meaning)s)") % {
                        "name": name,
                        "title": reference[1],
                        "meaning": reference[0],
                    }
                else:
                    best = max(counts.values())
                    expected = next(r[2] for r in ranks if counts[r[2]] == best)
                    why = _("%(name)s is a %(title)s in %(count)s of %(total)s mentions") % {
                        "name": name,
                        "title": expected,
                        "count": counts[expected],
                        "total": len(ranks),
                    }
                for start, end, rank, _word in ranks:
                    if rank != expected:
                        yield self.finding(
                            ctx, start, end, _("title means %(title)s, but %(reason)s") % {"title": rank, "reason": why}
                        )
            if len({c[2] for c in chairs}) > 1:
                counts = Counter(c[2] for c in chairs)
                best = max(counts.values())
                expected = next(c[2] for c in chairs if counts[c[2]] == best)
                for start, end, org in chairs:
                    if org != expected:
                        yield self.finding(
                            ctx,
                            start,
                            end,
                            _("%(name)s is vice-chair of %(body)s here but of %(other)s in %(count)s other mentions")
                            % {"name": name, "body": repr(org), "other": repr(expected), "count": counts[expected]},
                        )
