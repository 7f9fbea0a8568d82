"""SMS over SMPP 3.4 (issue 8.8) with the smpplib library, straight to an operator's SMSC.

One transceiver session (``bind_transceiver``) both submits and receives: ``submit_sm`` goes out
with ``registered_delivery=1``, and the SMSC's delivery receipts come back as ``deliver_sm`` on the
same session. The source address is the registered SMS brand name (alphanumeric: TON 5, NPI 0);
destinations are international numbers without "+" (TON 1, NPI 1: ``84912345678``).

Encoding follows ``renditions.sms_size``: GSM-7 text goes as data_coding 0 (the SMSC default
alphabet), anything else — Vietnamese with diacritics — as UCS-2, data_coding 8. A text longer than
one SMS is split by ``smpplib.gsm.make_parts`` into parts carrying a concatenation UDH (esm_class
0x40); a cut that would break a GSM escape pair or a UTF-16 surrogate pair is moved one unit back.

SMPP has no idempotency key: the key is not sent, and a part that was accepted before a later part
failed is sent again on retry. Status codes: ESME_RTHROTTLED, ESME_RMSGQFUL, ESME_RSYSERR and
ESME_RX_T_APPN are transient, every other error permanent.

Receipts: ``receipts(wait)`` reads the session for up to ``wait`` seconds (answering enquire_link,
sending one when the link was idle for ``SMPP_ENQUIRE_SECONDS``) and returns the receipts and
opt-outs received meanwhile, including those that arrived while a send waited for its answer.
An inbound SMS (not a receipt) whose text is one of ``SMS_OPT_OUT_KEYWORDS`` is an opt-out.

A sender holds one session and is not thread-safe: one per worker thread, closed after its batch.
"""

from __future__ import annotations

import logging
import re
import select
import time
import unicodedata
import zoneinfo
from datetime import datetime

import smpplib.client
import smpplib.consts as c
import smpplib.exceptions
import smpplib.gsm
import smpplib.smpp
from django.core.exceptions import ValidationError

from ..phones import gateway_digits, mask, normalise_phone
from ..renditions import sms_size
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
)

log = logging.getLogger(__name__)
# smpplib logs every PDU in hex at DEBUG — phone numbers and texts, personal data. Its logger is
# named here and kept at INFO unless the operator configures it on purpose.
WIRE_LOGGER = "ketnoi.channels.senders.smpp.wire"
if logging.getLogger(WIRE_LOGGER).level == logging.NOTSET:
    logging.getLogger(WIRE_LOGGER).setLevel(logging.INFO)

TRANSIENT_STATUSES = {c.SMPP_ESME_RTHROTTLED, c.SMPP_ESME_RMSGQFUL, c.SMPP_ESME_RSYSERR, c.SMPP_ESME_RX_T_APPN}
CREDENTIAL_STATUSES = {c.SMPP_ESME_RINVPASWD, c.SMPP_ESME_RINVSYSID, c.SMPP_ESME_RBINDFAIL}
# message_state of SMPP 3.4 §5.2.28: the final ones only.
FINAL_STATES = {2: "DELIVRD", 3: "EXPIRED", 4: "DELETED", 5: "UNDELIV", 7: "UNKNOWN", 8: "REJECTD"}
FINAL_STATS = set(FINAL_STATES.values())
# The receipt text of SMPP 3.4 appendix B:
# "id:… sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:… stat:DELIVRD err:000 text:…"
RECEIPT_FIELD = re.compile(r"\b(id|sub|dlvrd|submit date|done date|stat|err):(\S*)", re.IGNORECASE)
SMSC_DELIVERY_RECEIPT = 0x04  # esm_class bits 5-2 = 0001
ESC = 0x1B


def _status_name(status: int) -> str:
    names = {value: name for name, value in vars(c).items() if name.startswith("SMPP_ESME_R")}
    return names.get(status, hex(status)).removeprefix("SMPP_")


