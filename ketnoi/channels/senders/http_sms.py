"""A brand-name SMS gateway over HTTP (issue 8.8): one JSON POST per message.

Request (``SMS_HTTP_URL``; ``Authorization: Bearer SMS_HTTP_API_KEY``, or HTTP Basic with
``SMS_HTTP_USERNAME``/``SMS_HTTP_PASSWORD``)::

    {"brandname": "UBND XA TA VAN", "phone": "84912345678", "message": "…",
     "request_id": "<idempotency key>", "unicode": 1, "segments": 2}

The gateway answers 2xx with ``{"message_id": "…"}`` (``SMS_HTTP_ID_FIELD``). HTTP 408/425/429/5xx,
401/403 and no answer within ``SMS_HTTP_TIMEOUT`` are transient; other 4xx are permanent, and a
4xx whose JSON says ``"error": "opted_out"`` marks the recipient as opted out. Gateways that speak
another dialect sit behind a small translating proxy; the contract here stays one.

Receipts: the gateway posts ``{"message_id", "status", "error", "done_at"}`` (or a list of them) to
the receipt endpoint with ``X-KetNoi-Token: SMS_HTTP_CALLBACK_TOKEN``. ``delivered`` is final and
good; ``failed``, ``undelivered``, ``expired``, ``rejected`` are final and bad; anything else
(``sent``, ``accepted`` …) is not final and ignored. ``{"type": "opt_out", "phone": …}`` is an opt-out.
"""

from __future__ import annotations

import base64
import json

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime

from ..phones import gateway_digits, normalise_phone
from ..renditions import sms_size
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

DELIVERED = {"delivered", "delivrd", "success"}
FAILED = {"failed", "undelivered", "undeliv", "expired", "rejected", "rejectd", "deleted", "error"}


class HttpSmsSender(BaseSender):
    platform = "sms"
    name = "http-sms"
    idempotent = True  # the key travels as the request id

    def __init__(
        self,
        *,
        url: str,
        brand_name: str,
        api_key: str = "",
        username: str = "",
        password: str = "",
        timeout: float = 10.0,
        id_field: str = "message_id",
        callback_token: str = "",
    ):
        self.url = check_url("SMS_HTTP_URL", url)
        if not brand_name:
            raise SenderNotConfigured("SMS_BRAND_NAME is not set: a brand-name SMS needs the registered sender name")
        self.brand_name = brand_name
        self.auth = ""
        if api_key:
            self.auth = f"Bearer {api_key}"
        elif username:
            self.auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self.timeout = float(timeout)
        self.id_field = id_field
        self.callback_token = callback_token

    def send(self, message: OutboundMessage) -> SendResult:
        try:
            phone = normalise_phone(message.to, for_sms=True)
        except ValidationError as exc:
            raise PermanentSendError(" ".join(exc.messages), code="invalid_number") from None
        size = sms_size(message.text)
        payload = {
            "brandname": self.brand_name,
            "phone": gateway_digits(phone),
            "message": message.text,
            "request_id": message.key,
            "unicode": 1 if size.encoding == "UCS-2" else 0,
            "segments": size.segments,
        }
        headers = {"Authorization": self.auth} if self.auth else {}
        answer = post(
            self.url,
            json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers,
            timeout=self.timeout,
            provider="the SMS gateway",
        )
        data = answer.json()
        error = str(data.get("error") or "") if isinstance(data, dict) else ""
        if 400 <= answer.status < 500 and error == "opted_out":
            raise PermanentSendError("the recipient opted out at the gateway", code="opted_out", opted_out=True)
        raise_for_status(answer, "the SMS gateway", detail=error or (str(data.get("message", "")) if data else ""))
        provider_id = str(data.get(self.id_field) or "") if isinstance(data, dict) else ""
        if not provider_id:
            # Accepted but unnamed: retrying is safe, the gateway deduplicates on request_id.
            raise TransientSendError(
                f"the SMS gateway answered HTTP {answer.status} without {self.id_field}", code="bad_answer"
            )
        return SendResult(provider_id=provider_id, parts=size.segments or 1)

    def parse_events(self, body: bytes, headers=None):
        if not self.callback_token:
            raise ReceiptRejected("SMS_HTTP_CALLBACK_TOKEN is not set: receipts are refused", code="not_configured")
        token = header(headers, "X-KetNoi-Token")
        if not token or not same(token, self.callback_token):
            raise ReceiptRejected("the receipt's token is missing or wrong", code="bad_signature")
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ReceiptRejected("the receipt is not JSON", code="bad_receipt") from None
        events = []
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item, dict):
                raise ReceiptRejected("a receipt must be a JSON object", code="bad_receipt")
            at = parse_datetime(str(item.get("done_at") or item.get("at") or "")) or None
            if item.get("type") == "opt_out":
                try:
                    events.append(OptOut(to=normalise_phone(item.get("phone")), at=at, reason="gateway"))
                except ValidationError:
                    raise ReceiptRejected("an opt-out without a valid phone number", code="bad_receipt") from None
                continue
            if item.get("type") in ("inbound", "mo"):  # a citizen's SMS to the brand name or short code
                try:
                    sender = normalise_phone(item.get("from") or item.get("phone"))
                except ValidationError:
                    raise ReceiptRejected("an inbound SMS without a valid phone number", code="bad_receipt") from None
                events.append(
                    InboundMessage(
                        sender=sender,
                        text=str(item.get("text") or ""),
                        at=at,
                        provider_id=str(item.get("id") or item.get("message_id") or ""),
                    )
                )
                continue
            status = str(item.get("status") or "").strip().lower()
            provider_id = str(item.get("message_id") or "")
            if not provider_id:
                raise ReceiptRejected("a receipt without message_id", code="bad_receipt")
            if status in DELIVERED:
                events.append(Receipt(provider_id, True, "", at))
            elif status in FAILED:
                events.append(Receipt(provider_id, False, str(item.get("error") or status), at))
        return events
