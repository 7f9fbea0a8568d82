"""The one interface every SMS and messaging adapter offers (issue 8.8).

An adapter sends one ``OutboundMessage`` and answers a ``SendResult`` with the provider's id for it,
or raises one of two errors the outbox acts on:

* ``TransientSendError``: try again later (timeouts, connection refused, HTTP 5xx and 429, SMPP
  throttling or a full queue, credentials the provider refused — the message itself is fine);
* ``PermanentSendError``: never retry this message (an invalid or landline number, a rejected
  message, HTTP 4xx, a recipient who opted out — then ``opted_out`` is true).

Both carry a short machine ``code`` (``timeout``, ``throttled``, ``http_500``, ``invalid_number``,
``opted_out`` …) that a page can translate, and ``reason``, the provider's own words, for an operator.

Providers report delivery later. ``parse_events(body, headers)`` turns what a provider posted to
the receipt endpoint (or, for SMPP, a deliver_sm PDU) into ``Receipt``s, ``OptOut``s and
``InboundMessage``s (a citizen's reply: feedback for the inbox); it raises
``ReceiptRejected`` (a ValidationError: answer 4xx) when the post is not authentic.
``parse_receipt`` is the same, receipts only.
"""

from __future__ import annotations

import hmac
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from django.core.exceptions import ImproperlyConfigured, ValidationError


@dataclass(frozen=True)
class OutboundMessage:
    """One message to one recipient.

    ``to`` is a phone number for SMS and Zalo ZNS (any form ``phones.normalise_phone`` accepts), a
    Zalo user id for Zalo OA messages, and whatever the receiving system expects for a webhook.
    ``key`` is the idempotency key: the outbox's id for this delivery, passed to the provider where
    it supports one (HTTP gateway request id, ZNS tracking_id, webhook message id), so that a retry
    after a lost answer does not send twice. The text is NFC-normalised here: decomposed Vietnamese
    would double an SMS's length.
    """

    to: str
    text: str
    key: str

    def __post_init__(self):
        object.__setattr__(self, "to", str(self.to).strip())
        object.__setattr__(self, "text", unicodedata.normalize("NFC", str(self.text)))
        object.__setattr__(self, "key", str(self.key))


@dataclass(frozen=True)
class SendResult:
    """Accepted by the provider. ``provider_id`` is what its receipts will name.

    A long SMS over SMPP travels as several parts, each with its own id: ``part_ids`` holds them
    all (``provider_id`` is the first) and a receipt may name any of them.
    """

    provider_id: str
    parts: int = 1
    part_ids: tuple[str, ...] = field(default=())

    def __post_init__(self):
        if not self.part_ids:
            object.__setattr__(self, "part_ids", (self.provider_id,))


class SendError(Exception):
    def __init__(self, reason: str, *, code: str = "", retry_after: float | None = None, opted_out: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.retry_after = retry_after  # seconds, when the provider said (HTTP Retry-After)
        self.opted_out = opted_out


class TransientSendError(SendError):
    """Try again later: the provider could not take the message now."""


class PermanentSendError(SendError):
    """Do not retry: the provider will never deliver this message."""


class SenderNotConfigured(ImproperlyConfigured):
    """No adapter is configured for the platform, or its settings are incomplete (the message says which)."""


class ReceiptRejected(ValidationError):
    """A receipt post that is not authentic (bad or missing signature, stale timestamp) or not readable."""


@dataclass(frozen=True)
class Receipt:
    """A final delivery report: delivered, or not (with the provider's reason)."""

    provider_id: str
    delivered: bool
    reason: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class OptOut:
    """The recipient asked to receive nothing more (an SMS keyword, unfollowing the Zalo OA, a
    webhook event). ``to`` is in the form the adapter sends to: E.164 for SMS, the Zalo user id."""

    to: str
    at: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class InboundMessage:
    """A message a citizen sent us (an SMS reply, a Zalo message, a webhook "message" event): it
    becomes citizen feedback (ketnoi.inbox). ``sender`` is in the form the adapter sends to (E.164
    for SMS, the Zalo user id); ``provider_id`` is the provider's id for it, when it gives one (the
    same message posted twice is recorded once); ``commune`` a commune code, when the poster knows it."""

    sender: str
    text: str
    at: datetime | None = None
    provider_id: str = ""
    commune: str = ""

    def __post_init__(self):
        object.__setattr__(self, "text", unicodedata.normalize("NFC", str(self.text)).strip())


Event = Receipt | OptOut | InboundMessage


@runtime_checkable
class Sender(Protocol):
    platform: str
    name: str

    def send(self, message: OutboundMessage) -> SendResult: ...

    def parse_events(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[Event]: ...

    def parse_receipt(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[Receipt]: ...

    def close(self) -> None: ...


class BaseSender(ABC):
    """What every adapter shares; an adapter without ``send`` cannot be built."""

    platform = ""
    name = ""
    # True where the provider drops a second message with the same key (the outbox may then send a
    # delivery again after a crash); False where a resend would be a second message (SMPP).
    idempotent = False

    @abstractmethod
    def send(self, message: OutboundMessage) -> SendResult:
        """Hand the message to the provider; SendResult, or Transient/PermanentSendError."""

    def parse_events(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[Event]:
        raise ReceiptRejected(f"{self.name} does not take receipts over HTTP", code="no_receipts")

    def parse_receipt(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[Receipt]:
        return [event for event in self.parse_events(body, headers) if isinstance(event, Receipt)]

    def close(self) -> None:  # noqa: B027 - optional: only an adapter holding a connection (SMPP) needs it
        """Release a connection, where the adapter keeps one (SMPP)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def header(headers: Mapping[str, str] | None, name: str) -> str:
    """A request header, whatever the case of its name (Django's request.headers or a plain dict)."""
    if not headers:
        return ""
    if name in headers:
        return str(headers[name])
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return str(value)
    return ""


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two signatures or tokens."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
