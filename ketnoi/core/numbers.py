"""Numbers the Vietnamese way: "1.250" is one thousand two hundred and fifty, "1.250,5" has a
decimal comma (issue 7.2). Forms accept both that and the plain "1250.5" a spreadsheet or an API
client sends; numbers are shown with thousands separators and without needless decimals."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")  # 1.250 / 12.345.678: dots group thousands


def parse_number(value, *, language: str = "vi") -> Decimal:
    """A Decimal from a number or from text typed the Vietnamese or the plain way; ValueError if not one.

    In English and Thai (``language``) a comma groups thousands and a dot is decimal, as those
    interfaces show numbers, so what a page shows is read back as the same number."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = _SPACES.sub("", str(value))
    if not language.startswith("vi"):
        text = text.replace(",", "")
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):  # 1.250,5: dots group, the comma is decimal
            text = text.replace(".", "").replace(",", ".")
        else:  # 1,250.5: commas group
            text = text.replace(",", "")
    elif "," in text:
        if text.count(",") > 1:
            raise ValueError(value)
        text = text.replace(",", ".")  # 1250,5
    elif _GROUPED.match(text) and language.startswith("vi"):
        text = text.replace(".", "")  # 1.250
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def format_number(value, *, decimals: int | None = None, language: str = "vi") -> str:
    """1250 → "1.250", 1250.5 → "1.250,5" in Vietnamese; "1,250.5" in English and Thai. A whole
    number is shown without decimals. Empty for None."""
    if value is None or value == "":
        return ""
    try:
        number = parse_number(value)
    except ValueError:
        return str(value)
    if decimals is not None:
        number = round(number, decimals)
    if number == number.to_integral_value():
        whole, fraction = f"{int(number):,}", ""
    else:
        text = f"{number.normalize():,f}"
        whole, _, fraction = text.partition(".")
    if language.startswith("vi"):
        whole = whole.replace(",", ".")
        return f"{whole},{fraction}" if fraction else whole
    return f"{whole}.{fraction}" if fraction else whole
