"""SMS and messaging adapters (issue 8.8) against local fake servers (tests/channels/fakes.py):
what each adapter put on the wire, how it sorts the provider's answers into transient and
permanent errors, timeouts, receipts (a forged signature refused), opt-outs, and phone numbers."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from smpplib.gsm import gsm_encode

from ketnoi.channels.phones import mask, normalise_phone
from ketnoi.channels.renditions import sms_size
from ketnoi.channels.senders import (
    InboundMessage,
    OptOut,
    OutboundMessage,
    PermanentSendError,
    Receipt,
    ReceiptRejected,
    Sender,
    SenderNotConfigured,
    TransientSendError,
    sender_for,
)
from ketnoi.channels.senders.http_sms import HttpSmsSender
from ketnoi.channels.senders.smpp import SmppSender
from ketnoi.channels.senders.webhook import WebhookSender, sign
from ketnoi.channels.senders.zalo import ZaloSender, signature

from .fakes import (
    BIND_TRANSCEIVER,
    DELIVER_SM,
    ENQUIRE_LINK,
    ESME_RINVDSTADR,
    ESME_RINVPASWD,
    ESME_RTHROTTLED,
    RESP,
    SUBMIT_SM,
    UNBIND,
    FakeHttp,
    FakeSmsc,
    mo_body,
    pdu,
    receipt_body,
)

VIETNAMESE = "Thông báo: họp thôn Tả Van lúc 8 giờ sáng thứ Hai, mời bà con đến đúng giờ."


# --- phone numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "0912 345 678",
        "091.234.5678",
        "+84 912-345-678",
        "84912345678",
        "(+84) 912345678",
        "０９１２３４５６７８",
    ],
)
def test_phone_numbers_as_people_type_them_become_e164(raw):
    assert normalise_phone(raw) == "+84912345678"
    assert normalise_phone(raw, for_sms=True) == "+84912345678"


def test_an_old_eleven_digit_mobile_number_is_renumbered_and_a_landline_cannot_take_sms():
    assert normalise_phone("0166 123 4567") == "+84361234567"  # Viettel 0166 → 036 (2018)
    assert normalise_phone("+84 127 123 4567") == "+84811234567"  # VinaPhone 0127 → 081
    assert normalise_phone("024 3825 1234") == "+842438251234"  # a Hà Nội landline is a valid number
    with pytest.raises(ValidationError) as refused:
        normalise_phone("024 3825 1234", for_sms=True)
    assert refused.value.code == "phone_not_mobile" and "landline" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("12345", "phone_invalid"),
        ("0912 34", "phone_invalid"),
        ("abc", "phone_invalid"),
        ("", "phone_required"),
        ("+66 81 234 5678", "phone_invalid"),
        ("0912345678; DROP", "phone_invalid"),
    ],
)
def test_invalid_numbers_are_a_clear_validation_error(raw, code):
    with pytest.raises(ValidationError) as refused:
        normalise_phone(raw)
    assert refused.value.code == code
    assert "phone" in refused.value.messages[0].lower()


def test_a_masked_number_shows_only_its_first_and_last_two_digits():
    assert mask("+84912345667") == "+84 91x xxx x67"
    assert mask("+84912345678") == "+84 91x xxx x78"
    assert mask("+842438251234") == "+84 24x xxx xx34"
    assert "345" not in mask("+84912345678") and mask("") == ""


# --- the registry -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "setting"),
    [
        ("sms", "SMS_BACKEND"),
        ("zalo", "ZALO_OA_ACCESS_TOKEN"),
        ("webhook", "WEBHOOK_URL"),
        ("facebook", "no messaging adapter"),
    ],
)
def test_nothing_configured_is_a_clear_not_configured_error(platform, setting):
    with pytest.raises(SenderNotConfigured) as refused:
        sender_for(platform)
    assert setting in str(refused.value)


def test_the_registry_builds_each_adapter_from_the_settings(settings):
    settings.SMS_BACKEND, settings.SMS_BRAND_NAME = "http", "UBND TAVAN"
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/send"
    assert isinstance(sender_for("sms"), HttpSmsSender)
    settings.SMS_BACKEND = "smpp"
    with pytest.raises(SenderNotConfigured, match="SMPP_HOST"):
        sender_for("sms")
    settings.SMPP_HOST, settings.SMPP_SYSTEM_ID = "127.0.0.1", "ketnoi"
    smpp = sender_for("sms")  # builds without connecting: the session opens on the first send
    assert isinstance(smpp, SmppSender) and isinstance(smpp, Sender) and smpp._client is None
    settings.SMS_BRAND_NAME = "A BRAND NAME TOO LONG"
    with pytest.raises(SenderNotConfigured, match="11 characters"):
        sender_for("sms")
    settings.SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(SenderNotConfigured, match="unknown SMS_BACKEND"):
        sender_for("sms")
    settings.ZALO_OA_ACCESS_TOKEN, settings.ZALO_MODE = "token", "zns"
    with pytest.raises(SenderNotConfigured, match="ZALO_ZNS_TEMPLATE_ID"):
        sender_for("zalo")
    settings.ZALO_MODE = "cs"
    assert isinstance(sender_for("zalo"), ZaloSender)
    settings.WEBHOOK_URL = "http://127.0.0.1:9/hook"
    with pytest.raises(SenderNotConfigured, match="WEBHOOK_SECRET"):
        sender_for("webhook")
    settings.WEBHOOK_SECRET = "s3cret"
    assert isinstance(sender_for("other"), WebhookSender)


def test_the_message_text_is_nfc_normalised():
    decomposed = unicodedata.normalize("NFD", VIETNAMESE)
    assert len(decomposed) > len(VIETNAMESE)
    assert OutboundMessage("0912345678", decomposed, "k").text == VIETNAMESE


# --- SMPP -------------------------------------------------------------------------------------------


def _smpp(smsc: FakeSmsc, **kwargs) -> SmppSender:
    options = {"timeout": 2.0, "opt_out_keywords": ("TU CHOI", "HUY", "STOP")} | kwargs
    return SmppSender(
        host="127.0.0.1", port=smsc.port, system_id="ketnoi", password="pw", brand_name="UBND TAVAN", **options
    )


def test_smpp_binds_as_transceiver_and_submits_gsm7_text_from_the_brand_name():
    with FakeSmsc() as smsc, _smpp(smsc) as sender:
        result = sender.send(OutboundMessage("0912 345 678", "Hop thon luc 8h sang mai tai nha van hoa.", "k1"))
    assert result.provider_id == "MSG0001" and result.parts == 1 and result.part_ids == ("MSG0001",)
    bind = smsc.commands(BIND_TRANSCEIVER)[0].body
    assert bind.startswith(b"ketnoi\x00pw\x00")
    submit = smsc.commands(SUBMIT_SM)[0].fields
    assert (submit["source_addr_ton"], submit["source_addr_npi"], submit["source_addr"]) == (5, 0, b"UBND TAVAN")
    assert (submit["dest_addr_ton"], submit["dest_addr_npi"], submit["destination_addr"]) == (1, 1, b"84912345678")
    assert submit["registered_delivery"] == 1 and submit["data_coding"] == 0 and submit["esm_class"] == 0
    assert submit["short_message"] == gsm_encode("Hop thon luc 8h sang mai tai nha van hoa.")
    assert smsc.commands(UNBIND)  # close() unbinds


def test_smpp_sends_vietnamese_as_ucs2_with_data_coding_8():
    assert sms_size(VIETNAMESE).encoding == "UCS-2" and sms_size(VIETNAMESE).segments == 2
    short = "Họp thôn lúc 8 giờ sáng mai."
    with FakeSmsc() as smsc, _smpp(smsc) as sender:
        sender.send(OutboundMessage("+84912345678", short, "k1"))
    submit = smsc.commands(SUBMIT_SM)[0].fields
    assert submit["data_coding"] == 8 and submit["esm_class"] == 0
    assert submit["short_message"] == short.encode("utf-16-be")


def test_a_long_vietnamese_sms_goes_in_parts_with_a_concatenation_udh():
    text = VIETNAMESE * 3
    expected = sms_size(text).segments
    with FakeSmsc() as smsc, _smpp(smsc) as sender:
        result = sender.send(OutboundMessage("0912345678", text, "k1"))
        events = sender.receipts(1.0)
    submits = [r.fields for r in smsc.commands(SUBMIT_SM)]
    assert len(submits) == expected == result.parts == len(result.part_ids) == 4
    references = set()
    for number, submit in enumerate(submits, start=1):
        udh, body = submit["short_message"][:6], submit["short_message"][6:]
        assert submit["esm_class"] == 0x40 and submit["data_coding"] == 8
        assert udh[:3] == b"\x05\x00\x03" and udh[4] == expected and udh[5] == number
        assert len(body) <= 134  # 67 UCS-2 characters per part
        references.add(udh[3])
    assert len(references) == 1  # one message reference for every part
    assert b"".join(s["short_message"][6:] for s in submits).decode("utf-16-be") == text
    assert sorted(e.provider_id for e in events if isinstance(e, Receipt)) == sorted(result.part_ids)


def test_a_cut_never_splits_a_gsm_escape_pair():
    text = "a" * 152 + "€" + "b" * 60  # make_parts alone would end part 1 on the escape byte
    with FakeSmsc(receipt=None) as smsc, _smpp(smsc) as sender:
        sender.send(OutboundMessage("0912345678", text, "k1"))
    bodies = [r.fields["short_message"][6:] for r in smsc.commands(SUBMIT_SM)]
    assert len(bodies) == 2 and not bodies[0].endswith(b"\x1b")
    assert b"".join(bodies) == gsm_encode(text)


def test_delivery_receipts_from_deliver_sm_become_receipts():
    with FakeSmsc(receipt="UNDELIV") as smsc, _smpp(smsc) as sender:
        result = sender.send(OutboundMessage("0912345678", "Hop thon", "k1"))
        events = sender.receipts(1.0)
        assert smsc.wait_for(DELIVER_SM | RESP)  # each deliver_sm was answered
    assert len(events) == 1
    receipt = events[0]
    assert receipt.provider_id == result.provider_id and receipt.delivered is False
    assert receipt.reason.startswith("UNDELIV") and receipt.at.isoformat().startswith("2026-12-07T11:31:00")


def test_a_receipt_without_tlvs_is_read_from_its_text_and_a_non_final_one_is_ignored():
    sender = SmppSender(host="h", system_id="s", password="p", brand_name="B")
    raw = pdu(DELIVER_SM, 7, receipt_body(message_id="ABC123", stat="DELIVRD", source=b"849", brand=b"B", tlvs=False))
    [receipt] = sender.parse_events(raw)
    assert receipt == Receipt("ABC123", True, "", receipt.at) and receipt.at.minute == 31
    enroute = pdu(DELIVER_SM, 8, receipt_body(message_id="ABC123", stat="ENROUTE", source=b"849", brand=b"B"))
    assert sender.parse_events(enroute) == []
    with pytest.raises(ReceiptRejected):
        sender.parse_events(b"\x00\x00\x00\x10 not smpp")


@pytest.mark.parametrize(
    ("status", "kind", "code"),
    [(ESME_RTHROTTLED, TransientSendError, "throttled"), (ESME_RINVDSTADR, PermanentSendError, "invalid_number")],
)
def test_smsc_errors_are_transient_or_permanent(status, kind, code):
    with FakeSmsc(submit_status=status) as smsc, _smpp(smsc) as sender, pytest.raises(kind) as failed:
        sender.send(OutboundMessage("0912345678", "Hop thon", "k1"))
    assert failed.value.code == code and "0912345678" not in failed.value.reason  # the number is masked


def test_a_silent_smsc_times_out_as_transient():
    with FakeSmsc(submit_status=None) as smsc, _smpp(smsc, timeout=0.5) as sender:
        started = time.monotonic()
        with pytest.raises(TransientSendError) as failed:
            sender.send(OutboundMessage("0912345678", "Hop thon", "k1"))
    assert failed.value.code == "timeout" and time.monotonic() - started < 3


def test_a_refused_bind_and_an_unreachable_smsc_are_transient():
    with FakeSmsc(bind_status=ESME_RINVPASWD) as smsc, pytest.raises(TransientSendError) as failed:
        _smpp(smsc).send(OutboundMessage("0912345678", "Hop thon", "k1"))
    assert failed.value.code == "auth" and "RINVPASWD" in failed.value.reason
    port = smsc.port  # closed now
    with pytest.raises(TransientSendError) as failed:
        SmppSender(host="127.0.0.1", port=port, system_id="s", password="p", brand_name="B", timeout=1).send(
            OutboundMessage("0912345678", "Hop thon", "k1")
        )
    assert failed.value.code == "unreachable"


def test_an_invalid_number_is_refused_before_anything_is_sent():
    with FakeSmsc() as smsc, _smpp(smsc) as sender, pytest.raises(PermanentSendError) as failed:
        sender.send(OutboundMessage("024 3825 1234", "Hop thon", "k1"))
    assert failed.value.code == "invalid_number" and smsc.received == []


def test_enquire_link_both_ways_and_a_dropped_link_is_bound_again():
    with FakeSmsc(receipt=None) as smsc, _smpp(smsc, enquire_seconds=0.2) as sender:
        sender.send(OutboundMessage("0912345678", "Hop thon", "k1"))
        sender.receipts(0.6)  # idle: the adapter asks whether the link is alive
        assert smsc.commands(ENQUIRE_LINK)
        smsc.push(b"", command_id=ENQUIRE_LINK)
        sender.receipts(0.3)
        assert smsc.wait_for(ENQUIRE_LINK | RESP)  # and answers the SMSC's own
        smsc.drop_connections()
        result = sender.send(OutboundMessage("0912345678", "Hop thon lan 2", "k2"))
    assert result.provider_id == "MSG0002" and smsc.binds == 2


def test_an_opt_out_keyword_by_sms_is_an_opt_out():
    with FakeSmsc(receipt=None) as smsc, _smpp(smsc) as sender:
        sender.send(OutboundMessage("0912345678", "Hop thon", "k1"))
        smsc.push(mo_body(text="Từ chối", source=b"84912345678", brand=b"UBND TAVAN"))
        smsc.push(mo_body(text="Cảm ơn", source=b"84912345678", brand=b"UBND TAVAN"))
        events = sender.receipts(0.5)
    # any other text is a citizen's reply: feedback for the inbox (issue 8.9)
    assert events == [
        OptOut(to="+84912345678", at=None, reason="SMS keyword 'Từ chối'"),
        InboundMessage(sender="+84912345678", text="Cảm ơn"),
    ]


# --- HTTP brand-name SMS gateway --------------------------------------------------------------------


def _gateway(fake: FakeHttp, **kwargs) -> HttpSmsSender:
    options = {"api_key": "key-1", "timeout": 2.0, "callback_token": "tok-1"} | kwargs
    return HttpSmsSender(url=fake.url + "/sms/send", brand_name="UBND TAVAN", **options)


def test_the_http_gateway_posts_brand_phone_message_and_request_id():
    with FakeHttp(reply={"message_id": "G-77"}) as fake:
        result = _gateway(fake).send(OutboundMessage("0912 345 678", VIETNAMESE, "outbox-41"))
    assert result.provider_id == "G-77" and result.parts == 2
    [request] = fake.requests
    assert request["path"] == "/sms/send" and request["headers"]["authorization"] == "Bearer key-1"
    assert request["json"] == {
        "brandname": "UBND TAVAN",
        "phone": "84912345678",
        "message": VIETNAMESE,
        "request_id": "outbox-41",
        "unicode": 1,
        "segments": 2,
    }


def test_basic_auth_when_the_gateway_takes_a_user_and_password():
    with FakeHttp(reply={"message_id": "G-1"}) as fake:
        _gateway(fake, api_key="", username="tavan", password="mật khẩu").send(OutboundMessage("0912345678", "x", "k"))
    assert fake.requests[0]["headers"]["authorization"].startswith("Basic ")


@pytest.mark.parametrize(
    ("status", "reply", "headers", "kind", "code"),
    [
        (500, {"error": "internal"}, {}, TransientSendError, "http_500"),
        (503, {}, {}, TransientSendError, "http_503"),
        (429, {}, {"Retry-After": "7"}, TransientSendError, "http_429"),
        (401, {"error": "bad key"}, {}, TransientSendError, "auth"),
        (400, {"error": "invalid phone"}, {}, PermanentSendError, "http_400"),
        (422, {"error": "opted_out"}, {}, PermanentSendError, "opted_out"),
        (200, {"status": "ok"}, {}, TransientSendError, "bad_answer"),
    ],
)
def test_gateway_answers_map_to_the_two_kinds(status, reply, headers, kind, code):
    with FakeHttp(status=status, reply=reply, headers=headers) as fake, pytest.raises(kind) as failed:
        _gateway(fake).send(OutboundMessage("0912345678", "Hop thon", "k"))
    assert failed.value.code == code
    if status == 429:
        assert failed.value.retry_after == 7
    assert failed.value.opted_out is (code == "opted_out")


def test_a_hung_gateway_times_out_as_transient():
    with FakeHttp(hang=5) as fake:
        started = time.monotonic()
        with pytest.raises(TransientSendError) as failed:
            _gateway(fake, timeout=0.3).send(OutboundMessage("0912345678", "Hop thon", "k"))
    assert failed.value.code == "timeout" and time.monotonic() - started < 3


def test_gateway_receipts_need_the_callback_token():
    sender = HttpSmsSender(url="http://127.0.0.1:9/", brand_name="B", callback_token="tok-1")
    body = json.dumps(
        [
            {"message_id": "G-1", "status": "DELIVERED", "done_at": "2026-12-07T11:31:00+07:00"},
            {"message_id": "G-2", "status": "failed", "error": "subscriber absent"},
            {"message_id": "G-3", "status": "sent"},
            {"type": "opt_out", "phone": "0912 345 678"},
        ]
    ).encode()
    events = sender.parse_events(body, {"x-ketnoi-token": "tok-1"})
    assert events[0] == Receipt("G-1", True, "", events[0].at) and events[0].at.utcoffset().total_seconds() == 7 * 3600
    assert events[1] == Receipt("G-2", False, "subscriber absent", None)
    assert events[2] == OptOut("+84912345678", None, "gateway") and len(events) == 3
    assert [r.provider_id for r in sender.parse_receipt(body, {"X-KetNoi-Token": "tok-1"})] == ["G-1", "G-2"]
    for headers in ({"X-KetNoi-Token": "tok-2"}, {}):
        with pytest.raises(ReceiptRejected):
            sender.parse_events(body, headers)
    with pytest.raises(ReceiptRejected, match="not set"):
        HttpSmsSender(url="http://127.0.0.1:9/", brand_name="B").parse_events(body, {"X-KetNoi-Token": ""})


# --- Zalo OA ----------------------------------------------------------------------------------------


def _zalo(fake: FakeHttp, **kwargs) -> ZaloSender:
    options = {
        "api_url": fake.url,
        "zns_url": fake.url + "/zns",
        "timeout": 2.0,
        "app_id": "app-9",
        "secret_key": "oa-secret",
    } | kwargs
    return ZaloSender(access_token="oa-token", **options)


def test_zalo_sends_an_oa_message_with_the_access_token_header():
    with FakeHttp(reply={"error": 0, "message": "Success", "data": {"message_id": "z-1", "user_id": "u-5"}}) as fake:
        result = _zalo(fake).send(OutboundMessage("5412398765", VIETNAMESE, "k"))
    assert result.provider_id == "z-1"
    [request] = fake.requests
    assert request["path"] == "/v3.0/oa/message/cs" and request["headers"]["access_token"] == "oa-token"
    assert request["json"] == {"recipient": {"user_id": "5412398765"}, "message": {"text": VIETNAMESE}}


def test_zalo_zns_sends_the_template_to_a_phone_with_the_key_as_tracking_id():
    with FakeHttp(reply={"error": 0, "data": {"msg_id": "zns-3"}}) as fake:
        sender = _zalo(fake, mode="zns", zns_template_id="231456", zns_text_param="noi_dung")
        result = sender.send(OutboundMessage("0912 345 678", "Lịch họp", "outbox-9"))
    assert result.provider_id == "zns-3" and fake.requests[0]["path"] == "/zns/message/template"
    assert fake.requests[0]["json"] == {
        "phone": "84912345678",
        "template_id": "231456",
        "template_data": {"noi_dung": "Lịch họp"},
        "tracking_id": "outbox-9",
    }


@pytest.mark.parametrize(
    ("status", "reply", "kind", "code"),
    [
        (200, {"error": -216, "message": "Access token is invalid"}, TransientSendError, "auth"),
        (200, {"error": -213, "message": "User has not followed OA"}, PermanentSendError, "opted_out"),
        (200, {"error": -999, "message": "Something new"}, PermanentSendError, "zalo_-999"),
        (500, {}, TransientSendError, "http_500"),
        (200, {"data": {}}, TransientSendError, "bad_answer"),
    ],
)
def test_zalo_error_codes_map_to_the_two_kinds(status, reply, kind, code):
    with FakeHttp(status=status, reply=reply) as fake, pytest.raises(kind) as failed:
        _zalo(fake).send(OutboundMessage("5412398765", "x", "k"))
    assert failed.value.code == code


def test_a_hung_zalo_times_out_as_transient():
    with FakeHttp(hang=5) as fake, pytest.raises(TransientSendError) as failed:
        _zalo(fake, timeout=0.3).send(OutboundMessage("5412398765", "x", "k"))
    assert failed.value.code == "timeout"


def _zalo_event(event: dict, secret: str = "oa-secret") -> tuple[bytes, dict]:
    body = json.dumps(event).encode()
    return body, {"X-ZEvent-Signature": signature(event["app_id"], body, event["timestamp"], secret)}


def test_zalo_webhook_delivery_and_unfollow_events_with_a_verified_signature():
    sender = ZaloSender(access_token="t", app_id="app-9", secret_key="oa-secret")
    now_ms = str(int(time.time() * 1000))
    received = {
        "app_id": "app-9",
        "event_name": "user_received_message",
        "timestamp": now_ms,
        "sender": {"id": "oa-1"},
        "recipient": {"id": "u-5"},
        "message": {"msg_id": "z-1", "delivery_time": now_ms},
    }
    [receipt] = sender.parse_events(*_zalo_event(received))
    assert receipt.provider_id == "z-1" and receipt.delivered and abs(receipt.at.timestamp() - time.time()) < 60
    unfollow = {"app_id": "app-9", "event_name": "unfollow", "timestamp": now_ms, "follower": {"id": "u-5"}}
    assert sender.parse_events(*_zalo_event(unfollow)) == [OptOut("u-5", receipt.at, "unfollowed the OA")]
    seen = received | {"event_name": "user_seen_message"}
    assert sender.parse_events(*_zalo_event(seen)) == []


def test_a_forged_or_stale_zalo_event_is_refused():
    sender = ZaloSender(access_token="t", app_id="app-9", secret_key="oa-secret")
    now_ms = str(int(time.time() * 1000))
    event = {
        "app_id": "app-9",
        "event_name": "user_received_message",
        "timestamp": now_ms,
        "message": {"msg_id": "z-1"},
    }
    body, headers = _zalo_event(event, secret="guessed")
    with pytest.raises(ReceiptRejected, match="signature"):
        sender.parse_events(body, headers)
    body, headers = _zalo_event(event)
    with pytest.raises(ReceiptRejected):
        sender.parse_events(body.replace(b"z-1", b"z-2"), headers)  # the body changed after signing
    with pytest.raises(ReceiptRejected, match="another Zalo app"):
        sender.parse_events(*_zalo_event(event | {"app_id": "app-other"}))
    with pytest.raises(ReceiptRejected, match="timestamp"):
        sender.parse_events(*_zalo_event(event | {"timestamp": str(int(time.time() - 2 * 86400) * 1000)}))
    retried = event | {"timestamp": str(int(time.time() - 1800) * 1000)}  # Zalo retries for about an hour
    assert [r.provider_id for r in sender.parse_events(*_zalo_event(retried))] == ["z-1"]
    with pytest.raises(ReceiptRejected):
        sender.parse_events(body, {})


# --- the generic webhook ----------------------------------------------------------------------------


def test_the_webhook_posts_signed_json_with_a_timestamp():
    with FakeHttp(reply={"id": "remote-5"}) as fake:
        result = WebhookSender(url=fake.url + "/in", secret="s3cret").send(OutboundMessage("u-5", VIETNAMESE, "k-1"))
    assert result.provider_id == "remote-5"
    [request] = fake.requests
    headers, body = request["headers"], request["body"]
    assert request["json"] == {"id": "k-1", "to": "u-5", "text": VIETNAMESE} and headers["idempotency-key"] == "k-1"
    stamp = headers["x-ketnoi-timestamp"]
    expected = hmac.new(b"s3cret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["x-ketnoi-signature"] == f"sha256={expected}" and abs(int(stamp) - time.time()) < 60
    with FakeHttp(reply={}) as fake:
        assert WebhookSender(url=fake.url, secret="s").send(OutboundMessage("u", "x", "k-2")).provider_id == "k-2"


@pytest.mark.parametrize(("status", "kind"), [(500, TransientSendError), (404, PermanentSendError)])
def test_webhook_answers_map_to_the_two_kinds(status, kind):
    with FakeHttp(status=status) as fake, pytest.raises(kind):
        WebhookSender(url=fake.url, secret="s").send(OutboundMessage("u", "x", "k"))


def test_a_hung_webhook_times_out_as_transient():
    with FakeHttp(hang=5) as fake, pytest.raises(TransientSendError) as failed:
        WebhookSender(url=fake.url, secret="s", timeout=0.3).send(OutboundMessage("u", "x", "k"))
    assert failed.value.code == "timeout"


def _signed(body: bytes, secret: str = "s3cret", stamp: int | None = None) -> dict:
    stamp = int(time.time()) if stamp is None else stamp
    return {"X-KetNoi-Timestamp": str(stamp), "X-KetNoi-Signature": sign(secret, stamp, body)}


@pytest.mark.django_db
def test_webhook_receipts_verify_signature_freshness_and_replay():
    sender = WebhookSender(url="http://127.0.0.1:9/", secret="s3cret", tolerance=300)
    body = json.dumps(
        [
            {"id": "k-1", "status": "delivered", "at": "2026-12-07T04:31:00Z"},
            {"id": "k-2", "status": "failed", "reason": "no such user"},
            {"type": "opt_out", "to": "u-5"},
        ]
    ).encode()
    headers = _signed(body)
    events = sender.parse_events(body, headers)
    assert events[0].provider_id == "k-1" and events[0].delivered and events[0].at.hour == 4
    assert events[1] == Receipt("k-2", False, "no such user", None) and events[2] == OptOut("u-5", None, "webhook")
    with pytest.raises(ReceiptRejected, match="already received"):
        sender.parse_events(body, headers)  # the same signed post again
    with pytest.raises(ReceiptRejected, match="does not match"):
        sender.parse_events(body, _signed(body, secret="forged"))
    tampered = body.replace(b"failed", b"delivered")
    with pytest.raises(ReceiptRejected, match="does not match"):
        sender.parse_events(tampered, _signed(body))
    with pytest.raises(ReceiptRejected, match="away from now"):
        sender.parse_events(body, _signed(body, stamp=int(time.time()) - 3600))
    with pytest.raises(ReceiptRejected, match="required"):
        sender.parse_events(body, {})