def split(text: str) -> tuple[list[bytes], int, int]:
    """(short_message parts, data_coding, esm_class) for ``text``, as smpplib.gsm.make_parts cuts it."""
    wanted = c.SMPP_ENCODING_DEFAULT if sms_size(text).encoding == "GSM-7" else c.SMPP_ENCODING_ISO10646
    # smpplib's GSM table lacks § and form feed: make_parts falls back to UCS-2 then, and says so.
    parts, encoding, esm_class = smpplib.gsm.make_parts(text, encoding=wanted)
    if esm_class & c.SMPP_GSMFEAT_UDHI and not _cuts_are_whole(parts, encoding):
        parts = _recut(parts, encoding)
    return parts, encoding, esm_class


def _cuts_are_whole(parts: list[bytes], encoding: int) -> bool:
    for part in parts[:-1]:
        body = part[6:]
        if encoding == c.SMPP_ENCODING_DEFAULT and body[-1:] == bytes([ESC]):
            return False
        if encoding == c.SMPP_ENCODING_ISO10646 and len(body) >= 2 and 0xD8 <= body[-2] <= 0xDB:
            return False
    return True


def _recut(parts: list[bytes], encoding: int) -> list[bytes]:
    """Cut again where a part would end inside a character, keeping make_parts' UDH reference."""
    reference = parts[0][3]
    data = b"".join(part[6:] for part in parts)
    size = len(parts[0]) - 6
    chunks, start = [], 0
    while start < len(data):
        end = min(start + size, len(data))
        if end < len(data):
            if encoding == c.SMPP_ENCODING_DEFAULT and data[end - 1] == ESC and _escapes_before(data, end - 1) % 2 == 0:
                end -= 1
            elif encoding == c.SMPP_ENCODING_ISO10646 and 0xD8 <= data[end - 2] <= 0xDB:
                end -= 2
        chunks.append(data[start:end])
        start = end
    if len(chunks) > 255:
        raise PermanentSendError("the text is too long for one concatenated SMS (255 parts)", code="too_long")
    header = bytes([0x05, 0x00, 0x03, reference, len(chunks)])
    return [header + bytes([number]) + chunk for number, chunk in enumerate(chunks, start=1)]


def _escapes_before(data: bytes, index: int) -> int:
    """How many ESC bytes run back from ``index`` (exclusive)."""
    count = 0
    while index - 1 - count >= 0 and data[index - 1 - count] == ESC:
        count += 1
    return count


