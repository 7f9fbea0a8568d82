"""Untranslated or wrong-language text, leftover source abbreviations, page furniture."""

from __future__ import annotations

import re

from ..base import Check, register
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..text import VI_LETTERS, VI_TONED, VI_WORDS, inside, overlaps, script_of

LANGUAGE_NAMES = {
    "th": N_("Thai"),
    "vi": N_("Vietnamese"),
    "en": N_("English"),
    "lo": N_("Lao"),
    "km": N_("Khmer"),
    "zh": N_("Chinese"),
    "ru": N_("Russian"),
    "el": N_("Greek"),
    "und": N_("an unidentified language"),
}


def language_name(code: str) -> str:
    return _(LANGUAGE_NAMES[code]) if code in LANGUAGE_NAMES else code


@register
class WrongLanguageCheck(Check):
    id = "wrong_language"
    name = "Wrong-language or untranslated text"
    severity = "error"
    blocking = True
    description = (
        "Lines not written in the target language (judged by script, Vietnamese letters and function words): "
        "untranslated source text, captions left in, strings of another language. In bilingual mode a target "
        "line identical to a source line is reported as untranslated."
    )

    def run(self, ctx):
        source_lines = {line.text.strip() for line in ctx.source_lines if line.text.strip()} if ctx.bilingual else set()
        for line in ctx.lines:
            body = line.text.strip()
            if not body:
                continue
            start = line.start + line.text.index(body)
            end = start + len(body)
            if body in source_lines and re.search(r"[^\W\d_]{2}", body):
                yield self.finding(
                    ctx,
                    start,
                    end,
                    _("untranslated: this line is the same as in the source (%(text)s)") % {"text": body[:60]},
                )
            elif line.lang and line.lang != ctx.lang:
                yield self.finding(
                    ctx,
                    start,
                    end,
                    _("text in %(found)s, not %(expected)s: untranslated or left over from another language")
                    % {"found": language_name(line.lang), "expected": language_name(ctx.lang)},
                )


# Vietnamese administrative abbreviations that must not survive into a translation.
VI_ABBREVIATIONS = {
    "UBDT": "Ủy ban Dân tộc (Committee for Ethnic Minority Affairs)",
    "BDTTG": "Bộ Dân tộc và Tôn giáo (Ministry of Ethnic and Religious Affairs)",
    "TT&TT": "Thông tin và Truyền thông (Information and Communications)",
    "BTTTT": "Bộ Thông tin và Truyền thông (Ministry of Information and Communications)",
    "DTTS": "dân tộc thiểu số (ethnic minority)",
    "DTTS&MN": "dân tộc thiểu số và miền núi (ethnic-minority and mountainous)",
    "UBND": "Ủy ban nhân dân (People's Committee)",
    "HĐND": "Hội đồng nhân dân (People's Council)",
    "MTTQ": "Mặt trận Tổ quốc (Fatherland Front)",
    "KT-XH": "kinh tế – xã hội (socio-economic)",
    "CTMTQG": "Chương trình mục tiêu quốc gia (national target programme)",
    "ĐBKK": "đặc biệt khó khăn (extremely difficult)",
    "BCĐ": "Ban Chỉ đạo (steering committee)",
    "VH-TT&DL": "Văn hóa, Thể thao và Du lịch (Culture, Sports and Tourism)",
    "KH&CN": "Khoa học và Công nghệ (Science and Technology)",
    "TTXVN": "Thông tấn xã Việt Nam (Vietnam News Agency)",
}


@register
class LeftoverAbbreviationCheck(Check):
    id = "leftover_abbreviation"
    name = "Source-language abbreviation left over"
    severity = "warning"
    description = (
        "Vietnamese agency and policy abbreviations (UBDT, TT&TT, DTTS, UBND…) outside URLs and document symbols. "
        "Extra abbreviations per project: option 'abbreviations' {abbrev: expansion}. Not run on Vietnamese targets."
    )

    def applies_to(self, lang):
        return not lang.lower().startswith("vi")

    def run(self, ctx):
        table = {**VI_ABBREVIATIONS, **ctx.option(self.id, "abbreviations", {})}
        allowed = (
            {e.text for e in ctx.term_index.entries if e.status == "do_not_translate"} if ctx.term_index else set()
        )
        names = "|".join(re.escape(a) for a in sorted(table, key=len, reverse=True) if a not in allowed)
        if not names:
            return
        # A line left in Vietnamese is already one blocking wrong_language finding: its abbreviations
        # are not reported again.
        target_lines = [(line.start, line.end) for line in ctx.target_language_lines]
        for m in re.finditer(rf"(?<![\w&-])(?:{names})(?![\w&])", ctx.target):
            if inside(ctx.protected, m.start(), m.end()):
                continue
            if not any(start <= m.start() < end for start, end in target_lines):
                continue
            yield self.finding(
                ctx,
                m.start(),
                m.end(),
                _("Vietnamese abbreviation %(abbreviation)s left untranslated: %(meaning)s")
                % {"abbreviation": m.group(), "meaning": table[m.group()]},
            )


