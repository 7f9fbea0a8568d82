"""Zalo Official Account (issue 8.8): a commune's OA sends to its followers, or a ZNS template
message to a phone number.

* ``ZALO_MODE=cs`` (default): ``POST {ZALO_API_URL}/v3.0/oa/message/cs`` with the header
  ``access_token: ZALO_OA_ACCESS_TOKEN`` and ``{"recipient": {"user_id": to}, "message": {"text": …}}``;
  ``to`` is the follower's Zalo user id.
* ``ZALO_MODE=zns``: ``POST {ZALO_ZNS_URL}/message/template`` with ``{"phone": "849…", "template_id":
  ZALO_ZNS_TEMPLATE_ID, "template_data": {ZALO_ZNS_TEXT_PARAM: text}, "tracking_id": key}``; ``to``
  is a phone number. The template (approved by Zalo beforehand) must have that one text parameter.

Zalo answers HTTP 200 with ``{"error": 0, "data": {"message_id" | "msg_id": …}}``, or a negative
error code. What each code means for a retry is data, ``data/zalo_errors.csv`` (each row [M], not
checked against a live Zalo server): ``auth`` and ``transient`` retry later, ``opted_out`` and
``permanent`` do not; a code not in the file is permanent, its number in the reason.

Webhook: Zalo signs each event with ``X-ZEvent-Signature: mac=<hex SHA-256 of app_id + raw body +
timestamp + OA secret key>`` (app_id and timestamp read from the body), the scheme Zalo documents
for OA webhooks, as public integrations implement it. The event must also name ``ZALO_APP_ID`` and
be no older than ``ZALO_WEBHOOK_TOLERANCE_SECONDS`` (a day by default: Zalo retries an event it
could not deliver for about an hour with the same timestamp, and replaying a genuine receipt only
repeats an update that changes nothing). ``user_received_message`` is a delivery receipt;
``unfollow`` is an opt-out of that follower.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError

from ..phones import gateway_digits, normalise_phone
from ._http import check_url, post, raise_for_status
from .base import (
    BaseSender,
    InboundMessage,
    OptOut,
    OutboundMessage,
    PermanentSendError,
    Receipt,
    ReceiptRejected,
    SenderNotConfigured,
    SendResult,
    TransientSendError,
    header,
    same,
)

ERRORS_FILE = Path(__file__).resolve().parent.parent / "data" / "zalo_errors.csv"


@lru_cache(maxsize=1)
def error_kinds() -> dict[int, tuple[str, str]]:
    with ERRORS_FILE.open(encoding="utf-8", newline="") as handle:
        return {int(row["code"]): (row["kind"], row["meaning"]) for row in csv.DictReader(handle)}


def signature(app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    return "mac=" + hashlib.sha256(app_id.encode() + body + str(timestamp).encode() + secret.encode()).hexdigest()


def _moment(milliseconds) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(milliseconds) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class ZaloSender(BaseSender):
    platform = "zalo"
    name = "zalo"

    def __init__(
        self,
        *,
        access_token: str,
        mode: str = "cs",
        api_url: str = "https://openapi.zalo.me",
        zns_url: str = "https://business.openapi.zalo.me",
        zns_template_id: str = "",
        zns_text_param: str = "content",
        app_id: str = "",
        secret_key: str = "",
        timeout: float = 10.0,
        tolerance: int = 86400,
    ):
        if not access_token:
            raise SenderNotConfigured("ZALO_OA_ACCESS_TOKEN is not set")
        self.mode = (mode or "cs").strip().lower()
        self.idempotent = self.mode == "zns"  # ZNS takes the key as tracking_id; the OA message API has none
        if self.mode not in ("cs", "zns"):
            raise SenderNotConfigured(f"ZALO_MODE must be cs or zns, not {mode!r}")
        if self.mode == "zns" and not zns_template_id:
            raise SenderNotConfigured("ZALO_ZNS_TEMPLATE_ID is not set: ZNS sends only approved templates")
        self.access_token = access_token
        self.api_url = check_url("ZALO_API_URL", api_url)
        self.zns_url = check_url("ZALO_ZNS_URL", zns_url)
        self.zns_template_id = zns_template_id
        self.zns_text_param = zns_text_param or "content"
        self.app_id = app_id
        self.secret_key = secret_key
        self.timeout = float(timeout)
        self.tolerance = int(tolerance)

    def send(self, message: OutboundMessage) -> SendResult:
        if self.mode == "zns":
            try:
                phone = normalise_phone(message.to, for_sms=True)
            except ValidationError as exc:
                raise PermanentSendError(" ".join(exc.messages), code="invalid_number") from None
            url = f"{self.zns_url}/message/template"
            payload = {
                "phone": gateway_digits(phone),
                "template_id": self.zns_template_id,
                "template_data": {self.zns_text_param: message.text},
                "tracking_id": message.key,
            }
        else:
            if not message.to:
                raise PermanentSendError("no Zalo user id to send to", code="invalid_recipient")
            url = f"{self.api_url}/v3.0/oa/message/cs"
            payload = {"recipient": {"user_id": message.to}, "message": {"text": message.text}}
        answer = post(
            url,
            json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            {"access_token": self.access_token},
            timeout=self.timeout,
            provider="Zalo",
        )
        raise_for_status(answer, "Zalo")
        data = answer.json()
        if not isinstance(data, dict) or "error" not in data:
            raise TransientSendError(f"Zalo answered HTTP {answer.status} with no error field", code="bad_answer")
        try:
            error = int(data["error"])
        except (TypeError, ValueError):
            error = -1
        if error != 0:
            self._raise(error, str(data.get("message") or ""))
        result = data.get("data") or {}
        provider_id = str(result.get("message_id") or result.get("msg_id") or "")
        if not provider_id:
            raise TransientSendError("Zalo accepted the message but named no message id", code="bad_answer")
        return SendResult(provider_id=provider_id)

    def _raise(self, error: int, text: str):
        kind, meaning = error_kinds().get(error, ("permanent", "unknown Zalo error"))
        reason = f"Zalo error {error}: {text or meaning}"
        if kind in ("auth", "transient"):
            raise TransientSendError(reason, code="auth" if kind == "auth" else "throttled")
        raise PermanentSendError(
            reason, code="opted_out" if kind == "opted_out" else f"zalo_{error}", opted_out=kind == "opted_out"
        )

    def parse_events(self, body: bytes, headers=None):
        if not self.secret_key or not self.app_id:
            raise ReceiptRejected("ZALO_APP_ID and ZALO_OA_SECRET_KEY are needed to check Zalo's signature")
        try:
            event = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ReceiptRejected("the event is not JSON", code="bad_receipt") from None
        if not isinstance(event, dict):
            raise ReceiptRejected("the event is not a JSON object", code="bad_receipt")
        app_id, stamp = str(event.get("app_id") or ""), str(event.get("timestamp") or "")
        given = header(headers, "X-ZEvent-Signature")
        if not given or not same(given, signature(app_id, body, stamp, self.secret_key)):
            raise ReceiptRejected("the Zalo signature does not match", code="bad_signature")
        if app_id != self.app_id:
            raise ReceiptRejected("the event is for another Zalo app", code="bad_signature")
        at = _moment(stamp)
        if at is None or abs(time.time() - at.timestamp()) > self.tolerance:
            raise ReceiptRejected("the event's timestamp is missing or too far from now", code="stale")
        name = event.get("event_name")
        if name == "user_received_message":
            msg = event.get("message") or {}
            provider_id = str(msg.get("msg_id") or "")
            if not provider_id:
                raise ReceiptRejected("a delivery event without msg_id", code="bad_receipt")
            return [Receipt(provider_id, True, "", _moment(msg.get("delivery_time")) or at)]
        if name == "user_send_text":  # a follower wrote to the OA
            msg = event.get("message") or {}
            sender = (event.get("sender") or {}).get("id")
            if not sender:
                raise ReceiptRejected("a message event without sender", code="bad_receipt")
            return [
                InboundMessage(
                    sender=str(sender), text=str(msg.get("text") or ""), at=at, provider_id=str(msg.get("msg_id") or "")
                )
            ]
        if name == "unfollow":
            follower = (event.get("follower") or {}).get("id") or (event.get("sender") or {}).get("id")
            return [OptOut(to=str(follower), at=at, reason="unfollowed the OA")] if follower else []
        return []
