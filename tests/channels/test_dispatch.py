"""Pushed deliveries (issue 8.4): SMS through the brand-name gateway adapter, against a local fake
gateway. Sent once with the delivery's key as the request id; transient failures retried with
back-off; a permanent one or an opt-out fails the delivery with its reason; receipts move it to
delivered; a send a dead worker left is sent again only where the provider honours the key. The
last test kills a real worker in the middle of a send (SQLite + embedded queue, PostgreSQL + Redis)."""

from __future__ import annotations

import datetime as dt
import signal

import pytest
from django.utils import timezone

from ketnoi.channels import outbox
from ketnoi.channels.models import Delivery, SmsRecipient
from ketnoi.people.models import Language
from tests.channels.fakes import FakeHttp


@pytest.fixture
def gateway(settings):
    with FakeHttp(reply={"message_id": "GW-1"}) as fake:
        settings.SMS_BACKEND = "http"
        settings.SMS_HTTP_URL = fake.url + "/send"
        settings.SMS_BRAND_NAME = "UBND TA VAN"
        settings.SMS_HTTP_API_KEY = "k"
        settings.SMS_HTTP_TIMEOUT = 2
        yield fake


@pytest.fixture
def approved_sms(users, unit):
    """An approved bulletin with a Vietnamese SMS for two recipients of a Lào Cai commune."""
    from ketnoi.channels import services
    from ketnoi.geo.models import AdminUnit

    laocai = unit("15")
    commune = AdminUnit.objects.filter(structure="current", level="commune", province=laocai).order_by("code").first()
    vi = Language.objects.get(bcp47="vi")
    people = [
        SmsRecipient.objects.create(commune=commune, phone="+84912000001", language=vi),
        SmsRecipient.objects.create(commune=commune, phone="0912000002", language=vi),
    ]
    bulletin = services.bulletin_create(
        user=users["bientap.laocai"], owner_unit=laocai, title="Mưa lớn", body="Không qua suối.", target_units=[commune]
    )
    for rendition in bulletin.renditions.exclude(channel="sms"):
        services.rendition_delete(user=bulletin.author, rendition=rendition)
    bulletin = services.bulletin_transition(user=bulletin.author, bulletin=bulletin, action="submit")
    bulletin = services.bulletin_transition(user=users["thamdinh"], bulletin=bulletin, action="appraise")
    bulletin = services.bulletin_transition(user=users["dieuphoi"], bulletin=bulletin, action="approve")
    return bulletin, people


def test_an_approved_sms_is_sent_once_per_recipient_with_its_key(gateway, approved_sms):
    bulletin, people = approved_sms
    assert outbox.dispatch_due() == {"sent": 2}
    sent = {r["json"]["request_id"]: r["json"] for r in gateway.requests}
    keys = set(Delivery.objects.filter(bulletin=bulletin).values_list("key", flat=True))
    assert set(sent) == keys
    assert {m["phone"] for m in sent.values()} == {"84912000001", "84912000002"}
    assert all(m["brandname"] == "UBND TA VAN" and "suối" in m["message"] for m in sent.values())
    assert set(Delivery.objects.filter(bulletin=bulletin).values_list("state", "provider_id")) == {("sent", "GW-1")}
    assert outbox.dispatch_due() == {}  # nothing twice
    assert len(gateway.requests) == 2
    assert outbox.record_receipt(provider_id="GW-1", delivered=True) == 2
    assert outbox.record_receipt(provider_id="GW-1", delivered=True) == 0  # a receipt twice changes nothing
    assert set(Delivery.objects.filter(bulletin=bulletin).values_list("state", flat=True)) == {"delivered"}


def test_a_transient_failure_is_retried_after_its_back_off(gateway, approved_sms):
    bulletin, _people = approved_sms
    gateway.status = 503
    assert outbox.dispatch_due() == {"queued": 2}
    first = Delivery.objects.filter(bulletin=bulletin).first()
    assert first.attempts == 1 and first.next_attempt_at > timezone.now() + dt.timedelta(seconds=20)
    gateway.status = 200
    assert outbox.dispatch_due() == {}  # not before the back-off
    assert outbox.dispatch_due(now=timezone.now() + dt.timedelta(seconds=31)) == {"sent": 2}
    assert Delivery.objects.get(pk=first.pk).attempts == 2


def test_after_too_many_attempts_a_delivery_fails_with_the_reason(gateway, approved_sms):
    bulletin, _people = approved_sms
    gateway.status = 500
    now = timezone.now()
    for attempt in range(outbox.MAX_ATTEMPTS):
        outbox.dispatch_due(now=now + dt.timedelta(hours=attempt + 1))
    failed = Delivery.objects.filter(bulletin=bulletin, state="failed")
    assert failed.count() == 2 and all("Gave up after 6 attempts" in d.reason for d in failed)