# Navigation and widget strings of news sites and aggregators, by language (lower case, whole lines).
BOILERPLATE = {
    "en": "no data|no videos available|event calendar|read more|related news|related articles|most read|"
    "latest news|share|comments|photos|videos|tags|print|back to top|see more|load more|advertisement",
    "vi": "cùng chủ đề|cùng chuyên mục|cùng tác giả|tin liên quan|xem thêm|bình luận|chia sẻ|đọc tiếp|"
    "tin mới nhất|đọc nhiều|in bài|quay lại|tin khác|bài viết liên quan",
    "th": "การแสดงความคิดเห็น|แสดงความคิดเห็น|ความคิดเห็น|รูป|รูปภาพ|วิดีโอ|อ่านเพิ่มเติม|อ่านต่อ|ข่าวที่เกี่ยวข้อง|"
    "ข่าวล่าสุด|แชร์|แท็ก|ปฏิทินกิจกรรม|ไม่มีข้อมูล|ไม่มีวิดีโอ",
}
ATTRIBUTION_RE = re.compile(r"^\s*(?:ที่มา|แหล่งที่มา|แหล่งข่าว|nguồn|source)\s*:", re.IGNORECASE)
_COUNTER = re.compile(r"\s*[(\[]\s*\d+\s*[)\]]\s*$")


@register
class BoilerplateCheck(Check):
    id = "boilerplate"
    name = "Page furniture in the text"
    severity = "error"
    blocking = True
    description = (
        "Navigation and widget strings of the site the text was copied from ('No data', 'Cùng chủ đề', "
        "'การแสดงความคิดเห็น (0)'), and lines after a closing source attribution ('ที่มา:', 'Nguồn:') — "
        "related headlines and menus rather than the article (warning). Extra strings: option 'strings'."
    )

    def run(self, ctx):
        known = set()
        for words in BOILERPLATE.values():
            known.update(words.split("|"))
        known.update(s.lower() for s in ctx.option(self.id, "strings", []))
        attribution_seen = False
        for line in ctx.lines:
            body = line.text.strip()
            if not body:
                continue
            start = line.start + line.text.index(body)
            end = start + len(body)
            if _COUNTER.sub("", body).lower() in known:
                yield self.finding(
                    ctx, start, end, _("navigation string of the source web page: %(text)s") % {"text": repr(body)}
                )
            elif attribution_seen:
                yield self.finding(
                    ctx,
                    start,
                    end,
                    _("text after the closing source attribution: probably page furniture (menus, related headlines)"),
                    severity="warning",
                )
            if ATTRIBUTION_RE.match(body) and not overlaps(ctx.protected, start, start + 1):
                attribution_seen = True


_L = "A-Za-z\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f"
_LATIN_RUN = re.compile(rf"(?<![{_L}])[{_L}]+(?:[ \u00a0'’-]+[{_L}]+)*")


def _vietnamese_word(word: str) -> bool:
    return bool(VI_TONED.search(word) or any(ch in VI_LETTERS for ch in word)) or word.lower() in VI_WORDS


@register
class UntranslatedCheck(Check):
    id = "untranslated"
    name = "Untranslated words"
    severity = "error"
    blocking = True
    description = (
        'Runs of Vietnamese words left inside lines of another language ("มอบ Bằng khen ให้แก่"): a run of '
        "Latin-script words in a line of the target language with a Vietnamese word in it (Vietnamese letters, "
        "tone marks or function words) and a word in lower case — so that a person's or a place's name kept in "
        "Latin script (Nông Thị Hà, Điện Biên) is not reported. URLs, e-mail addresses and document symbols are "
        "skipped; do-not-translate terms of the termbase are allowed."
    )

    def applies_to(self, lang):
        return lang != "vi"

    def run(self, ctx):
        keep = set()
        if ctx.term_index is not None:
            keep = {e.text.casefold() for e in ctx.term_index.entries if e.status == "do_not_translate"}
        for line in ctx.target_language_lines:
            for m in _LATIN_RUN.finditer(line.text):
                start, end = line.start + m.start(), line.start + m.end()
                if not all(script_of(ch) in ("Latin", "") for ch in m.group()):
                    continue
                if overlaps(ctx.protected, start, end) or m.group().casefold() in keep:
                    continue
                words = m.group().replace("\u00a0", " ").split()
                if not any(_vietnamese_word(w) for w in words) or not any(w[:1].islower() for w in words):
                    continue
                message = _("untranslated Vietnamese: %(text)s") % {"text": m.group()}
                yield self.finding(ctx, start, end, message)