class SmppSender(BaseSender):
    platform = "sms"
    name = "smpp"

    def __init__(
        self,
        *,
        host: str,
        port: int = 2775,
        system_id: str,
        password: str,
        brand_name: str,
        system_type: str = "",
        timeout: float = 10.0,
        enquire_seconds: float = 30.0,
        opt_out_keywords: tuple[str, ...] = (),
        receipt_timezone: str = "Asia/Ho_Chi_Minh",
    ):
        missing = [name for name, value in (("SMPP_HOST", host), ("SMPP_SYSTEM_ID", system_id)) if not value]
        if missing:
            raise SenderNotConfigured(f"{' and '.join(missing)} not set: the SMPP link needs the SMSC and the account")
        if not brand_name:
            raise SenderNotConfigured("SMS_BRAND_NAME is not set: a brand-name SMS needs the registered sender name")
        if len(brand_name) > 11:
            raise SenderNotConfigured(f"SMS_BRAND_NAME {brand_name!r} is longer than 11 characters (alphanumeric)")
        self.host, self.port = host, int(port)
        self.system_id, self.password, self.system_type = system_id, password, system_type
        self.brand_name = brand_name
        self.timeout = float(timeout)
        self.enquire_seconds = float(enquire_seconds)
        self.opt_out_keywords = {_keyword(word) for word in opt_out_keywords if word.strip()}
        self.receipt_timezone = zoneinfo.ZoneInfo(receipt_timezone)
        self._client: smpplib.client.Client | None = None
        self._events: list = []
        self._answers: dict[int, object] = {}
        self._last_activity = 0.0

    # --- the session ------------------------------------------------------------------------------
    def _bound(self) -> smpplib.client.Client:
        if self._client is not None:
            return self._client
        client = smpplib.client.Client(
            self.host, self.port, timeout=self.timeout, logger_name=WIRE_LOGGER, allow_unknown_opt_params=True
        )
        client.set_message_received_handler(self._on_deliver)
        client.set_message_sent_handler(self._on_answer)
        client.set_error_pdu_handler(self._on_answer)
        try:
            client.connect()
            client.bind_transceiver(system_id=self.system_id, password=self.password, system_type=self.system_type)
        except smpplib.exceptions.PDUError as exc:
            client.disconnect()
            status = exc.args[1] if len(exc.args) > 1 else 0
            code = "auth" if status in CREDENTIAL_STATUSES else "bind_failed"
            raise TransientSendError(f"the SMSC refused the bind: {_status_name(status)}", code=code) from None
        except (smpplib.exceptions.ConnectionError, OSError) as exc:
            client.disconnect()
            raise TransientSendError(
                f"the SMSC at {self.host}:{self.port} cannot be reached: {exc or 'connection failed'}",
                code="unreachable",
            ) from None
        self._client = client
        self._last_activity = time.monotonic()
        return client

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.unbind()
        except (smpplib.exceptions.PDUError, smpplib.exceptions.ConnectionError, OSError):
            pass
        client.disconnect()

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.disconnect()

    def _read_once(self) -> None:
        self._client.read_once(auto_send_enquire_link=True)
        self._last_activity = time.monotonic()

    def _on_answer(self, pdu, **_kwargs):
        self._answers[pdu.sequence] = pdu

    def _on_deliver(self, pdu, **_kwargs):
        try:
            event = self.parse_deliver_sm(pdu)
        except ReceiptRejected as exc:
            log.warning("unreadable deliver_sm ignored: %s", exc.message)
            return c.SMPP_ESME_ROK
        if event is not None:
            self._events.append(event)
        return c.SMPP_ESME_ROK

    def _await(self, sequence: int):
        deadline = time.monotonic() + self.timeout
        while sequence not in self._answers:
            if time.monotonic() > deadline:
                self._drop()
                raise TransientSendError(f"the SMSC did not answer within {self.timeout} s", code="timeout")
            try:
                self._read_once()
            except (smpplib.exceptions.ConnectionError, OSError):
                self._drop()
                raise
        return self._answers.pop(sequence)

    # --- sending ----------------------------------------------------------------------------------
    def send(self, message: OutboundMessage) -> SendResult:
        try:
            phone = normalise_phone(message.to, for_sms=True)
        except ValidationError as exc:
            raise PermanentSendError(" ".join(exc.messages), code="invalid_number") from None
        if not message.text:
            raise PermanentSendError("an SMS needs a text", code="empty")
        parts, encoding, esm_class = split(message.text)
        ids: list[str] = []
        for index, part in enumerate(parts):
            for attempt in (1, 2):  # an idle link the SMSC dropped: bind again, once, before any part went
                client = self._bound()
                try:
                    pdu = client.send_message(
                        source_addr_ton=c.SMPP_TON_ALNUM,
                        source_addr_npi=c.SMPP_NPI_UNK,
                        source_addr=self.brand_name,
                        dest_addr_ton=c.SMPP_TON_INTL,
                        dest_addr_npi=c.SMPP_NPI_ISDN,
                        destination_addr=gateway_digits(phone),
                        short_message=part,
                        data_coding=encoding,
                        esm_class=esm_class,
                        registered_delivery=1,
                    )
                    answer = self._await(pdu.sequence)
                    break
                except (smpplib.exceptions.ConnectionError, OSError) as exc:
                    self._drop()
                    if attempt == 2 or index > 0:
                        raise TransientSendError(f"the SMSC dropped the link: {exc}", code="unreachable") from None
            if answer.status != c.SMPP_ESME_ROK:
                name = _status_name(answer.status)
                where = f" (part {index + 1} of {len(parts)})" if len(parts) > 1 else ""
                if answer.status in TRANSIENT_STATUSES:
                    raise TransientSendError(f"the SMSC answered {name}{where}", code="throttled")
                code = "invalid_number" if answer.status == c.SMPP_ESME_RINVDSTADR else "rejected"
                raise PermanentSendError(f"the SMSC answered {name} for {mask(phone)}{where}", code=code)
            ids.append(_text(answer.message_id))
        return SendResult(provider_id=ids[0], parts=len(ids), part_ids=tuple(ids))

    # --- receipts ---------------------------------------------------------------------------------
    def receipts(self, wait: float = 0.0) -> list:
        """Receipts and opt-outs received so far, reading the session for up to ``wait`` seconds."""
        deadline = time.monotonic() + wait
        client = self._bound()
        while True:
            remaining = deadline - time.monotonic()
            if time.monotonic() - self._last_activity >= self.enquire_seconds:
                enquire = smpplib.smpp.make_pdu("enquire_link", client=client)
                client.send_pdu(enquire)
                self._last_activity = time.monotonic()
            readable, _, _ = select.select([client._socket], [], [], max(0.0, min(remaining, self.enquire_seconds)))
            if readable:
                try:
                    self._read_once()
                except (TimeoutError, smpplib.exceptions.ConnectionError, OSError):
                    self._drop()
                    break
                if self._client is None:
                    break
            elif remaining <= 0:
                break
        events, self._events = self._events, []
        return events

    def parse_events(self, body: bytes, headers=None) -> list:
        """A raw deliver_sm PDU (as an SMSC sent it) → its receipt or opt-out."""
        try:
            pdu = smpplib.smpp.parse_pdu(body, need_sequence=False, allow_unknown_opt_params=True)
        except Exception:  # noqa: BLE001 - smpplib raises several kinds on bad bytes
            raise ReceiptRejected("not an SMPP PDU", code="bad_receipt") from None
        if pdu is None or pdu.command != "deliver_sm":
            raise ReceiptRejected("not a deliver_sm PDU", code="bad_receipt")
        event = self.parse_deliver_sm(pdu)
        return [event] if event is not None else []

    def parse_deliver_sm(self, pdu) -> Receipt | OptOut | InboundMessage | None:
        """A final delivery receipt → Receipt; an inbound opt-out keyword → OptOut; another inbound
        text → InboundMessage; else None."""
        text = _decode(pdu.short_message or b"", pdu.data_coding or 0)
        if (pdu.esm_class or 0) & 0x3C == SMSC_DELIVERY_RECEIPT:
            fields = {name.lower(): value for name, value in RECEIPT_FIELD.findall(text.split(" text:")[0])}
            provider_id = _text(getattr(pdu, "receipted_message_id", None)) or fields.get("id", "")
            state = getattr(pdu, "message_state", None)
            stat = FINAL_STATES.get(state, "ENROUTE") if state else fields.get("stat", "").upper()
            if not provider_id or not stat:
                raise ReceiptRejected("a delivery receipt without message id or state", code="bad_receipt")
            if stat not in FINAL_STATS:
                return None  # ENROUTE, ACCEPTD: not final
            at = self._done_date(fields.get("done date"))
            error = fields.get("err", "")
            reason = "" if stat == "DELIVRD" else stat + (f" err:{error}" if error and error.strip("0") else "")
            return Receipt(provider_id=provider_id, delivered=stat == "DELIVRD", reason=reason, at=at)
        if self.opt_out_keywords and _keyword(text) in self.opt_out_keywords:
            try:
                sender = normalise_phone(_text(pdu.source_addr))
            except ValidationError:
                return None
            return OptOut(to=sender, at=None, reason=f"SMS keyword {text.strip()!r}")
        if text.strip():  # any other inbound SMS: a citizen's reply, feedback for the inbox
            try:
                sender = normalise_phone(_text(pdu.source_addr))
            except ValidationError:
                return None
            return InboundMessage(sender=sender, text=text)
        return None

    def _done_date(self, value: str | None) -> datetime | None:
        if not value:
            return None
        try:
            moment = datetime.strptime(value, "%y%m%d%H%M%S" if len(value) == 12 else "%y%m%d%H%M")
        except ValueError:
            return None
        return moment.replace(tzinfo=self.receipt_timezone)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("ascii", "replace").strip("\x00 ")
    return str(value).strip()


def _decode(data: bytes, coding: int) -> str:
    if coding == c.SMPP_ENCODING_ISO10646:
        return data.decode("utf-16-be", "replace")
    if coding == c.SMPP_ENCODING_DEFAULT:
        table = smpplib.gsm.GSM_CHARACTER_TABLE
        return "".join(table[byte] if byte < 0x80 else "?" for byte in data if byte != ESC)
    return data.decode("latin-1", "replace")


def _keyword(text: str) -> str:
    """An opt-out keyword compared without case, diacritics or spaces: "Từ chối" = "TU CHOI" = "tuchoi"."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch)).upper()