def test_an_opt_out_answer_marks_the_recipient_and_a_bad_request_fails(gateway, approved_sms):
    bulletin, people = approved_sms
    gateway.status, gateway.reply = 400, {"error": "opted_out"}
    assert outbox.dispatch_due() == {"failed": 2}
    assert all(p.opted_out_at is not None for p in SmsRecipient.objects.filter(pk__in=[p.pk for p in people]))
    assert not Delivery.objects.filter(bulletin=bulletin).exclude(state="failed").exists()


def test_nothing_configured_fails_with_the_missing_setting(settings, approved_sms):
    bulletin, _people = approved_sms
    settings.SMS_BACKEND = ""
    assert outbox.dispatch_due() == {"failed": 2}
    assert "SMS_BACKEND" in Delivery.objects.filter(bulletin=bulletin).first().reason


def test_a_send_left_by_a_dead_worker_is_resent_only_where_the_key_is_honoured(gateway, settings, approved_sms):
    bulletin, _people = approved_sms
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    Delivery.objects.filter(bulletin=bulletin).update(state="sending", claimed_at=long_ago, attempts=1)
    assert outbox.recover_stalled() == {"requeued": 2, "unknown": 0}  # the HTTP gateway takes request_id
    Delivery.objects.filter(bulletin=bulletin).update(state="sending", claimed_at=long_ago)
    settings.SMS_BACKEND, settings.SMPP_HOST = "smpp", "127.0.0.1"
    assert outbox.recover_stalled() == {"requeued": 0, "unknown": 2}  # SMPP would send a second SMS
    assert all("Outcome unknown" in d.reason for d in Delivery.objects.filter(bulletin=bulletin))


# ---- a real worker killed in the middle of a send ----------------------------------------------

SETUP = """
from django.contrib.auth import get_user_model
from ketnoi.channels.models import Bulletin, Delivery, Rendition, SmsRecipient
from ketnoi.geo.models import AdminUnit
from ketnoi.people.models import Language
keys = lambda name: {"search_key": name, "sort_key": name}
vi = Language.objects.create(iso639_3="vie", bcp47="vi", name_vi="Tiếng Việt", name_en="Vietnamese", **keys("tv"))
unit = lambda **k: AdminUnit.objects.create(structure="current", short_name=k["name"], **keys(k["name"]), **k)
p = unit(level="province", code="15", unit_type="tỉnh", name="Lào Cai")
AdminUnit.objects.filter(pk=p.pk).update(province=p)
c = unit(level="commune", code="03037", unit_type="xã", name="Tả Van", parent=p, province=p)
u = get_user_model().objects.create_user("bientap", password="x" * 12)
b = Bulletin.objects.create(title="Mưa lớn", body="Không qua suối.", owner_unit=p, author=u, state="approved")
r = Rendition.objects.create(bulletin=b, channel="sms", language=vi, text="Mưa lớn. Không qua suối.")
s = SmsRecipient.objects.create(commune=c, phone="+84912000001", language=vi)
d = Delivery.objects.create(key="b1-r1-sms1", bulletin=b, rendition=r, commune=c, endpoint="sms", recipient=s)
print(d.pk)
"""


def _state(h, pk):
    return h.query("SELECT state, attempts, provider_id FROM channels_delivery WHERE id = %s", pk)[0]


def test_a_worker_killed_mid_send_neither_loses_nor_duplicates_the_sms(worker_harness):
    h = worker_harness
    with FakeHttp(reply={"message_id": "GW-7"}, hang=60) as fake:
        h.env.update(
            {
                "SMS_BACKEND": "http",
                "SMS_HTTP_URL": fake.url + "/send",
                "SMS_BRAND_NAME": "UBND TA VAN",
                "SMS_HTTP_TIMEOUT": "30",
            }
        )
        delivery = int(h.shell(SETUP))
        h.start()
        h.enqueue("ketnoi.channels.tasks.dispatch_bulletin", 1)
        h.wait_until(lambda: fake.requests, what="the gateway reached by the first worker")
        assert _state(h, delivery)[:2] == ("sending", 1)
        h.kill(signal.SIGKILL)  # the gateway has the message; the worker never heard its answer
        fake.hang, fake._released = 0, __import__("threading").Event()
        h.start()
        h.shell("from ketnoi.channels import outbox; print(outbox.dispatch_due())")
        assert _state(h, delivery)[0] == "sending"  # too early to tell a dead worker from a slow one
        h.query(
            "UPDATE channels_delivery SET claimed_at = %s WHERE id = %s",
            timezone.now() - dt.timedelta(minutes=10),
            delivery,
        )
        h.shell("from ketnoi.channels import outbox; print(outbox.dispatch_due())")
        assert _state(h, delivery) == ("sent", 2, "GW-7")
        keys = [r["json"]["request_id"] for r in fake.requests]
        assert keys == ["b1-r1-sms1", "b1-r1-sms1"]  # sent again with the same key: the gateway keeps one
        assert h.query("SELECT count(*) FROM channels_delivery")[0][0] == 1
