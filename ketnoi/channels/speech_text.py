"""Written text turned into what a reader says (issue 8.3), before espeak-ng reads it out.

Vietnamese only: numbers in the Vietnamese notation ("1.250" is one thousand two hundred fifty,
"1.250,5" has a decimal comma), dates, times, money, percentages, spans of years, document symbols
("752/QĐ-TTg") and abbreviations ("UBND") become words. Every other language is left as written apart
from NFC and whitespace: espeak-ng's own rules read its numbers, and we have no checked rules for them.

The abbreviations and the expansions of document kinds and issuing bodies are editable data,
data/speech_abbreviations.csv, one row per abbreviation with its source (status M = unverified).

Numbers are read by the rules below, not by num2words: num2words 0.5.14 (lang="vi") reads 2024 as
"hai nghìn lẻ hai mươi bốn" and 1.005 as "một nghìn lẻ năm" (a thousands group after the first must
say its hundreds: "hai nghìn không trăm hai mươi tư", "một nghìn không trăm linh năm"), and 1250,5 as
"... phẩy năm mươi" (the decimal ",5" is "phẩy năm"). It is right on 21, 25, 105, 15.000 and 1.250.000.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ABBREVIATIONS_FILE = Path(__file__).with_name("data") / "speech_abbreviations.csv"

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
# The word for an empty tens place ("một trăm linh năm"): "linh" in the North and in broadcasting,
# "lẻ" in the South.
ODD = "linh"
MONTHS = {4: "tư"}  # "tháng tư", never "tháng bốn"; other months read as their number
LETTERS = {
    "A": "a", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e", "F": "ép", "G": "giê", "H": "hát",
    "I": "i", "J": "gi", "K": "ca", "L": "e lờ", "M": "em mờ", "N": "en nờ", "O": "o", "P": "pê",
    "Q": "quy", "R": "e rờ", "S": "ét", "T": "tê", "U": "u", "V": "vê", "W": "vê kép", "X": "ích",
    "Y": "i dài", "Z": "dét",
}  # fmt: skip


# --- Numbers -------------------------------------------------------------------------------


def _group(n: int, full: bool) -> list[str]:
    """0 < n < 1000; ``full``: a group after a higher one says its hundreds ("không trăm")."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append(ODD)
            words.append(DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGITS[units])
    else:
        words += [DIGITS[tens], "mươi"]
        if units:
            words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(units, DIGITS[units]))
    return words


def _below_billion(n: int, full: bool) -> list[str]:
    words: list[str] = []
    for scale, name in ((1_000_000, "triệu"), (1_000, "nghìn"), (1, "")):
        part, n = divmod(n, scale)
        if part:
            words += _group(part, full)
            if name:
                words.append(name)
            full = True
    return words


def read_number(n: int) -> str:
    """A whole number in words: 21 "hai mươi mốt", 105 "một trăm linh năm", 2024 "hai nghìn không
    trăm hai mươi tư", 1.250.000 "một triệu hai trăm năm mươi nghìn", 10^12 "một nghìn tỷ"."""
    if n < 0:
        return "âm " + read_number(-n)
    if n == 0:
        return DIGITS[0]
    if n >= 1_000_000_000:
        high, low = divmod(n, 1_000_000_000)
        words = [read_number(high), "tỷ"]
        if low:
            words += _below_billion(low, True)
        return " ".join(words)
    return " ".join(_below_billion(n, False))


def read_digits(digits: str) -> str:
    return " ".join(DIGITS[int(d)] for d in digits)


def read_decimal(integer: str, fraction: str = "") -> str:
    """Integer part as a number; after "phẩy", leading zeros one by one, then up to two digits as a
    number ("12,5" "mười hai phẩy năm", "3,14" "ba phẩy mười bốn", "0,05" "không phẩy không năm"),
    longer fractions digit by digit."""
    words = read_number(int(integer))
    if fraction:
        stripped = fraction.lstrip("0")
        zeros = len(fraction) - len(stripped)
        spoken = [DIGITS[0]] * zeros
        if stripped:
            spoken.append(read_number(int(stripped)) if len(stripped) <= 2 else read_digits(stripped))
        words += " phẩy " + " ".join(spoken)
    return words


