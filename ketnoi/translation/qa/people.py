"""Vietnamese personal names in a text, grouped per person across scripts.

Latin-script names are found by shape (2–4 capitalised syllables starting with a common Vietnamese
surname), with or without diacritics. Thai-script renderings of the same people are found by a
consonant skeleton: "Nông Thị Hà", "Nong Thi Ha", "นงธีฮา" and "หนองทีฮา" all reduce to n-ng-th-h.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .base import as_term_entry
from .text import fold, thai_words

_UP = "".join(chr(c) for c in [*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)] if chr(c).isupper())
_LO = "".join(chr(c) for c in [*range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)] if chr(c).islower())
# 2–4 capitalised syllables; a one-letter syllable is allowed after the first (Hầu A Lềnh) and as the
# first when it is the Ê Đê / Jarai male prefix Y (Y Vinh Tơr).
NAME_RE = re.compile(rf"(?<![{_UP}{_LO}])(?:[{_UP}][{_LO}]+|Y)(?: [{_UP}][{_LO}]*){{1,3}}(?![{_LO}{_UP}])")

SURNAMES = frozenset(
    "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly nong ha lo vi dinh trieu luong "
    "sung giang thao hau mai trinh dao lam cao to quach kim la lu luu tong thach ma lang hua chu doan khong "
    "ninh quan tang mong hau y ksor siu rah nay".split()
)
# Surnames that are also common words or place-name syllables ("Hà Nội", "Lâm Đồng"): need 3+ syllables.
AMBIGUOUS = frozenset("ha lam mai cao kim la lang to vi ma ly lo chu quan tang mong ninh hoang y nay".split())

_THAI_SKELETON = {
    **dict.fromkeys("ขฃคฅฆ", "kh"),
    "ก": "k",
    "ง": "ng",
    **dict.fromkeys("จฉชฌ", "ch"),
    **dict.fromkeys("ซศษส", "s"),
    **dict.fromkeys("ญณน", "n"),
    **dict.fromkeys("ฎดฏต", "t"),
    **dict.fromkeys("ฐฑฒถทธ", "th"),
    "บ": "b",
    "ป": "p",
    **dict.fromkeys("ผพภ", "ph"),
    **dict.fromkeys("ฝฟ", "f"),
    "ม": "m",
    **dict.fromkeys("ลฬ", "l"),
    **dict.fromkeys("หฮ", "h"),
}
_SILENT_AFTER_HO = set("งญนมยรลว")
_THAI_WORD = re.compile(r"[\u0e00-\u0e7f]+")
_VI_INITIALS = (
    ("ngh", "ng"), ("ng", "ng"), ("nh", "n"), ("gh", "k"), ("gi", ""), ("ch", "ch"), ("kh", "kh"), ("ph", "f"),
    ("th", "th"), ("tr", "ch"), ("qu", "k"), ("b", "b"), ("c", "k"), ("d", ""), ("g", "k"), ("h", "h"),
    ("k", "k"), ("l", "l"), ("m", "m"), ("n", "n"), ("p", "p"), ("r", ""), ("s", "s"), ("t", "t"), ("v", ""),
    ("x", "s"),
)  # fmt: skip
_VI_FINALS = (("ng", "ng"), ("nh", "n"), ("ch", "k"), ("c", "k"), ("n", "n"), ("m", "m"), ("p", "p"), ("t", "t"))


def thai_skeleton(text: str) -> tuple[str, ...]:
    """Consonant classes of a Thai rendering; silent ห, the carriers อ ย ว ร and cancelled letters dropped."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch == "\u0e4c":  # thanthakhat: the letter before it is silent
            if out:
                out.pop()
            continue
        if ch == "ห" and i + 1 < len(text) and text[i + 1] in _SILENT_AFTER_HO:
            continue
        if ch in _THAI_SKELETON:
            out.append(_THAI_SKELETON[ch])
    return tuple(out)


def vietnamese_skeleton(name: str) -> tuple[str, ...]:
    out: list[str] = []
    for syllable in fold(name).split():
        for spelling, value in _VI_INITIALS:
            if syllable.startswith(spelling):
                if value:
                    out.append(value)
                syllable = syllable[len(spelling) :]
                break
        for spelling, value in _VI_FINALS:
            if syllable.endswith(spelling):
                out.append(value)
                break
    return tuple(out)


def vietnamese_skeletons(name: str) -> set[tuple[str, ...]]:
    """The skeleton and its spelling variants: an initial h before the glide o/u (Hoàng, Huy) is often
    not written in Thai (หว่าง), so the skeleton without it is a rendering of the name too."""
    base = vietnamese_skeleton(name)
    variants = {base}
    syllables = fold(name).split()
    out: list[str] = []
    glide = False
    for syllable in syllables:
        part = vietnamese_skeleton(syllable)
        if syllable.startswith(("ho", "hu")) and part[:1] == ("h",):
            glide = True
            part = part[1:]
        out.extend(part)
    if glide:
        variants.add(tuple(out))
    return variants


