"""Encryption of personal data at rest (Decree 13/2023), with key rotation.

Values are Fernet tokens (AES-128-CBC with HMAC-SHA256, from ``cryptography``). The keys come from
the setting ``KETNOI_FIELD_KEYS`` (the environment variable of the same name, comma-separated): the
first key encrypts, every key decrypts, so a new key is put first, ``ketnoi rotate-keys`` re-encrypts
every stored value with it, and only then the old key is removed.

Without a configured key a development key is derived from SECRET_KEY; the system check
``ketnoi.crypto.W001`` warns about it whenever DEBUG is off.

Encrypted values cannot be searched. Where a lookup is needed (a feedback sender by phone or
e-mail) a "blind index" sits beside the value: a keyed HMAC of the normalised value
(``blind_index``), keyed by ``KETNOI_BLIND_INDEX_KEY`` (derived from SECRET_KEY when unset).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks

log = logging.getLogger(__name__)

# Every Fernet token starts with the version byte 0x80 and a 64-bit timestamp, so in base64 "gAAAAA".
TOKEN_PREFIX = "gAAAAA"


class DecryptionError(Exception):
    """A stored token that none of the configured keys opens (a key was removed too early)."""


def _derived_key() -> bytes:
    digest = hashlib.sha256(f"ketnoi-field-key:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


def configured_keys() -> tuple[str, ...]:
    keys = getattr(settings, "KETNOI_FIELD_KEYS", None) or ()
    if isinstance(keys, str):
        keys = keys.split(",")
    return tuple(k.strip() for k in keys if k and k.strip())


def _keys() -> tuple[bytes, ...]:
    configured = configured_keys()
    if configured:
        return tuple(k.encode() for k in configured)
    if not settings.DEBUG and not getattr(settings, "TESTING", False):
        _warn_once()
    return (_derived_key(),)


@functools.cache
def _warn_once() -> None:
    log.warning(
        "KETNOI_FIELD_KEYS is not set: personal data is encrypted with a key derived from SECRET_KEY "
        "(set KETNOI_FIELD_KEYS, see docs/configuration.md)"
    )


@functools.lru_cache(maxsize=8)
def _fernets(keys: tuple[bytes, ...]) -> tuple[MultiFernet, Fernet]:
    fernets = [Fernet(k) for k in keys]
    return MultiFernet(fernets), fernets[0]


def _multi() -> MultiFernet:
    return _fernets(_keys())[0]


def _primary() -> Fernet:
    return _fernets(_keys())[1]


def generate_key() -> str:
    return Fernet.generate_key().decode()


def is_token(value: str) -> bool:
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX)


def encrypt(value: str) -> str:
    """The token of ``value`` under the first key. Empty stays empty (it holds nobody's data)."""
    if value is None or value == "":
        return value
    return _multi().encrypt(str(value).encode()).decode()


def decrypt(value: str) -> str:
    """The text of a token. A value that is not a token is returned as it is: a row written before
    its field was encrypted, until the data migration or ``ketnoi rotate-keys`` encrypts it."""
    if value is None or value == "" or not is_token(value):
        return value
    try:
        return _multi().decrypt(value.encode()).decode()
    except InvalidToken:
        raise DecryptionError("no configured key (KETNOI_FIELD_KEYS) opens a stored value") from None


def is_current(value: str) -> bool:
    """Whether ``value`` is empty or a token under the first key (nothing for rotation to do)."""
    if value is None or value == "":
        return True
    if not is_token(value):
        return False
    try:
        _primary().decrypt(value.encode())
    except InvalidToken:
        return False
    return True


def rotate(value: str) -> str:
    """``value`` encrypted under the first key (a plain legacy value is encrypted)."""
    if value is None or value == "":
        return value
    if not is_token(value):
        return encrypt(value)
    try:
        return _multi().rotate(value.encode()).decode()
    except InvalidToken:
        raise DecryptionError("no configured key (KETNOI_FIELD_KEYS) opens a stored value") from None


def _index_key() -> bytes:
    configured = getattr(settings, "KETNOI_BLIND_INDEX_KEY", "")
    if configured:
        return configured.encode()
    return hashlib.sha256(f"ketnoi-blind-index:{settings.SECRET_KEY}".encode()).digest()


def normalise_contact(value: str) -> str:
    """The form of a phone number or e-mail address that the blind index is taken of: e-mail in lower
    case; a phone number as digits, with +84 / 84 written as the national 0."""
    value = (value or "").strip()
    if not value:
        return ""
    if "@" in value:
        return value.lower()
    digits = re.sub(r"\D", "", value)
    if value.startswith("+84") or (digits.startswith("84") and len(digits) >= 11):
        digits = "0" + digits[2:]
    return digits or value.lower()


def blind_index(value: str, normalise=normalise_contact) -> str:
    """A keyed HMAC-SHA256 of the normalised value (hex), to find rows by an encrypted value."""
    value = normalise(value or "")
    if not value:
        return ""
    return hmac.new(_index_key(), value.encode(), hashlib.sha256).hexdigest()


@checks.register(checks.Tags.security, deploy=False)
def check_field_keys(app_configs=None, **kwargs):
    """Warn when personal data is encrypted with the development key outside development."""
    if settings.DEBUG or configured_keys() or getattr(settings, "TESTING", False):
        return []
    return [
        checks.Warning(
            "KETNOI_FIELD_KEYS is not set: personal data is encrypted with a key derived from SECRET_KEY.",
            hint="Generate a key with `ketnoi rotate-keys --generate`, set KETNOI_FIELD_KEYS (docs/configuration.md).",
            id="ketnoi.crypto.W001",
        )
    ]


def check_keys_valid() -> None:
    """Raise ValueError when a configured key is not a Fernet key."""
    for key in configured_keys():
        Fernet(key.encode())


def migrate_column(connection, table: str, column: str, *, forward: bool, index_column: str | None = None) -> int:
    """Encrypt (``forward``) or decrypt a column in place, with raw SQL (data migrations: independent
    of the model's field class). Values already in the wanted form are left alone; returns the count."""
    qn = connection.ops.quote_name
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {qn(column)} FROM {qn(table)}")  # noqa: S608 (names from the migration)
        rows = cursor.fetchall()
        for pk, value in rows:
            if value is None or value == "":
                continue
            if forward:
                if is_token(value):
                    continue
                new, plain = encrypt(value), value
            else:
                if not is_token(value):
                    continue
                new = plain = decrypt(value)
            if index_column:
                cursor.execute(
                    f"UPDATE {qn(table)} SET {qn(column)} = %s, {qn(index_column)} = %s WHERE id = %s",
                    [new, blind_index(plain) if forward else "", pk],
                )
            else:
                cursor.execute(f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE id = %s", [new, pk])
            changed += 1
    return changed
