"""Text at the boundaries: NFC, one Vietnamese tone-mark placement, folding, collation, dates."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

from underthesea.pipeline.text_normalize import token_normalize

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Words repeat across names and texts ("Xã", "Thị", "Ủy ban"): normalise each distinct word once.
_normalize_word = lru_cache(maxsize=65536)(token_normalize)


# Names and labels (up to this length) repeat across rows: each distinct one is normalised once.
_CACHED_LENGTH = 200
_WORDS_AND_SPACES = re.compile(r"[\w ]*")


def normalize_text(value: str | None, *, collapse_spaces: bool = False) -> str:
    """NFC, control characters removed, Vietnamese tone marks placed the modern way ("Ủy", "hòa").

    underthesea's token normaliser is applied word by word so punctuation and spacing stay as
    they were (its text_normalize re-tokenises and inserts spaces around punctuation).
    """
    if value is None:
        return ""
    value = str(value)
    if len(value) <= _CACHED_LENGTH:
        return _normalize_short(value, collapse_spaces)
    return _normalize(value, collapse_spaces)


def _normalize(value: str, collapse_spaces: bool) -> str:
    text = unicodedata.normalize("NFC", value)
    text = _CONTROL.sub("", text)
    if _WORDS_AND_SPACES.fullmatch(text):
        # Only words and single spaces (most names): split instead of a regex callback per word.
        text = " ".join(map(_normalize_word, text.split(" ")))
    else:
        text = _WORD.sub(lambda m: _normalize_word(m.group()), text)
    text = unicodedata.normalize("NFC", text)
    if collapse_spaces:
        text = _SPACES.sub(" ", text).strip()
    return text


_normalize_short = lru_cache(maxsize=65536)(_normalize)


def fold(value: str | None) -> str:
    """Search key: lower case, no diacritics, đ → d, single spaces ("Ủy ban" → "uy ban")."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= _CACHED_LENGTH:
        return _fold_short(value)
    return _fold(value)


def _fold(value: str) -> str:
    # Word by word (whitespace never combines with a mark), each distinct word folded once; a word
    # that folds to nothing (punctuation only) leaves no space behind.
    return " ".join(filter(None, map(_fold_word, value.split())))