def looks_like_vietnamese_name(text: str) -> bool:
    words = fold(text).split()
    if not 2 <= len(words) <= 4 or words[0] not in SURNAMES:
        return False
    return len(words) >= 3 or words[0] not in AMBIGUOUS


def _name_within(run: str) -> tuple[int, str] | None:
    """(offset, name) of the Vietnamese name in a run of capitalised words: a leading honorific or title
    word ("Ông Lò Văn Mừng", "Đồng chí Hà Thị Mai") is capitalised too and is not part of the name."""
    offset = 0
    while run.count(" ") >= 1:
        if looks_like_vietnamese_name(run):
            return offset, run
        head, run = run.split(" ", 1)
        offset += len(head) + 1
    return None


def name_key(text: str) -> str:
    return "".join(fold(text).split())


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


@dataclass
class Mention:
    start: int
    end: int
    text: str
    script: str  # "Latin" | "Thai"
    in_target: bool  # inside a line written in the target language


@dataclass
class Person:
    key: str
    skeleton: tuple[str, ...]
    vietnamese: str = ""  # the form with diacritics, when the text or the termbase has one
    mentions: list[Mention] = field(default_factory=list)
    concept: str = ""
    source_count: int = 0  # mentions in the source text (bilingual mode)


@lru_cache(maxsize=65536)
def _token_skeleton(token: str) -> tuple[str, ...]:
    return thai_skeleton(token)


def _thai_matches(text: str, offset: int, skeletons: dict[tuple[str, ...], Person]):
    """(start, end, surface, person) for runs of Thai words (single spaces allowed between them) whose
    skeleton is a person's; a run is extended only while its skeleton is a prefix of someone's."""
    prefixes = {skeleton[:n] for skeleton in skeletons for n in range(len(skeleton) + 1)}
    tokens = thai_words(text)
    positions = []
    pos = 0
    for token in tokens:
        positions.append(pos)
        pos += len(token)
    for i, token in enumerate(tokens):
        if not _THAI_WORD.fullmatch(token):
            continue
        skeleton: tuple[str, ...] = ()
        for j in range(i, min(i + 9, len(tokens))):
            piece = tokens[j]
            if j > i and piece == " ":
                continue
            if not _THAI_WORD.fullmatch(piece):
                break
            skeleton += _token_skeleton(piece)
            if skeleton not in prefixes:
                break
            if skeleton in skeletons:
                start, end = positions[i], positions[j] + len(piece)
                yield offset + start, offset + end, text[start:end], skeletons[skeleton]


def find_people(ctx) -> list[Person]:
    people: dict[str, Person] = {}
    target_lines = {line.number for line in ctx.target_language_lines}
    if ctx.bilingual and ctx.src_lang == "vi":
        # the source names the people: their Vietnamese spelling, and their skeletons to find them in Thai
        for line in ctx.source_lines:
            for m in NAME_RE.finditer(line.text):
                found = _name_within(m.group())
                if found is None:
                    continue
                _offset, name = found
                key = name_key(name)
                person = people.setdefault(key, Person(key=key, skeleton=vietnamese_skeleton(name)))
                if has_diacritics(name) and not person.vietnamese:
                    person.vietnamese = name
                person.source_count += 1
    for line in ctx.lines:
        for m in NAME_RE.finditer(line.text):
            found = _name_within(m.group())
            if found is None:
                continue
            offset, name = found
            key = name_key(name)
            person = people.setdefault(key, Person(key=key, skeleton=vietnamese_skeleton(name)))
            if has_diacritics(name) and not person.vietnamese:
                person.vietnamese = name
            start = line.start + m.start() + offset
            person.mentions.append(Mention(start, start + len(name), name, "Latin", line.number in target_lines))
    if ctx.termbase is not None:
        for entry in map(as_term_entry, ctx.termbase.terms_for("vi")):
            if looks_like_vietnamese_name(entry.text):
                key = name_key(entry.text)
                person = people.setdefault(key, Person(key=key, skeleton=vietnamese_skeleton(entry.text)))
                person.vietnamese = person.vietnamese or entry.text
                person.concept = entry.concept
    if ctx.lang == "th":
        by_skeleton = {}
        for p in people.values():
            for skeleton in sorted(vietnamese_skeletons(p.vietnamese or p.key) | {p.skeleton}):
                if len(skeleton) >= 3:
                    by_skeleton.setdefault(skeleton, p)
        if by_skeleton:
            for line in ctx.target_language_lines:
                taken: list[tuple[int, int]] = []
                candidates = list(_thai_matches(line.text, line.start, by_skeleton))
                # longest first, then leftmost; no overlaps
                for start, end, surface, person in sorted(candidates, key=lambda c: (-(c[1] - c[0]), c[0])):
                    if any(s < end and start < e for s, e in taken):
                        continue
                    taken.append((start, end))
                    person.mentions.append(Mention(start, end, surface, "Thai", True))
    for person in people.values():
        person.mentions.sort(key=lambda m: m.start)
    return [p for p in people.values() if p.mentions]
