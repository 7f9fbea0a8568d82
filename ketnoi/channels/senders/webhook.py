"""A generic webhook (issue 8.8): each message is a signed JSON POST to a system of the operator's
(a bridge to another platform, a station's own software).

Request to ``WEBHOOK_URL``::

    {"id": "<idempotency key>", "to": "…", "text": "…"}

with ``Idempotency-Key: <key>``, ``X-KetNoi-Timestamp: <unix seconds>`` and
``X-KetNoi-Signature: sha256=<hex HMAC-SHA256(WEBHOOK_SECRET, "<timestamp>." + body)>``. The
timestamp is inside the signed text, so an old body cannot be replayed under a new time. A 2xx
answer may name the receiver's id (``{"id": "…"}``); otherwise the key is the provider id.

Receipts come back to the receipt endpoint signed the same way: ``{"id", "status": "delivered" |
"failed", "reason", "at"}`` (or a list), or ``{"type": "opt_out", "to": …}``. A post whose
signature does not verify, whose timestamp is more than ``WEBHOOK_TOLERANCE_SECONDS`` away from
now, or whose signature was already seen within that window, is refused: a sender retrying a post
signs each attempt afresh (a new timestamp), as the adapter does for its own posts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.core.cache import cache
from django.utils.dateparse import parse_datetime

from ._http import check_url, post, raise_for_status
from .base import (
    BaseSender,
    InboundMessage,
    OptOut,
    OutboundMessage,
    Receipt,
    ReceiptRejected,
    SenderNotConfigured,
    SendResult,
    header,
    same,
)

SIGNATURE_HEADER = "X-KetNoi-Signature"
TIMESTAMP_HEADER = "X-KetNoi-Timestamp"


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str, body: bytes, headers, *, tolerance: int = 300, now: float | None = None) -> None:
    """Raise ReceiptRejected unless ``body`` carries a fresh, valid signature never seen before."""
    signature, stamp = header(headers, SIGNATURE_HEADER), header(headers, TIMESTAMP_HEADER)
    if not signature or not stamp:
        raise ReceiptRejected(f"{SIGNATURE_HEADER} and {TIMESTAMP_HEADER} are required", code="bad_signature")
    try:
        moment = int(stamp)
    except ValueError:
        raise ReceiptRejected(f"{TIMESTAMP_HEADER} is not a Unix time", code="bad_signature") from None
    if abs((time.time() if now is None else now) - moment) > tolerance:
        raise ReceiptRejected(f"{TIMESTAMP_HEADER} is more than {tolerance} s away from now", code="stale")
    if not same(signature, sign(secret, moment, body)):
        raise ReceiptRejected("the signature does not match the body", code="bad_signature")
    if not cache.add(f"channels:webhook-signature:{signature}", 1, timeout=tolerance * 2):
        raise ReceiptRejected("this signed post was already received", code="replay")


class WebhookSender(BaseSender):
    platform = "webhook"
    name = "webhook"
    idempotent = True  # the key travels as the request id

    def __init__(self, *, url: str, secret: str, timeout: float = 10.0, tolerance: int = 300):
        self.url = check_url("WEBHOOK_URL", url)
        if not secret:
            raise SenderNotConfigured("WEBHOOK_SECRET is not set: the webhook signs every post with it")
        self.secret = secret
        self.timeout = float(timeout)
        self.tolerance = int(tolerance)

    def send(self, message: OutboundMessage) -> SendResult:
        body = json.dumps({"id": message.key, "to": message.to, "text": message.text}, ensure_ascii=False).encode()
        stamp = int(time.time())
        headers = {
            "Idempotency-Key": message.key,
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: sign(self.secret, stamp, body),
        }
        answer = post(self.url, body, headers, timeout=self.timeout, provider="the webhook")
        raise_for_status(answer, "the webhook")
        data = answer.json()
        provider_id = str(data.get("id") or "") if isinstance(data, dict) else ""
        return SendResult(provider_id=provider_id or message.key)

    def parse_events(self, body: bytes, headers=None):
        verify(self.secret, body, headers, tolerance=self.tolerance)
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ReceiptRejected("the receipt is not JSON", code="bad_receipt") from None
        events = []
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item, dict):
                raise ReceiptRejected("a receipt must be a JSON object", code="bad_receipt")
            at = parse_datetime(str(item.get("at") or "")) or None
            if item.get("type") == "opt_out":
                if not item.get("to"):
                    raise ReceiptRejected("an opt-out names no recipient", code="bad_receipt")
                events.append(OptOut(to=str(item["to"]), at=at, reason="webhook"))
                continue
            if item.get("type") == "message":  # a citizen wrote to us through the other system
                if not item.get("from"):
                    raise ReceiptRejected("a message names no sender", code="bad_receipt")
                events.append(
                    InboundMessage(
                        sender=str(item["from"]),
                        text=str(item.get("text") or ""),
                        at=at,
                        provider_id=str(item.get("id") or ""),
                        commune=str(item.get("commune") or ""),
                    )
                )
                continue
            if not item.get("id"):
                raise ReceiptRejected("a receipt without id", code="bad_receipt")
            status = str(item.get("status") or "").lower()
            if status == "delivered":
                events.append(Receipt(str(item["id"]), True, "", at))
            elif status == "failed":
                events.append(Receipt(str(item["id"]), False, str(item.get("reason") or "failed"), at))
        return events