_fold_short = lru_cache(maxsize=65536)(_fold)


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    """One whitespace-free word folded, with single spaces where punctuation was, none at the ends."""
    text = unicodedata.normalize("NFD", word.lower().replace("đ", "d").replace("Đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(_NON_WORD.sub(" ", text).split())


# Vietnamese alphabet order; letters outside it sort after, by code point.
_VI_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_VI_RANK = {ch: i for i, ch in enumerate(_VI_ALPHABET)}
# Tone order used by Vietnamese dictionaries: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_BASE_MARKS = {"\u0306": "ă", "\u0302": "â", "\u031b": "ơ"}  # breve, circumflex, horn


def _split_letter(ch: str) -> tuple[str, int]:
    """Return (base Vietnamese letter, tone rank) for one precomposed lower-case character."""
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    tone = 0
    for mark in marks:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark == "\u0302":
            base = {"a": "â", "e": "ê", "o": "ô"}.get(base, base)
        elif mark == "\u0306":
            base = "ă" if base == "a" else base
        elif mark == "\u031b":
            base = {"o": "ơ", "u": "ư"}.get(base, base)
    if ch == "đ":
        base = "đ"
    return base, tone


def vi_sort_key(value: str | None) -> str:
    """An ASCII key whose plain byte order is Vietnamese dictionary order.

    Letters first (a < ă < â < b … < đ …), then tones as a tie-break, then case. Being ASCII
    digits, the key sorts the same under SQLite's and PostgreSQL's collations.
    """
    text = unicodedata.normalize("NFC", value or "").strip()
    if len(text) <= _CACHED_LENGTH:
        return _vi_sort_key_short(text)
    return _vi_sort_key(text)


def _vi_sort_key(text: str) -> str:
    # Word by word (split on spaces, each distinct word keyed once); a space's primary weight is
    # "00" and it has no tone or case weight, so joining the words' parts gives the same key.
    primary, secondary, tertiary = zip(*map(_word_sort_key, text.split(" ")), strict=True)
    return ".".join(["00".join(primary), "".join(secondary), "".join(tertiary)])


_vi_sort_key_short = lru_cache(maxsize=65536)(_vi_sort_key)


@lru_cache(maxsize=65536)
def _word_sort_key(word: str) -> tuple[str, str, str]:
    primary: list[str] = []
    secondary: list[str] = []
    tertiary: list[str] = []
    for ch in word:
        key = _char_key(ch)
        if key is None:
            continue
        primary.append(key[0])
        if key[1]:
            secondary.append(key[1])
            tertiary.append(key[2])
    return "".join(primary), "".join(secondary), "".join(tertiary)


@lru_cache(maxsize=8192)
def _char_key(ch: str) -> tuple[str, str, str] | None:
    """(primary, tone, case) of one character for :func:`vi_sort_key`; a space has only a primary
    weight, punctuation none (None)."""
    lower = ch.lower()
    if lower.isspace():
        return ("00", "", "")
    base, tone = _split_letter(lower)
    if base in _VI_RANK:
        primary = f"{_VI_RANK[base] + 10:02d}"
    elif base.isdigit():
        primary = f"0{base}"  # digits before letters
    elif base.isalpha():
        primary = f"9{min(ord(base), 99999):05d}"[:6]
    else:
        return None  # punctuation is ignored at the primary level
    return (primary, str(tone), "0" if ch == lower else "1")


def vi_sorted(items, key=lambda item: item):
    return sorted(items, key=lambda item: vi_sort_key(key(item)))


_THAI_MONTHS = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]


def format_date(value: dt.date | dt.datetime | None, language: str = "vi", *, with_time: bool = False) -> str:
    """dd/mm/yyyy for Vietnamese and English; Thai shows the Buddhist Era year (CE + 543)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
    time_part = f" {value:%H:%M}" if with_time and isinstance(value, dt.datetime) else ""
    if language.startswith("th"):
        return f"{value.day} {_THAI_MONTHS[value.month - 1]} {value.year + 543}{time_part}"
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}{time_part}"


def parse_date(value: str) -> dt.date:
    """Parse dd/mm/yyyy (the Vietnamese form) or ISO yyyy-mm-dd; raise ValueError otherwise."""
    text = (value or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date in dd/mm/yyyy form: {value!r}")


_SIMPLE_NAME = re.compile(r"\w+(?: \w+)*")


def name_keys(value: str | None) -> tuple[str, str, str]:
    """``(normalize_text(value, collapse_spaces=True), fold(…), vi_sort_key(…))`` of a name, in one pass.

    For the common name (words between single spaces) each distinct word is normalised, folded and
    given its sort-key parts once, and the three results are joined from those; anything else goes
    through the three functions. The reference loaders key 14,000 unit names this way (issue 7.12).
    """
    text = unicodedata.normalize("NFC", str(value or ""))
    if len(text) > _CACHED_LENGTH or not _SIMPLE_NAME.fullmatch(text):
        normalized = normalize_text(text, collapse_spaces=True)
        return normalized, fold(normalized), vi_sort_key(normalized)
    return _simple_name_keys(text)


@lru_cache(maxsize=65536)
def _simple_name_keys(text: str) -> tuple[str, str, str]:
    words, folded, primary, secondary, tertiary = zip(*map(_word_keys, text.split(" ")), strict=True)
    normalized = " ".join(words)
    if any(not word or " " in word for word in words):  # a word the normaliser split or emptied
        return normalized, fold(normalized), vi_sort_key(normalized)
    return (
        normalized,
        " ".join(filter(None, folded)),
        ".".join(["00".join(primary), "".join(secondary), "".join(tertiary)]),
    )


@lru_cache(maxsize=65536)
def _word_keys(word: str) -> tuple[str, str, str, str, str]:
    normalized = unicodedata.normalize("NFC", _normalize_word(word))
    return (normalized, " ".join(filter(None, map(_fold_word, normalized.split()))), *_word_sort_key(normalized))
