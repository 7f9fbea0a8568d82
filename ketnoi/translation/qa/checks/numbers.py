"""Numbers and amounts, dates, calendar eras."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..base import Check, register
from ..i18n import gettext as _
from ..text import BE_OFFSET, NUMBER_RE, THAI_DIGITS, is_be_year, is_ce_year, mask, number_value

TH_MONTHS = (
    "มกราคม กุมภาพันธ์ มีนาคม เมษายน พฤษภาคม มิถุนายน กรกฎาคม สิงหาคม กันยายน ตุลาคม พฤศจิกายน ธันวาคม".split(),
    "ม.ค. ก.พ. มี.ค. เม.ย. พ.ค. มิ.ย. ก.ค. ส.ค. ก.ย. ต.ค. พ.ย. ธ.ค.".split(),
)
EN_MONTHS = "january february march april may june july august september october november december".split()
_MONTH_NUMBER = {name: i + 1 for names in TH_MONTHS for i, name in enumerate(names)}
_MONTH_NUMBER.update({name: i + 1 for i, name in enumerate(EN_MONTHS)})
_MONTH_NUMBER.update({name[:3]: i + 1 for i, name in enumerate(EN_MONTHS)})
_TH_MONTH_ALT = "|".join(re.escape(m) for m in sorted([*TH_MONTHS[0], *TH_MONTHS[1]], key=len, reverse=True))
_EN_MONTH_ALT = "|".join(sorted([*EN_MONTHS, *(m[:3] for m in EN_MONTHS)], key=len, reverse=True))
D = r"[0-9๐-๙]"
ERA = r"(?P<era>พ\.\s?ศ\.|ค\.\s?ศ\.)?\s*"
DATE_PATTERNS = (
    re.compile(rf"(?<![\d/.])(?P<d>{D}{{1,2}})[/.-](?P<m>{D}{{1,2}})[/.-](?P<y>{D}{{4}})(?![\d/])"),
    re.compile(r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})", re.IGNORECASE),
    re.compile(rf"(?<!\d)(?P<d>{D}{{1,2}})\s*(?P<mn>{_TH_MONTH_ALT})\s*{ERA}(?P<y>{D}{{4}})(?!\d)"),
    re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})\s+(?P<mn>{_EN_MONTH_ALT})\.?,?\s+(?P<y>\d{{4}})(?!\d)", re.IGNORECASE),
    re.compile(rf"(?<![\w])(?P<mn>{_EN_MONTH_ALT})\.?\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})(?!\d)", re.IGNORECASE),
)
YEAR_RE = re.compile(rf"(?:(?P<era>พ\.\s?ศ\.|ค\.\s?ศ\.)|ปี(?:งบประมาณ)?|năm|year)\s*(?P<y>{D}{{4}})(?!\d)")
RANGE_TAIL = re.compile(rf"\s*[-–—]\s*(?P<y>{D}{{4}})(?!\d)")
# A Buddhist Era year this close to a source year + 543 is that year badly converted (2563 for 2019).
ERA_SLIP = 10
ERA_SLIPS = tuple(d for d in range(-ERA_SLIP, ERA_SLIP + 1) if d)
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ROMAN_RE = re.compile(r"(?<![\w])(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})(?![\w])")


def roman_numerals(text: str) -> list[int]:
    """Values of the Roman numerals written as words in ``text`` (lần thứ IV, Khóa XIII)."""
    values = []
    for m in _ROMAN_RE.finditer(text):
        if not m.group():
            continue
        total, previous = 0, 0
        for ch in reversed(m.group()):
            value = _ROMAN[ch]
            total = total - value if value < previous else total + value
            previous = max(previous, value)
        values.append(total)
    return values


@dataclass(frozen=True)
class DateHit:
    start: int
    end: int
    day: int
    month: int
    year: int
    year_start: int
    year_end: int
    era: str  # "พ.ศ." / "ค.ศ." marker when written, else ""


def find_dates(text: str) -> list[DateHit]:
    out: list[DateHit] = []
    for pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(h.start < m.end() and m.start() < h.end for h in out):
                continue
            month = m.group("m") if "m" in m.groupdict() and m.group("m") else None
            month_number = int(month.translate(THAI_DIGITS)) if month else _MONTH_NUMBER.get(m.group("mn").lower(), 0)
            era = (m.groupdict().get("era") or "").replace(" ", "")
            out.append(
                DateHit(
                    m.start(),
                    m.end(),
                    int(m.group("d").translate(THAI_DIGITS)),
                    month_number,
                    int(m.group("y").translate(THAI_DIGITS)),
                    m.start("y"),
                    m.end("y"),
                    era,
                )
            )
    return sorted(out, key=lambda h: h.start)


@dataclass(frozen=True)
class YearHit:
    start: int
    end: int
    value: int
    era: str


def find_years(text: str) -> list[YearHit]:
    """Years of dates, years after ปี/พ.ศ./ค.ศ./năm/year, and the second year of ranges ("2564-2573")."""
    hits = {h.year_start: YearHit(h.year_start, h.year_end, h.year, h.era) for h in find_dates(text)}
    for m in YEAR_RE.finditer(text):
        era = (m.group("era") or "").replace(" ", "")
        hits.setdefault(m.start("y"), YearHit(m.start("y"), m.end("y"), int(m.group("y").translate(THAI_DIGITS)), era))
    for hit in list(hits.values()):
        tail = RANGE_TAIL.match(text, hit.end)
        if tail:
            value = int(tail.group("y").translate(THAI_DIGITS))
            hits.setdefault(tail.start("y"), YearHit(tail.start("y"), tail.end("y"), value, hit.era))
    return sorted((h for h in hits.values() if is_ce_year(h.value) or is_be_year(h.value)), key=lambda h: h.start)


def _to_ce(year: int) -> int:
    return year - BE_OFFSET if is_be_year(year) else year


@register
class DatesCheck(Check):
    id = "dates"
    name = "Dates"
    severity = "error"
    blocking = True
    description = (
        "Impossible dates (31 June, 30/02); in bilingual mode every date of the source paragraph must be in the "
        "aligned translation with the same day, month and year (a Buddhist Era year counts as its CE year)."
    )

    def run(self, ctx):
        for hit in find_dates(ctx.target):
            if not 1 <= hit.month <= 12 or not 1 <= hit.day <= DAYS_IN_MONTH[hit.month - 1]:
                yield self.finding(ctx, hit.start, hit.end, _("impossible date: no such day in that month"))
        if not ctx.bilingual:
            return
        for sources, targets in ctx.alignment:
            if not sources or not targets:
                continue
            src_start, src_end = sources[0].start, sources[-1].end
            tgt_start, tgt_end = targets[0].start, targets[-1].end
            target_dates = [h for h in find_dates(ctx.target[:tgt_end]) if h.start >= tgt_start]
            wanted = {(h.day, h.month, _to_ce(h.year)) for h in target_dates}
            for hit in find_dates(ctx.source[:src_end]):
                if hit.start < src_start:
                    continue
                written = ctx.source[hit.start : hit.end]
                if (hit.day, hit.month, _to_ce(hit.year)) in wanted:
                    continue
                near = [h for h in target_dates if (h.day, h.month) == (hit.day, hit.month)]
                if near:
                    yield self.finding(
                        ctx,
                        near[0].start,
                        near[0].end,
                        _("date of the source %(date)s has another year here") % {"date": repr(written)},
                    )
                else:
                    yield self.finding(
                        ctx,
                        tgt_start,
                        tgt_end,
                        _("the source date %(date)s is missing from this paragraph") % {"date": repr(written)},
                    )


@register
class EraCheck(Check):
    id = "era"
    name = "Calendar era"
    severity = "error"
    blocking = True
    languages = ("th",)
    description = (
        "Thai text must use one era: Buddhist Era years (2567) and unmarked Common Era years (2024) together are "
        "reported (the minority, or CE when tied; option 'era': 'BE' or 'CE' fixes the expected one); 'พ.ศ.' "
        "before a CE year or 'ค.ศ.' before a BE year is an error; in bilingual mode a BE year that is not the "
        "source's CE year + 543 but within 10 of it is a wrong conversion."
    )

    def run(self, ctx):
        lines = ctx.target_language_lines
        years = []
        for line in lines:
            years.extend(
                YearHit(h.start + line.start, h.end + line.start, h.value, h.era) for h in find_years(line.text)
            )
        for hit in years:
            if hit.era.startswith("พ") and is_ce_year(hit.value):
                yield self.finding(
                    ctx,
                    hit.start,
                    hit.end,
                    _("พ.ศ. (Buddhist Era) before the Common Era year %(year)s: พ.ศ. %(be)s?")
                    % {"year": hit.value, "be": hit.value + BE_OFFSET},
                )
            elif hit.era.startswith("ค") and is_be_year(hit.value):
                yield self.finding(
                    ctx,
                    hit.start,
                    hit.end,
                    _("ค.ศ. (Common Era) before the Buddhist Era year %(year)s: ค.ศ. %(ce)s?")
                    % {"year": hit.value, "ce": hit.value - BE_OFFSET},
                )
        unmarked = [h for h in years if not h.era]
        be = [h for h in years if is_be_year(h.value) and not h.era.startswith("ค")]
        ce = [h for h in unmarked if is_ce_year(h.value)]
        expected = ctx.option(self.id, "era") or ("CE" if len(ce) > len(be) else "BE")
        if be and ce or ctx.option(self.id, "era"):
            for hit in ce if expected == "BE" else [h for h in be if not h.era]:
                if expected == "BE":
                    message = _(
                        "Common Era year %(year)s in a text that uses the Buddhist Era "
                        "(%(count)s BE years): พ.ศ. %(be)s"
                    ) % {"year": hit.value, "count": len(be), "be": hit.value + BE_OFFSET}
                else:
                    message = _("Buddhist Era year %(year)s in a text that uses the Common Era: %(ce)s") % {
                        "year": hit.value,
                        "ce": hit.value - BE_OFFSET,
                    }
                yield self.finding(ctx, hit.start, hit.end, message)
        if ctx.bilingual:
            yield from self._conversions(ctx)

    def _conversions(self, ctx):
        for sources, targets in ctx.alignment:
            if not sources or not targets:
                continue
            src = ctx.source[sources[0].start : sources[-1].end]
            source_years = {h.value for h in find_years(src)} | {
                int(m.group()) for m in re.finditer(r"(?<!\d)\d{4}(?!\d)", src) if is_ce_year(int(m.group()))
            }
            tgt_start = targets[0].start
            tgt = ctx.target[tgt_start : targets[-1].end]
            for m in re.finditer(rf"(?<!\d){D}{{4}}(?!\d)", tgt):
                value = int(m.group().translate(THAI_DIGITS))
                if not is_be_year(value) or value - BE_OFFSET in source_years:
                    continue
                close = sorted(
                    (s for s in source_years if 0 < abs(s + BE_OFFSET - value) <= ERA_SLIP),
                    key=lambda s: abs(s + BE_OFFSET - value),
                )
                if close:
                    yield self.finding(
                        ctx,
                        tgt_start + m.start(),
                        tgt_start + m.end(),
                        _("wrong era conversion: the source year %(year)s is พ.ศ. %(be)s, not %(found)s")
                        % {"year": close[0], "be": close[0] + BE_OFFSET, "found": value},
                    )


@register
class NumbersCheck(Check):
    id = "numbers"
    name = "Numbers and amounts"
    severity = "error"
    blocking = True
    needs_source = True
    description = (
        "Bilingual: every number of a source paragraph (amounts with their decimal and thousands separators read "
        "per language, Thai digits read as digits) must be in the aligned translation; a CE year may appear as "
        "its BE year in Thai. Numbers in the translation that the source lacks are warnings. Dates, URLs, "
        "e-mail addresses and document symbols are left to their own checks."
    )

    def _numbers(self, text, lang, offset, protected):
        spans = [(h.start, h.end) for h in find_dates(text)] + [(s - offset, e - offset) for s, e, *_ in protected]
        masked = mask(text, [(s, e) for s, e in spans if 0 <= s < len(text)])
        return [
            (offset + m.start(), offset + m.end(), number_value(m.group(), lang)) for m in NUMBER_RE.finditer(masked)
        ]

    def run(self, ctx):
        if not ctx.bilingual:
            return
        for sources, targets in ctx.alignment:
            if not sources or not targets:
                continue
            s0, s1 = sources[0].start, sources[-1].end
            t0, t1 = targets[0].start, targets[-1].end
            src = self._numbers(ctx.source[s0:s1], ctx.src_lang, s0, ctx.source_protected)
            # "lần thứ IV" is the 4th: Roman numerals of the source may be written in digits
            roman = {str(v) for v in roman_numerals(ctx.source[s0:s1])}
            tgt = self._numbers(ctx.target[t0:t1], ctx.lang, t0, ctx.protected)
            available = Counter(value for *_rest, value in tgt)
            missing = []
            for *_rest, value in src:
                year = int(value) if value.isdigit() else 0
                alternatives = [value]
                if ctx.lang == "th" and is_ce_year(year):
                    alternatives.append(str(year + BE_OFFSET))
                hit = next((a for a in alternatives if available[a] > 0), None)
                if hit is not None:
                    available[hit] -= 1
                elif (
                    ctx.lang == "th"
                    and is_ce_year(year)
                    and any(available[str(year + BE_OFFSET + d)] > 0 for d in ERA_SLIPS)
                ):
                    continue  # a wrong era conversion: reported by the era check
                else:
                    missing.append(value)
            for value in missing:
                message = _("the number %(number)s of the source is missing from this paragraph") % {"number": value}
                yield self.finding(ctx, t0, t1, message)
            for start, end, value in tgt:
                if available[value] > 0:
                    available[value] -= 1
                    year = int(value) if value.isdigit() else 0
                    if is_be_year(year) and any(v == str(year - BE_OFFSET + d) for *_rest, v in src for d in ERA_SLIPS):
                        continue
                    if value in roman:
                        continue
                    message = _("the number %(number)s is not in the source") % {"number": value}
                    yield self.finding(ctx, start, end, message, severity="warning")