def read_written_number(token: str) -> str:
    """A number as written in Vietnamese text: "1.250", "1.250,5", "12,5", "05", "0912345678"."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}", token):  # 1,250,000: English thousands separators
        return read_number(int(token.replace(",", "")))
    integer, _, fraction = token.partition(",")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", integer):
        integer = integer.replace(".", "")
    elif "." in integer:  # "2.1" (a section number): "hai chấm một"
        return " chấm ".join(read_written_number(part) for part in integer.split("."))
    if (integer.startswith("0") and len(integer) > 3 and not fraction) or len(integer) > 15:
        return read_digits(integer)  # phone numbers, codes, account numbers
    return read_decimal(integer, fraction)


# --- Data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Abbreviations:
    text: dict[str, str]  # read wherever they stand
    symbol: dict[str, str]  # only inside a document symbol ("TT" thông tư, "CP" chính phủ)
    unit: dict[str, str]  # only right after a number ("15 ha")


@lru_cache(maxsize=1)
def abbreviations() -> Abbreviations:
    tables: dict[str, dict[str, str]] = {"text": {}, "symbol": {}, "unit": {}}
    with ABBREVIATIONS_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = unicodedata.normalize("NFC", row["abbreviation"].strip())
            reading = unicodedata.normalize("NFC", row["reading"].strip())
            tables[row["context"].strip()][key] = reading
    return Abbreviations(**tables)


def _alternation(keys) -> str:
    return "|".join(re.escape(key) for key in sorted(keys, key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    table = abbreviations()
    text = re.compile(rf"(?<![\w&.])(?:{_alternation(table.text)})(?![\w&])")
    unit = re.compile(rf"(?<=\d)\s?(?:{_alternation(table.unit)})(?![\w²])")
    return text, unit


# --- Rules ---------------------------------------------------------------------------------

NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
SEGMENT = r"[A-ZĐ][A-Za-zĐđ&]*\d*"
SYMBOL = re.compile(
    rf"(?<![\w/])(?P<number>\d+)(?:/(?P<year>(?:19|20)\d\d))?/(?P<segments>{SEGMENT}(?:-{SEGMENT})*)(?![\w/])"
)
PARTY_SYMBOL = re.compile(rf"(?<![\w/])(?P<number>\d+)-(?P<kind>{SEGMENT})/(?P<issuer>{SEGMENT})(?![\w/])")
DATE = re.compile(r"(?<![\w/.,-])(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4})(?![\w/])")
# "ngày 24/5", "từ 1/2 đến 5/2", "sáng 3/9": a day and month without a year is a date only after these
# words ("1/2 số hộ" is a half).
DAY_MONTH = re.compile(
    r"(?<!\w)(?P<word>[Nn]gày|[Tt]ừ|đến|[Ss]áng|[Tt]rưa|[Cc]hiều|[Tt]ối|[Đđ]êm|[Hh]ôm)\s+"
    r"(?P<day>\d{1,2})/(?P<month>\d{1,2})(?![\w/])"
)
MONTH_YEAR = re.compile(r"(?<!\w)(?P<word>[Tt]háng)\s+(?P<month>\d{1,2})[/-](?P<year>\d{4})(?![\w/])")
MONTH = re.compile(r"(?<!\w)(?P<word>[Tt]háng)\s+(?P<month>\d{1,2})(?![\w/]|[.,]\d)")
TIME = re.compile(
    r"(?<![\w:])(?P<hour>[01]?\d|2[0-3])"
    r"(?::(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?|h(?P<hminute>[0-5]\d)?)(?![\w:])"
)
NEGATIVE_TEMPERATURE = re.compile(r"(?<![\w.,])-(?=\d+(?:,\d+)?\s?°C)")
YEAR_SPAN = re.compile(
    r"(?<![\w/])(?P<before>(?:[Nn]ăm học|[Nn]iên khóa|[Nn]ăm)\s+)?"
    r"(?P<start>(?:19|20)\d\d)\s*[–—-]\s*(?P<end>(?:19|20)\d\d)(?![\w/])"
)
NUMBER_SPAN = re.compile(rf"(?<![\w/.,-])(?P<start>{NUMBER})\s*(?P<dash>[–-])\s*(?P<end>{NUMBER})(?![\w/-])")
MONEY = re.compile(r"(?<=\d)\s?(?:VNĐ|VND|vnđ|vnd|đồng|đ)(?!\w)")
PERCENT = re.compile(r"(?<=\d)\s?%")
PER = re.compile(r"(?<=[^\W\d])/(?=(?:người|tháng|năm|ngày|tuần|hộ|giờ|lượt|xã|thôn|bản|kg|tấn|ha)(?!\w))")
ORDINAL = re.compile(r"(?<!\w)(?P<word>[Tt]hứ)\s+(?P<n>\d+)(?![\w/]|[.,]\d)")
ROMAN_AFTER = re.compile(
    r"(?<!\w)(?P<word>[Kk]hóa|[Đđ]ại hội|[Tt]hế kỷ|[Qq]uý|[Cc]hương|[Pp]hần|[Mm]ục|[Kk]hu vực|KV)"
    r"\s+(?P<roman>[IVXLC]+)(?!\w)"
)
ACRONYM = re.compile(r"(?<![\w&.])[A-ZĐ]{2,6}(?![\w&])")
NUMBER_TOKEN = re.compile(rf"(?<!\w)(?:\d{{1,3}}(?:,\d{{3}}){{2,}}(?![\d,])|\d+(?:\.\d+)+(?:,\d+)?|{NUMBER})")
SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"(?:uye|uya|oai|oay|uoi|ươi|ieu|yeu|uou|[aeiouy]{1,3})(?:ch|ng|nh|[cmnpt])?"
)
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman(value: str) -> int:
    total = 0
    for here, after in zip(value, value[1:] + " ", strict=True):
        n = ROMAN[here]
        total += -n if after in ROMAN and ROMAN[after] > n else n
    return total


def _month(n: int) -> str:
    return MONTHS.get(n) or read_number(n)


def _date(day: int, month: int, year: int | None, *, with_word: bool) -> str:
    words = f"ngày {read_number(day)} " if with_word else f"{read_number(day)} "
    words += f"tháng {_month(month)}"
    if year is not None:
        words += f" năm {read_number(year)}"
    return words


def _preceded_by_day_word(text: str, start: int) -> bool:
    return bool(re.search(r"(?<!\w)[Nn]gày\s*$", text[:start]))


def _segment(segment: str) -> str:
    table = abbreviations()
    letters, digits = re.fullmatch(r"(.*?)(\d*)", segment).groups()
    reading = table.symbol.get(letters) or table.text.get(letters) or _spell(letters)
    return f"{reading} {read_number(int(digits))}" if digits else reading


def _spell(letters: str) -> str:
    return " ".join(LETTERS.get(ch.upper(), ch) for ch in letters)


def _symbol(match: re.Match) -> str:
    parts = [read_number(int(match["number"]))]
    if match["year"]:
        parts.append(f"năm {read_number(int(match['year']))}")
    written = match["segments"].split("-")
    segments = [_segment(s) for s in written]
    if _kind_said_before(match, written[0], segments[0]):
        segments = segments[1:]
    return ", ".join(parts + segments)


def _kind_said_before(match: re.Match, written: str, spoken: str) -> bool:
    """ "Nghị định 49/2024/NĐ-CP", "theo QĐ số 752/QĐ-TTg": the kind is already said before the number."""
    before = match.string[: match.start()].lower()
    words = "|".join(re.escape(w) for w in {spoken, written.lower()})
    return bool(re.search(rf"(?<!\w)(?:{words})\s+(?:số\s+)?$", before))


def _party_symbol(match: re.Match) -> str:
    kind, issuer = _segment(match["kind"]), _segment(match["issuer"])
    parts = [read_number(int(match["number"]))]
    if not _kind_said_before(match, match["kind"], kind):
        parts.append(kind)
    return ", ".join([*parts, issuer])


def _date_match(match: re.Match) -> str:
    day, month, year = int(match["day"]), int(match["month"]), int(match["year"])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return match.group()
    return _date(day, month, year, with_word=not _preceded_by_day_word(match.string, match.start()))


def _day_month(match: re.Match) -> str:
    day, month = int(match["day"]), int(match["month"])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return match.group()
    word = match["word"]
    return f"{word} {_date(day, month, None, with_word=word.lower() != 'ngày')}"


def _month_year(match: re.Match) -> str:
    month = int(match["month"])
    if not 1 <= month <= 12:
        return match.group()
    return f"{match['word']} {_month(month)} năm {read_number(int(match['year']))}"


def _month_only(match: re.Match) -> str:
    month = int(match["month"])
    return f"{match['word']} {_month(month)}" if 1 <= month <= 12 else match.group()


def _time(match: re.Match) -> str:
    minute = match["minute"] or match["hminute"]
    words = f"{read_number(int(match['hour']))} giờ"
    if minute and (int(minute) or match["second"]):
        words += f" {read_number(int(minute))} phút"
    if match["second"]:
        words += f" {read_number(int(match['second']))} giây"
    return words


def _year_span(match: re.Match) -> str:
    start, end = int(match["start"]), int(match["end"])
    if end <= start:
        return match.group()
    before = match["before"] or ""
    if before.strip().lower() in ("năm học", "niên khóa"):  # a school year: "năm học 2024–2025"
        return f"{before}{read_number(start)} đến {read_number(end)}"
    return f"từ năm {read_number(start)} đến năm {read_number(end)}"


def _number_span(match: re.Match) -> str:
    start, end = match["start"], match["end"]
    if match["dash"] == "-" and (start.startswith("0") or _value(start) >= _value(end)):
        return match.group()  # "0912-345-678", "3-2": not a span
    return f"{read_written_number(match['start'])} đến {read_written_number(match['end'])}"


def _value(written: str) -> float:
    return float(written.replace(".", "").replace(",", "."))


def _ordinal(match: re.Match) -> str:
    n = int(match["n"])
    return f"{match['word']} " + {1: "nhất", 4: "tư"}.get(n, read_number(n))


def _roman_match(match: re.Match) -> str:
    word = match["word"]
    if word == "KV":
        word = abbreviations().text.get("KV", word)
    return f"{word} {read_number(_roman(match['roman']))}"


def _acronym(match: re.Match) -> str:
    """An all-capital word not in the table: kept when it can be a Vietnamese syllable ("TIN" in a
    heading), spelled by its letters otherwise ("VTV" "vê tê vê"); espeak-ng would read it in English."""
    token = match.group()
    if SYLLABLE.fullmatch(token.lower()):
        return token
    return _spell(token)


def _spaced(function):
    return lambda match: f" {function(match)} "


def _vietnamese(text: str) -> str:
    text_abbreviations, unit = _patterns()
    table = abbreviations()
    text = SYMBOL.sub(_spaced(_symbol), text)
    text = PARTY_SYMBOL.sub(_spaced(_party_symbol), text)
    text = DATE.sub(_spaced(_date_match), text)
    text = DAY_MONTH.sub(_spaced(_day_month), text)
    text = MONTH_YEAR.sub(_spaced(_month_year), text)
    text = TIME.sub(_spaced(_time), text)
    text = NEGATIVE_TEMPERATURE.sub("âm ", text)
    text = MONEY.sub(" đồng", text)
    text = PERCENT.sub(" phần trăm", text)
    text = unit.sub(lambda m: " " + table.unit[m.group().strip()], text)
    text = YEAR_SPAN.sub(_spaced(_year_span), text)
    text = NUMBER_SPAN.sub(_spaced(_number_span), text)
    text = PER.sub(" một ", text)
    text = MONTH.sub(_month_only, text)
    text = ORDINAL.sub(_ordinal, text)
    text = ROMAN_AFTER.sub(_roman_match, text)
    text = text_abbreviations.sub(lambda m: table.text[m.group()], text)
    text = ACRONYM.sub(_acronym, text)
    text = NUMBER_TOKEN.sub(_spaced(lambda m: read_written_number(m.group())), text)
    text = re.sub(r"\s*&\s*", " và ", text)
    return text


def _tidy(text: str) -> str:
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    text = "\n".join(line for line in lines if line)
    return re.sub(r" +([,.;:!?)])", r"\1", text)


def normalise_for_speech(text: str, language: str = "vi") -> str:
    """What a reader says for ``text``. Vietnamese ("vi", "vi-VN"): numbers, dates, times, money,
    percentages, spans of years, document symbols and abbreviations in words. Any other language:
    NFC and whitespace only (one space between words, no empty lines)."""
    text = unicodedata.normalize("NFC", text or "")
    if language.split("-")[0].lower() == "vi":
        text = _vietnamese(_tidy(text))
    return _tidy(text)
