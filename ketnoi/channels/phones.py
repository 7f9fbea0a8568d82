"""Vietnamese phone numbers (issue 8.8), parsed and validated with Google's libphonenumber data
(the ``phonenumbers`` package), never by hand.

* ``normalise_phone(raw)`` → E.164 (``+84912345678``). It accepts what people type: ``0912 345 678``,
  ``091.234.5678``, ``+84 912-345-678``, ``84912345678``, ``(+84) 912345678``, full-width digits,
  and the 11-digit mobile numbers of before the 2018 renumbering (``0166 …`` → ``036 …``, from
  data/vn_mobile_prefixes_2018.csv). A number that is not a valid Vietnamese number is a
  ValidationError that says so; ``for_sms=True`` also refuses landlines, which cannot receive SMS.
* ``mask(e164)`` → ``+84 91x xxx x78``: what a list may show of a number (the first two and last two
  digits). Phone numbers are personal data (docs/personal-data.md): stored encrypted
  (EncryptedTextField), shown in full only to those who manage the commune's channels, and masked
  everywhere else, logs included.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

REGION = "VN"
PREFIXES_2018 = Path(__file__).with_name("data") / "vn_mobile_prefixes_2018.csv"
_MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
_SEPARATORS = re.compile(r"[\s.\-/()]+")


@lru_cache(maxsize=1)
def _old_prefixes() -> dict[str, str]:
    with PREFIXES_2018.open(encoding="utf-8", newline="") as handle:
        return {row["old"]: row["new"] for row in csv.DictReader(handle)}


def _renumber_2018(compact: str) -> str:
    """An 11-digit mobile number of before 2018 (0166…, +84166…) in its current 10-digit form."""
    national = "0" + compact[3:] if compact.startswith("+84") else compact
    if national.startswith("84") and len(national) == 12:
        national = "0" + national[2:]
    if len(national) == 11 and national[:4] in _old_prefixes():
        return _old_prefixes()[national[:4]] + national[4:]
    return compact


def _parse(raw) -> phonenumbers.PhoneNumber:
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    if not text:
        raise ValidationError(_("A phone number is required."), code="phone_required")
    compact = _SEPARATORS.sub("", text)
    if not re.fullmatch(r"\+?\d{4,16}", compact):
        raise ValidationError(
            _("%(value)s is not a phone number: only digits, spaces, dots, dashes and a leading + are allowed.")
            % {"value": text},
            code="phone_invalid",
        )
    compact = _renumber_2018(compact)
    if compact.startswith("84") and len(compact) in (11, 12):  # 84912345678: the country code without "+"
        compact = "+" + compact
    try:
        return phonenumbers.parse(compact, REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("%(value)s is not a valid Vietnamese phone number.") % {"value": text}, code="phone_invalid"
        ) from None


def normalise_phone(raw, *, for_sms: bool = False) -> str:
    """The number in E.164 (``+84912345678``), or ValidationError naming what is wrong with it."""
    number = _parse(raw)
    shown = str(raw).strip()
    if phonenumbers.region_code_for_number(number) != REGION or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("%(value)s is not a valid Vietnamese phone number.") % {"value": shown}, code="phone_invalid"
        )
    if for_sms and phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationError(
            _("%(value)s is a landline number: an SMS needs a mobile number.") % {"value": shown},
            code="phone_not_mobile",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national(e164: str) -> str:
    """The number as written in Vietnam, digits only: ``+84912345678`` → ``0912345678``."""
    number = phonenumbers.parse(e164, REGION)
    return "0" + str(number.national_number)


def gateway_digits(e164: str) -> str:
    """The form most Vietnamese SMS gateways and SMPP links expect: ``84912345678`` (no "+")."""
    return e164.lstrip("+")


def mask(e164: str) -> str:
    """``+84912345678`` → ``+84 91x xxx x78``: the first two and the last two digits stay."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return "x" * 6
    digits = str(number.national_number)
    if len(digits) <= 4:
        return f"+{number.country_code} " + "x" * len(digits)
    hidden = digits[:2] + "x" * (len(digits) - 4) + digits[-2:]
    groups = [hidden[i : i + 3] for i in range(0, len(hidden), 3)]
    if len(groups) > 1 and len(groups[-1]) == 1:  # never leave one digit alone at the end
        groups[-2:] = [groups[-2] + groups[-1]]
    return f"+{number.country_code} " + " ".join(groups)
