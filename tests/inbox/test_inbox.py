"""Issue 8.9: citizen feedback from every channel into one inbox — intake (portal form, SMS and
messaging replies through local fakes, notes from meetings), routing and due dates, the answer back
on its channel (once, whatever the retries), the citizen's reference lookup, and scoping."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from ketnoi.channels.models import SmsRecipient
from ketnoi.channels.senders import InboundMessage, OptOut, Receipt
from ketnoi.channels.senders.webhook import sign
from ketnoi.channels.senders.zalo import signature
from ketnoi.inbox import services
from ketnoi.inbox.models import FeedbackEvent, RoutingRule, Topic
from ketnoi.orgs.models import Agency
from ketnoi.people.models import Language
from ketnoi.portal.models import Feedback, FeedbackSender
from tests.channels.fakes import FakeHttp

pytestmark = pytest.mark.django_db

PHONE = "+84912345678"
TEXT = "Đường vào bản Lao Chải bị sạt lở sau mưa, xe máy không qua được."


@pytest.fixture
def tavan(unit):
    return unit("03037")


@pytest.fixture
def committee(tavan):
    agency, _created = Agency.objects.get_or_create(
        code="UBNDX-03037", defaults={"name_vi": "UBND xã Tả Van", "kind": "commune_committee", "unit": tavan}
    )
    return agency


@pytest.fixture
def recipient(tavan):
    return SmsRecipient.objects.create(commune=tavan, phone=PHONE, language=Language.objects.get(bcp47="hmn"))


@pytest.fixture
def gateway(settings):
    settings.SMS_BACKEND, settings.SMS_BRAND_NAME = "http", "UBND TAVAN"
    settings.SMS_HTTP_CALLBACK_TOKEN, settings.SMS_HTTP_API_KEY = "tok-1", "key-1"
    settings.SMS_HTTP_TIMEOUT = 2
    with FakeHttp(reply={"message_id": "G-1"}) as fake:
        settings.SMS_HTTP_URL = fake.url + "/sms/send"
        yield fake


def _post_sms(client, items, token="tok-1"):
    return client.post(
        "/inbox/receive/sms/", json.dumps(items), content_type="application/json", HTTP_X_KETNOI_TOKEN=token
    )


# ---- intake --------------------------------------------------------------------------------------


def test_the_portal_form_writes_into_the_inbox_with_a_due_date_and_an_agency(client, login, committee):
    response = client.post("/p/vi/gop-y/", {"message": TEXT, "contact": "0912 345 678", "commune": "Tả Van"})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.channel == "portal" and feedback.unit.code == "03037" and feedback.agency == committee
    assert feedback.due_on == timezone.localdate(feedback.received_at) + dt.timedelta(days=15)
    assert list(feedback.events.values_list("action", flat=True)) == ["received"]
    page = login("xa.tavan").get("/inbox/").content.decode()
    assert feedback.reference in page and "Lao Chải" in page


def test_an_sms_reply_becomes_feedback_once_with_the_recipients_commune(client, gateway, recipient):
    item = {"type": "inbound", "from": "0912 345 678", "text": TEXT, "id": "mo-1"}
    first = _post_sms(client, [item])
    again = _post_sms(client, [item])  # the gateway posts the same message twice
    assert first.status_code == 200 and first.json()["feedback"] == 1 and again.status_code == 200
    feedback = Feedback.objects.get()
    assert feedback.channel == "sms" and feedback.unit.code == "03037" and feedback.language.bcp47 == "hmn"
    assert feedback.sender.contact == PHONE and feedback.message == TEXT  # the contact is encrypted at rest
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM portal_feedbacksender WHERE feedback_id = %s", [feedback.pk])
        assert "912345678" not in cursor.fetchone()[0]


def test_a_forged_sms_post_is_refused_and_records_nothing(client, gateway, recipient):
    response = _post_sms(client, [{"type": "inbound", "from": PHONE, "text": TEXT}], token="guess")
    assert response.status_code == 403 and Feedback.objects.count() == 0
    assert client.post("/inbox/receive/sms/", b"not json", content_type="application/json").status_code == 403
    assert client.post("/inbox/receive/carrier-pigeon/", b"{}", content_type="application/json").status_code == 404


def test_an_opt_out_keyword_opts_the_recipient_out_instead_of_creating_feedback(client, gateway, recipient):
    response = _post_sms(client, [{"type": "inbound", "from": "0912345678", "text": "Từ chối"}])
    assert response.status_code == 200 and response.json() == {"receipts": 0, "opt_outs": 1, "feedback": 0}
    recipient.refresh_from_db()
    assert recipient.opted_out_at is not None and Feedback.objects.count() == 0


def test_a_signed_webhook_message_is_feedback_and_a_forged_one_is_refused(client, settings, tavan):
    settings.WEBHOOK_URL, settings.WEBHOOK_SECRET = "http://127.0.0.1:9/hook", "s3cret"
    body = json.dumps([{"type": "message", "from": "u-77", "text": TEXT, "id": "w-1", "commune": "03037"}]).encode()
    stamp = int(time.time())
    forged = client.post(
        "/inbox/receive/webhook/",
        body,
        content_type="application/json",
        HTTP_X_KETNOI_TIMESTAMP=str(stamp),
        HTTP_X_KETNOI_SIGNATURE=sign("forged", stamp, body),
    )
    assert forged.status_code == 403 and Feedback.objects.count() == 0
    good = client.post(
        "/inbox/receive/webhook/",
        body,
        content_type="application/json",
        HTTP_X_KETNOI_TIMESTAMP=str(stamp),
        HTTP_X_KETNOI_SIGNATURE=sign("s3cret", stamp, body),
    )
    assert good.status_code == 200 and good.json()["feedback"] == 1
    feedback = Feedback.objects.get()
    assert feedback.channel == "webhook" and feedback.unit == tavan and feedback.sender.contact == "u-77"


def test_a_zalo_message_event_is_feedback(client, settings):
    settings.ZALO_OA_ACCESS_TOKEN, settings.ZALO_APP_ID, settings.ZALO_OA_SECRET_KEY = "t", "app-1", "oa-secret"
    event = {
        "app_id": "app-1",
        "event_name": "user_send_text",
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": "z-9"},
        "message": {"text": TEXT, "msg_id": "zm-1"},
    }
    body = json.dumps(event).encode()
    sig = signature("app-1", body, event["timestamp"], "oa-secret")
    response = client.post("/inbox/receive/zalo/", body, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE=sig)
    assert response.status_code == 200 and response.json()["feedback"] == 1
    assert Feedback.objects.get().channel == "zalo"
    forged = client.post("/inbox/receive/zalo/", body, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE="x")
    assert forged.status_code == 403


def test_delivery_receipts_reach_the_outbox(monkeypatch):
    seen = []
    monkeypatch.setattr("ketnoi.channels.outbox.record_receipt", lambda **kw: seen.append(kw) or 1)
    counts = services.receive_events(
        platform="sms",
        events=[Receipt("G-5", True), OptOut(to=PHONE), InboundMessage(sender=PHONE, text="")],
    )
    assert counts == {"receipts": 1, "opt_outs": 1, "feedback": 0}
    assert seen == [{"provider_id": "G-5", "delivered": True, "reason": "", "at": None}]


def test_commune_staff_note_meeting_feedback_only_for_their_commune(login, users, tavan, unit):
    client = login("xa.tavan")
    page = client.post(
        "/inbox/note/",
        {"commune": tavan.pk, "channel": "meeting", "message": "Bà con hỏi về hỗ trợ giống ngô vụ xuân."},
    )
    assert page.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.channel == "meeting" and feedback.noted_by == users["xa.tavan"] and feedback.unit == tavan
    assert list(feedback.events.values_list("action", flat=True)) == ["noted"]
    other = client.post("/inbox/note/", {"commune": unit("00721").pk, "channel": "callin", "message": "Hỏi về điện"})
    assert other.status_code == 422 and Feedback.objects.count() == 1


# ---- routing and due dates -----------------------------------------------------------------------


def test_routing_follows_the_topic_rules_and_the_due_date_its_days(login, users, tavan, committee, unit):
    land = Topic.objects.get(code="land")
    assert services.route_for(unit=tavan, topic=land) == committee
    province_agency = Agency.objects.create(
        code="STNMT-15-TEST", name_vi="Sở Nông nghiệp và Môi trường", kind="provincial_department", unit=unit("15")
    )
    RoutingRule.objects.create(topic=land, unit=unit("15"), agency=province_agency)
    assert services.route_for(unit=tavan, topic=land) == province_agency  # the province's rule wins
    feedback = services.note(user=users["xa.tavan"], commune=tavan, channel="meeting", message=TEXT)
    client = login("xa.tavan")
    response = client.post(f"/inbox/{feedback.pk}/", {"action": "route", "topic": land.pk})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.state == "routed" and feedback.agency == province_agency and feedback.topic == land
    assert feedback.due_on == timezone.localdate(feedback.received_at) + dt.timedelta(days=land.due_days)
    land.due_days = 45  # [M] the periods are data
    land.save()
    services.route(user=users["xa.tavan"], feedback=feedback, topic=land)
    feedback.refresh_from_db()
    assert feedback.due_on == timezone.localdate(feedback.received_at) + dt.timedelta(days=45)


def test_the_overdue_list_holds_open_feedback_past_its_due_date(login, users, tavan):
    old = services.note(
        user=users["xa.tavan"],
        commune=tavan,
        channel="callin",
        message="Loa thôn 3 không nghe rõ",
        received_at=timezone.now() - dt.timedelta(days=40),
    )
    new = services.note(user=users["xa.tavan"], commune=tavan, channel="callin", message="Hỏi lịch tiêm chủng")
    assert old.is_overdue() and not new.is_overdue()
    page = login("xa.tavan").get("/inbox/?state=open&overdue=1").content.decode()
    assert old.reference in page and new.reference not in page
    services.answer(user=users["xa.tavan"], feedback=old, text="Đã sửa loa.")
    page = login("xa.tavan").get("/inbox/?state=open&overdue=1").content.decode()
    assert old.reference not in page  # answered: no longer overdue


def test_filters_by_channel_and_topic(login, users, tavan, client):
    services.note(
        user=users["xa.tavan"],
        commune=tavan,
        channel="meeting",
        message="Họp thôn: đường",
        topic=Topic.objects.get(code="infrastructure"),
    )
    services.note(
        user=users["xa.tavan"],
        commune=tavan,
        channel="callin",
        message="Gọi loa: y tế",
        topic=Topic.objects.get(code="health"),
    )
    staff = login("xa.tavan")
    page = staff.get("/inbox/?state=&channel=callin").content.decode()
    assert "Gọi loa: y tế" in page and "Họp thôn: đường" not in page
    page = staff.get("/inbox/?state=&topic=infrastructure").content.decode()
    assert "Họp thôn: đường" in page and "Gọi loa: y tế" not in page


# ---- scoping -------------------------------------------------------------------------------------


def test_another_communes_and_provinces_staff_get_404(login, users, tavan):
    feedback = services.note(user=users["xa.tavan"], commune=tavan, channel="meeting", message=TEXT)
    assert login("xa.dongvan").get(f"/inbox/{feedback.pk}/").status_code == 404
    assert login("xa.dongvan").post(f"/inbox/{feedback.pk}/", {"action": "close"}).status_code == 404
    assert feedback.reference not in login("tinh.tuyenquang").get("/inbox/?state=").content.decode()
    assert login("tinh.tuyenquang").get(f"/inbox/{feedback.pk}/").status_code == 404
    assert login("tinh.laocai").get(f"/inbox/{feedback.pk}/").status_code == 200  # the province sees its communes
    assert login("bientap").get("/inbox/").status_code == 403  # no feedback.handle


# ---- the answer, back on its channel -------------------------------------------------------------


def test_an_sms_answer_reaches_the_gateway_once_even_if_the_job_runs_twice(
    client, gateway, recipient, users, django_capture_on_commit_callbacks
):
    _post_sms(client, [{"type": "inbound", "from": PHONE, "text": TEXT, "id": "mo-2"}])
    feedback = Feedback.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer(user=users["xa.tavan"], feedback=feedback, text="Xã đã cử người dọn đường, thứ Hai thông xe.")
    assert services.deliver_answer(feedback.pk) == "skipped"  # the job ran on commit; a second run sends nothing
    assert len(gateway.requests) == 1
    [request] = gateway.requests
    assert request["json"]["phone"] == "84912345678" and request["json"]["request_id"] == f"feedback-{feedback.pk}"
    assert request["json"]["message"].startswith(feedback.reference)
    feedback.refresh_from_db()
    assert feedback.answer_delivery == "sent" and feedback.answer_provider_id == "G-1"
    receipt = _post_sms(client, [{"message_id": "G-1", "status": "delivered"}])
    assert receipt.status_code == 200
    feedback.refresh_from_db()
    assert feedback.answer_delivery == "delivered"
    assert "answer_delivered" in feedback.events.values_list("action", flat=True)


def test_a_crashed_send_is_tried_again_with_the_same_key_only_once_stale(gateway, recipient, users):
    feedback = services.receive_inbound(platform="sms", message=InboundMessage(sender=PHONE, text=TEXT))
    services.answer(user=users["xa.tavan"], feedback=feedback, text="Trả lời")
    Feedback.objects.filter(pk=feedback.pk).update(answer_delivery="sending")  # a worker died mid-send
    assert services.deliver_answer(feedback.pk) == "skipped" and gateway.requests == []
    later = timezone.now() + services.STALE_SENDING + dt.timedelta(minutes=1)
    assert services.deliver_answer(feedback.pk, now=later) == "sent"
    assert [r["json"]["request_id"] for r in gateway.requests] == [f"feedback-{feedback.pk}"]


def test_a_zalo_answer_goes_through_the_zalo_adapter(settings, users, tavan):
    with FakeHttp(reply={"error": 0, "data": {"message_id": "zm-out-1"}}) as fake:
        settings.ZALO_OA_ACCESS_TOKEN, settings.ZALO_API_URL, settings.ZALO_MODE = "tok", fake.url, "cs"
        feedback = services.receive_inbound(
            platform="zalo", message=InboundMessage(sender="z-9", text=TEXT, provider_id="zm-1", commune="03037")
        )
        services.answer(user=users["xa.tavan"], feedback=feedback, text="Cảm ơn bà con đã báo.")
        assert services.deliver_answer(feedback.pk) == "sent"
        assert services.deliver_answer(feedback.pk) == "skipped"
    assert len(fake.requests) == 1 and "z-9" in fake.requests[0]["body"].decode()
    feedback.refresh_from_db()
    assert feedback.answer_delivery == "sent" and feedback.answer_provider_id == "zm-out-1"


def test_an_answer_without_a_sender_or_provider_is_recorded_as_such(settings, users, recipient):
    settings.SMS_BACKEND = ""
    feedback = services.receive_inbound(platform="sms", message=InboundMessage(sender=PHONE, text=TEXT))
    services.answer(user=users["xa.tavan"], feedback=feedback, text="Trả lời")
    assert services.deliver_answer(feedback.pk) == "failed"
    feedback.refresh_from_db()
    assert feedback.answer_delivery == "failed" and "SMS_BACKEND" in feedback.answer_delivery_reason


def test_meeting_feedback_is_answered_for_reading_out_then_closed(login, users, tavan):
    feedback = services.note(user=users["xa.tavan"], commune=tavan, channel="meeting", message=TEXT)
    client = login("xa.tavan")
    client.post(f"/inbox/{feedback.pk}/", {"action": "answer", "answer": "Sẽ đọc trên loa tối thứ Sáu."})
    feedback.refresh_from_db()
    assert feedback.state == "published" and feedback.answer_delivery == "to_read_out"
    page = client.get(f"/inbox/{feedback.pk}/").content.decode()
    assert "/channels/bulletins/new/" in page  # a loudspeaker bulletin can be made from it
    client.post(f"/inbox/{feedback.pk}/", {"action": "read_out"})
    client.post(f"/inbox/{feedback.pk}/", {"action": "close"})
    feedback.refresh_from_db()
    assert feedback.answer_delivery == "read_out" and feedback.state == "closed"
    assert list(feedback.events.values_list("action", flat=True)) == ["noted", "answered", "read_out", "closed"]
    again = client.post(f"/inbox/{feedback.pk}/", {"action": "answer", "answer": "x"})
    assert again.status_code == 422


def test_a_portal_answer_is_published_and_an_sms_one_is_not(users, tavan, recipient):
    portal = Feedback.objects.create(language=Language.objects.get(bcp47="vi"), unit=tavan, message=TEXT)
    sms = services.receive_inbound(platform="sms", message=InboundMessage(sender=PHONE, text="Hỏi riêng về đất"))
    services.answer(user=users["xa.tavan"], feedback=portal, text="Câu trả lời công khai")
    services.answer(user=users["xa.tavan"], feedback=sms, text="Câu trả lời riêng")
    from ketnoi.portal.selectors import published_answers

    assert list(published_answers()) == [portal]
    portal.refresh_from_db()
    assert portal.answer_delivery == "published"


# ---- the citizen's lookup ------------------------------------------------------------------------


def test_the_citizen_looks_up_the_answer_by_reference_without_anything_personal(client, users, recipient):
    feedback = services.receive_inbound(platform="sms", message=InboundMessage(sender=PHONE, text=TEXT))
    FeedbackSender.objects.filter(feedback=feedback).update(name="Giàng A Páo")
    waiting = client.get("/p/vi/gop-y/tra-cuu/", {"ref": feedback.reference}).content.decode()
    assert "being handled" in waiting or "đang được xử lý" in waiting
    services.answer(user=users["xa.tavan"], feedback=feedback, text="Thứ Hai thông xe.")
    page = client.get("/p/vi/gop-y/tra-cuu/", {"ref": feedback.reference.lower().replace("-", " ")})
    body = page.content.decode()
    assert page.status_code == 200 and "Thứ Hai thông xe." in body
    assert "Giàng A Páo" not in body and "912" not in body and TEXT not in body  # an SMS's words stay private
    wrong_check = feedback.reference[:-3] + ("AAA" if feedback.check_code != "AAA" else "CCC")
    assert client.get("/p/vi/gop-y/tra-cuu/", {"ref": wrong_check}).status_code == 404
    assert (
        client.get("/p/vi/gop-y/tra-cuu/", {"ref": f"GY-{feedback.created_at:%Y}-{feedback.pk:06d}"}).status_code == 404
    )


def test_lookups_are_rate_limited(client, settings):
    from django.core.cache import cache

    cache.clear()
    for _i in range(30):
        client.get("/p/vi/gop-y/tra-cuu/", {"ref": "GY-2026-000001-AAA"})
    assert client.get("/p/vi/gop-y/tra-cuu/", {"ref": "GY-2026-000001-AAA"}).status_code == 429
    cache.clear()


# ---- personal data -------------------------------------------------------------------------------


def test_subject_export_and_erase_include_sms_feedback(users, recipient):
    from ketnoi import subjects

    feedback = services.receive_inbound(platform="sms", message=InboundMessage(sender=PHONE, text=TEXT))
    exported = subjects.subject_export(actor=users["admin"], kind=subjects.CONTACT, identifier="0912 345 678")
    assert [row["reference"] for row in exported["feedback"]] == [feedback.reference]
    assert exported["feedback"][0]["channel"] == "sms" and exported["feedback"][0]["contact"] == PHONE
    subjects.subject_erase(actor=users["admin"], kind=subjects.CONTACT, identifier=PHONE)
    feedback.refresh_from_db()
    assert not FeedbackSender.objects.filter(feedback=feedback).exists() and feedback.message.startswith("[erased")


def test_history_notes_never_hold_the_senders_words(users, recipient):
    feedback = services.receive_inbound(platform="sms", message=InboundMessage(sender=PHONE, text=TEXT))
    services.reject(user=users["xa.tavan"], feedback=feedback, reason="Trùng lặp")
    notes = " ".join(FeedbackEvent.objects.filter(feedback=feedback).values_list("note", flat=True))
    assert TEXT not in notes and PHONE not in notes


def test_private_feedback_messages_expire_after_their_retention_period(users, recipient, settings):
    settings.PERSONAL_DATA_RETENTION_MONTHS = settings.PERSONAL_DATA_RETENTION_MONTHS | {"private_feedback_message": 24}
    feedback = services.receive_inbound(platform="sms", message=InboundMessage(sender=PHONE, text=TEXT))
    open_one = services.receive_inbound(platform="sms", message=InboundMessage(sender=PHONE, text="Còn đang chờ"))
    portal = Feedback.objects.create(language=Language.objects.get(bcp47="vi"), unit=recipient.commune, message=TEXT)
    for row in (feedback, portal):
        services.answer(user=users["xa.tavan"], feedback=row, text="Đã trả lời")
    later = timezone.now() + dt.timedelta(days=800)
    assert services.retention_expire(now=later) == {"private_feedback_message": 1}
    assert services.retention_expire(now=later) == {"private_feedback_message": 0}  # idempotent
    feedback.refresh_from_db(), open_one.refresh_from_db(), portal.refresh_from_db()
    assert feedback.message.startswith("[erased") and open_one.message == "Còn đang chờ" and portal.message == TEXT


def test_the_inbox_jobs_are_scheduled():
    import ketnoi.inbox.tasks  # noqa: F401 - `ketnoi worker` autodiscovers the tasks modules
    from ketnoi.core import jobs

    names = {task.__name__ for task in jobs.queue._registry._periodic_tasks}
    assert {"inbox.deliver_pending_answers", "inbox.expire_private_feedback_messages"} <= names


def test_pending_answers_are_picked_up_by_the_periodic_job(gateway, recipient, users):
    from ketnoi.inbox.tasks import deliver_pending_answers

    feedback = services.receive_inbound(platform="sms", message=InboundMessage(sender=PHONE, text=TEXT))
    services.answer(user=users["xa.tavan"], feedback=feedback, text="Trả lời")  # the on-commit job never ran
    assert deliver_pending_answers.call_local() == 1
    assert deliver_pending_answers.call_local() == 0
    assert len(gateway.requests) == 1


# ---- API -----------------------------------------------------------------------------------------


@pytest.fixture
def api(client, users):
    from ketnoi.orgs.services import token_create

    def _for(username):
        _token, key = token_create(user=users[username], name="inbox")

        def call(method, path, data=None):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
            if method == "get":
                return client.get(path, data or {}, **headers)
            return client.post(path, json.dumps(data or {}), content_type="application/json", **headers)

        return call

    return _for


def test_the_api_lists_routes_answers_and_closes_in_the_callers_area_only(api, users, tavan, recipient, committee):
    feedback = services.receive_inbound(platform="sms", message=InboundMessage(sender=PHONE, text=TEXT))
    FeedbackSender.objects.filter(feedback=feedback).update(name="Giàng A Páo")
    officer = api("xa.tavan")
    listed = officer("get", "/api/v1/inbox/feedback", {"state": "open"}).json()
    [row] = listed["items"]
    assert row["reference"] == feedback.reference and row["contact"] == "+84 91x xxx x78" and row["channel"] == "sms"
    assert "Giàng" not in json.dumps(listed)
    assert api("xa.dongvan")("get", "/api/v1/inbox/feedback").json()["items"] == []
    assert api("xa.dongvan")("get", f"/api/v1/inbox/feedback/{feedback.pk}").status_code == 404
    assert api("xa.dongvan")("post", f"/api/v1/inbox/feedback/{feedback.pk}/answer", {"answer": "x"}).status_code == 404
    routed = officer("post", f"/api/v1/inbox/feedback/{feedback.pk}/route", {"topic": "infrastructure"})
    assert (
        routed.status_code == 200 and routed.json()["state"] == "routed" and routed.json()["agency"] == committee.code
    )
    assert officer("post", f"/api/v1/inbox/feedback/{feedback.pk}/route", {"topic": "nope"}).status_code == 422
    assert officer("post", f"/api/v1/inbox/feedback/{feedback.pk}/close").status_code == 422  # not answered yet
    answered = officer("post", f"/api/v1/inbox/feedback/{feedback.pk}/answer", {"answer": "Đã sửa đường."})
    assert answered.status_code == 200 and answered.json()["answer_delivery"] == "pending"
    closed = officer("post", f"/api/v1/inbox/feedback/{feedback.pk}/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
