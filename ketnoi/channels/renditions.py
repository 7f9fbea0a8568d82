"""Facts about a text as a channel carries it (issue 8.2): how many SMS segments it takes, and how
long it takes to read out on the loudspeakers.

SMS: a message whose every character is in the GSM 03.38 default alphabet (characters of the
extension table count twice) travels as GSM-7, 160 characters in one SMS or 153 per part of a longer
one; anything else — Vietnamese with its diacritics, Thai, Lao — travels as UCS-2, 70 UTF-16 code
units in one SMS or 67 per part.

Reading time: a language's speech rate comes from data/speech_rates.csv, editable data marked [M]
(unverified), never a constant in code.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
RATES_FILE = Path(__file__).with_name("data") / "speech_rates.csv"


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (extension characters count 2) or UTF-16 code units
    segments: int
    per_segment: int  # capacity of each part at this length


def sms_size(text: str) -> SmsSize:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    if units <= single:
        return SmsSize(encoding, units, 1 if units else 0, single)
    return SmsSize(encoding, units, math.ceil(units / part), part)


@lru_cache(maxsize=1)
def speech_rates() -> dict[str, tuple[str, float]]:
    with RATES_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["language"]: (row["unit"], float(row["per_minute"])) for row in csv.DictReader(handle)}


def _words(text: str, language: str) -> int:
    if language in ("th", "lo", "km", "my"):  # written without spaces between words
        from pythainlp.tokenize import word_tokenize

        return sum(1 for token in word_tokenize(text, keep_whitespace=False) if re.search(r"\w", token))
    return len(re.findall(r"\w+", text))


def reading_seconds(text: str, language: str) -> int:
    """Seconds to read ``text`` aloud at the language's rate (the default rate where none is given)."""
    rates = speech_rates()
    _unit, per_minute = rates.get(language) or rates["default"]
    return math.ceil(_words(text, language) * 60 / per_minute)
