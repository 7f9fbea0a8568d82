"""The device interface (issue 8.5, 8.12): a loudspeaker cluster of Tả Van, as the device sees it —
its token, its schedule with ETag and 304, the audio in byte ranges with its checksum, play logs in
batches sent twice, heartbeats and the offline alert, and emergencies pushed over MQTT and over
server-sent events; and every refusal a device can cause: unknown or revoked token, bad lines,
wrong checksum, oversized body."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import socket
import threading
import time
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from ketnoi.channels import devices, outbox, services
from ketnoi.channels.models import (
    Bulletin,
    Delivery,
    DeviceCredential,
    Heartbeat,
    LoudspeakerCluster,
    PlayLog,
    ProgrammeDecision,
    RadioStation,
    Rendition,
)
from ketnoi.core.models import AuditEntry
from ketnoi.geo.models import AdminUnit
from tests.conftest import require_service

AUDIO = bytes(range(256)) * 40 + b"end"  # 10,243 bytes
AUDIO_SHA = hashlib.sha256(AUDIO).hexdigest()


@pytest.fixture
def tavan(db, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MQTT_URL = ""
    monkeypatch.setattr(outbox, "send_one", lambda pk, now=None: "sent")  # no SMS leaves the test
    commune = AdminUnit.objects.get(structure="current", level="commune", code="03037")
    station = RadioStation.objects.create(commune=commune, name="Đài truyền thanh xã (thử)")
    clusters = [
        LoudspeakerCluster.objects.create(station=station, name="Cụm loa trung tâm xã", device_id="TEST-TV-01"),
        LoudspeakerCluster.objects.create(station=station, name="Cụm loa bản Giàng Tả Chải", device_id="TEST-TV-02"),
    ]
    return {
        "commune": commune,
        "clusters": clusters,
        "province": AdminUnit.objects.get(structure="current", level="province", code="15"),
    }


def _bulletin(users, tavan, *, priority="priority", title="Lịch tiêm phòng", times="06:00 17:30", day=None):
    day = day or timezone.localdate()
    editor = users["bientap.laocai"]
    bulletin = services.bulletin_create(
        user=editor,
        owner_unit=tavan["province"],
        title=title,
        body="Mang theo sổ tiêm chủng.",
        priority=priority,
        target_units=[tavan["commune"]],
    )
    rendition = bulletin.renditions.get(channel="loudspeaker")
    name = default_storage.save(f"bulletins/test/{bulletin.pk}.mp3", ContentFile(AUDIO))
    Rendition.objects.filter(pk=rendition.pk).update(
        audio=name, audio_status="ready", audio_origin="recording", audio_sha256=AUDIO_SHA, audio_seconds=12.5
    )
    if priority != "emergency":
        services.schedule_add(user=editor, bulletin=bulletin, starts_on=day, ends_on=day, times=times)
    bulletin = services.bulletin_transition(user=editor, bulletin=bulletin, action="submit")
    bulletin = services.bulletin_transition(user=users["thamdinh"], bulletin=bulletin, action="appraise")
    return services.bulletin_transition(user=users["dieuphoi"], bulletin=bulletin, action="approve")


def _token(users, cluster) -> str:
    return devices.credential_issue(user=users["xa.tavan"], cluster=cluster)[1]


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _post(client, path, body, token, **extra):
    return client.post(path, json.dumps(body), content_type="application/json", **_auth(token), **extra)


def _download(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_device_polls_downloads_acknowledges_and_logs(client, users, tavan):
    bulletin = _bulletin(users, tavan)
    skipped = _bulletin(users, tavan, priority="normal", title="Chưa được xã nhận")  # normal: not accepted yet
    cluster = tavan["clusters"][0]
    token = _token(users, cluster)
    rendition = bulletin.renditions.get(channel="loudspeaker")

    response = client.get("/api/v1/devices/schedule", **_auth(token))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["day"] == timezone.localdate().isoformat()
    assert body["device"]["device_id"] == "TEST-TV-01"
    assert [i["bulletin"] for i in body["items"]] == [bulletin.pk, bulletin.pk]  # 06:00 and 17:30
    assert skipped.pk not in {i["bulletin"] for i in body["items"]}
    first = body["items"][0]
    assert first["priority"] == "priority" and first["at"].startswith(timezone.localdate().isoformat() + "T06:00")
    assert first["renditions"] == [
        {
            "id": rendition.pk,
            "language": "vi",
            "audio_url": f"http://testserver/api/v1/devices/audio/{rendition.pk}",
            "sha256": AUDIO_SHA,
            "bytes": len(AUDIO),
            "seconds": 12.5,
        }
    ]
    delivery = Delivery.objects.get(cluster=cluster, rendition=rendition)
    assert delivery.state == "sent" and delivery.sent_at is not None
    other = Delivery.objects.get(cluster=tavan["clusters"][1], rendition=rendition)
    assert other.state == "queued"  # the other cluster has not fetched anything

    etag = response["ETag"]
    again = client.get("/api/v1/devices/schedule", HTTP_IF_NONE_MATCH=etag, **_auth(token))
    assert again.status_code == 304 and again["ETag"] == etag and again.content == b""
    # the commune accepts the normal bulletin: the programme changes, so does the ETag
    ProgrammeDecision.objects.create(station=cluster.station, bulletin=skipped, accepted=True)
    changed = client.get("/api/v1/devices/schedule", HTTP_IF_NONE_MATCH=etag, **_auth(token))
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert skipped.pk in {i["bulletin"] for i in changed.json()["items"]}

    url = f"/api/v1/devices/audio/{rendition.pk}"
    head = client.get(url, HTTP_RANGE="bytes=0-99", **_auth(token))
    assert head.status_code == 206
    assert head["Content-Range"] == f"bytes 0-99/{len(AUDIO)}" and head["Accept-Ranges"] == "bytes"
    assert head["ETag"] == f'"{AUDIO_SHA}"'
    tail = client.get(url, HTTP_RANGE="bytes=100-", **_auth(token))
    assert tail.status_code == 206 and tail["Content-Length"] == str(len(AUDIO) - 100)
    assert hashlib.sha256(_download(head) + _download(tail)).hexdigest() == AUDIO_SHA
    suffix = client.get(url, HTTP_RANGE="bytes=-3", **_auth(token))
    assert _download(suffix) == b"end"
    whole = client.get(url, **_auth(token))
    assert whole.status_code == 200 and _download(whole) == AUDIO
    bad = client.get(url, HTTP_RANGE=f"bytes={len(AUDIO)}-", **_auth(token))
    assert bad.status_code == 416 and bad["Content-Range"] == f"bytes */{len(AUDIO)}"
    assert bad["Content-Type"].startswith("application/problem+json")
    assert client.get(url, HTTP_RANGE="bytes=50-10", **_auth(token)).status_code == 416

    wrong = _post(client, "/api/v1/devices/ack", {"rendition_id": rendition.pk, "sha256": "0" * 64}, token)
    assert wrong.status_code == 422 and "download the file again" in wrong.json()["detail"]
    assert Delivery.objects.get(pk=delivery.pk).state == "sent"
    assert AuditEntry.objects.filter(model="channels.devicecredential", after__reason="checksum mismatch").exists()
    ok = _post(client, "/api/v1/devices/ack", {"rendition_id": rendition.pk, "sha256": AUDIO_SHA.upper()}, token)
    assert ok.status_code == 200 and ok.json()["delivered"] is True
    assert Delivery.objects.get(pk=delivery.pk).state == "delivered"

    started = timezone.now() - dt.timedelta(minutes=5)
    batch = {
        "lines": [
            {
                "client_id": f"log-{n}",
                "rendition_id": rendition.pk,
                "started_at": (started + dt.timedelta(seconds=n)).isoformat(),
                "seconds": 12,
                "completed": True,
            }
            for n in (3, 1, 2)  # out of order is fine
        ]
    }
    first_time = _post(client, "/api/v1/devices/logs", batch, token)
    assert first_time.status_code == 200, first_time.content
    assert first_time.json()["accepted"] == 3 and first_time.json()["duplicates"] == 0
    assert PlayLog.objects.filter(credential__cluster=cluster).count() == 3
    played = Delivery.objects.get(pk=delivery.pk)
    assert played.state == "played" and played.played_at == started + dt.timedelta(seconds=1)
    second_time = _post(client, "/api/v1/devices/logs", batch, token)
    assert second_time.json() == {
        "accepted": 0,
        "duplicates": 3,
        "rejected": 0,
        "lines": [{"client_id": line["client_id"], "status": "duplicate", "reason": None} for line in batch["lines"]],
    }
    assert PlayLog.objects.filter(credential__cluster=cluster).count() == 3
    # played, the audio is still there for tomorrow's slot or a device that lost its cache
    assert _download(client.get(url, **_auth(token))) == AUDIO
    assert (
        _post(client, "/api/v1/devices/ack", {"rendition_id": rendition.pk, "sha256": AUDIO_SHA}, token).json()[
            "changed"
        ]
        is False
    )
    assert Delivery.objects.get(pk=delivery.pk).state == "played"


def test_bad_log_lines_are_rejected_one_by_one(client, users, tavan, settings):
    bulletin = _bulletin(users, tavan)
    elsewhere = _bulletin(users, tavan, title="Cho cụm khác")
    cluster, other_cluster = tavan["clusters"]
    token = _token(users, cluster)
    rendition = bulletin.renditions.get(channel="loudspeaker")
    not_fetched = elsewhere.renditions.get(channel="loudspeaker")
    assert client.get("/api/v1/devices/schedule", **_auth(token)).status_code == 200
    Delivery.objects.filter(cluster=cluster, rendition=not_fetched).update(state="queued")  # as if never fetched
    now = timezone.now()
    line = {"rendition_id": rendition.pk, "seconds": 10, "completed": True}
    lines = [
        {**line, "client_id": "good", "started_at": (now - dt.timedelta(minutes=1)).isoformat()},
        {**line, "client_id": "skew-ok", "started_at": (now + dt.timedelta(minutes=5)).isoformat()},
        {**line, "client_id": "future", "started_at": (now + dt.timedelta(hours=2)).isoformat()},
        {**line, "client_id": "old", "started_at": (now - dt.timedelta(days=40)).isoformat()},
        {**line, "client_id": "good", "started_at": now.isoformat()},
        {**line, "client_id": "not-sent", "rendition_id": not_fetched.pk, "started_at": now.isoformat()},
        {**line, "client_id": "unknown", "rendition_id": 2**40, "started_at": now.isoformat()},
    ]
    response = _post(client, "/api/v1/devices/logs", {"lines": lines}, token)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 0, 5)
    reasons = {r["client_id"]: r.get("reason") for r in body["lines"] if r["status"] == "rejected"}
    assert "future" in reasons["future"] and "clock" in reasons["future"]
    assert "older than 30 days" in reasons["old"]
    assert "never sent" in reasons["not-sent"] and "never sent" in reasons["unknown"]
    assert "twice" in body["lines"][4]["reason"]
    assert set(PlayLog.objects.filter(credential__cluster=cluster).values_list("client_id", flat=True)) == {
        "good",
        "skew-ok",
    }
    entry = AuditEntry.objects.filter(model="channels.playlog").latest("id")
    assert entry.after["accepted"] == 2 and len(entry.after["rejected"]) == 5
    assert entry.scope_commune_id == tavan["commune"].pk

    naive = _post(client, "/api/v1/devices/logs", {"lines": [{**lines[0], "started_at": "2026-12-07T06:00:00"}]}, token)
    assert naive.status_code == 422 and naive["Content-Type"].startswith("application/problem+json")
    too_many = [{**lines[0], "client_id": f"x{n}"} for n in range(501)]
    assert _post(client, "/api/v1/devices/logs", {"lines": too_many}, token).status_code == 422
    settings.DEVICE_MAX_BODY_BYTES = 1000
    big = _post(client, "/api/v1/devices/logs", {"lines": too_many[:50]}, token)
    assert big.status_code == 413 and "too large" in big.json()["title"]
    assert AuditEntry.objects.filter(model="channels.devicecredential", after__reason="body too large").exists()
    assert PlayLog.objects.filter(credential__cluster=cluster).count() == 2  # nothing of the refused batches


def test_unknown_and_revoked_tokens_are_refused_and_audited(client, users, tavan):
    bulletin = _bulletin(users, tavan)
    cluster = tavan["clusters"][0]
    unknown = "kd_" + uuid.uuid4().hex
    refusals = AuditEntry.objects.filter(model="channels.devicecredential", action="login_failed")
    before = refusals.count()
    for _ in range(3):  # a device retrying with its bad token: refused each time, audited once a minute
        response = client.get("/api/v1/devices/schedule", **_auth(unknown))
        assert response.status_code == 401 and response["Content-Type"].startswith("application/problem+json")
    assert refusals.count() == before + 1
    entry = refusals.latest("id")
    assert entry.after == {"reason": "unknown token"}
    assert unknown not in json.dumps([entry.object_repr, entry.after, entry.actor_name])
    # a person's API token is not a device token
    from ketnoi.orgs.services import token_create

    person = token_create(user=users["xa.tavan"], name="staff")[1]
    assert client.get("/api/v1/devices/schedule", **_auth(person)).status_code == 401

    old = _token(users, cluster)
    assert client.get("/api/v1/devices/schedule", **_auth(old)).status_code == 200
    new = _token(users, cluster)  # a new token replaces the old one at once
    assert client.get("/api/v1/devices/schedule", **_auth(old)).status_code == 401
    assert AuditEntry.objects.filter(after__reason="revoked token").exists()
    assert client.get("/api/v1/devices/schedule", **_auth(new)).status_code == 200
    credential = DeviceCredential.objects.get(cluster=cluster, revoked_at__isnull=True)
    created = AuditEntry.objects.filter(
        model="channels.devicecredential", action="create", object_pk=str(credential.pk)
    )
    assert credential.token_hash not in json.dumps(created.get().after)  # only a fingerprint of the hash
    with pytest.raises(PermissionDenied):
        devices.credential_revoke(user=users["xa.dongvan"], credential=credential)
    devices.credential_revoke(user=users["xa.tavan"], credential=credential)
    refused = client.get(f"/api/v1/devices/audio/{bulletin.renditions.get(channel='loudspeaker').pk}", **_auth(new))
    assert refused.status_code == 401
    # retiring the cluster refuses its token too
    live = _token(users, tavan["clusters"][1])
    LoudspeakerCluster.objects.filter(pk=tavan["clusters"][1].pk).update(retired_on=dt.date(2026, 1, 1))
    assert client.get("/api/v1/devices/schedule", **_auth(live)).status_code == 401


def test_audio_only_for_a_live_delivery_of_the_device(client, users, tavan):
    bulletin = _bulletin(users, tavan)
    rendition = bulletin.renditions.get(channel="loudspeaker")
    token = _token(users, tavan["clusters"][0])
    url = f"/api/v1/devices/audio/{rendition.pk}"
    assert client.get(url, **_auth(token)).status_code == 200
    board_rendition = bulletin.renditions.get(channel="board")
    assert client.get(f"/api/v1/devices/audio/{board_rendition.pk}", **_auth(token)).status_code == 404
    services.bulletin_transition(user=users["dieuphoi"], bulletin=bulletin, action="withdraw", comment="Nhầm lịch.")
    gone = client.get(url, **_auth(token))
    assert gone.status_code == 404 and gone["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/devices/schedule", **_auth(token)).json()["items"] == []


def test_the_staff_page_issues_and_revokes_tokens(client, users, tavan, login):
    cluster = tavan["clusters"][0]
    page = login("xa.tavan").get("/units/current/commune/03037/devices/")
    assert page.status_code == 200 and "TEST-TV-01" in page.content.decode()
    issued = client.post("/units/current/commune/03037/devices/tokens/", {"kind": "cluster", "device": cluster.pk})
    assert issued.status_code == 200 and issued["Cache-Control"] == "no-store"
    credential = DeviceCredential.objects.get(cluster=cluster, revoked_at__isnull=True)
    token = issued.content.decode().split('id="device-token">')[1].split("<")[0]
    assert token.startswith(credential.prefix) and hashlib.sha256(token.encode()).hexdigest() == credential.token_hash
    revoked = client.post(f"/units/current/commune/03037/devices/tokens/{credential.pk}/revoke/")
    assert revoked.status_code == 302
    assert DeviceCredential.objects.get(pk=credential.pk).revoked_at is not None
    other = login("xa.dongvan")
    assert other.get("/units/current/commune/03037/devices/").status_code == 404
    assert (
        other.post(
            "/units/current/commune/03037/devices/tokens/", {"kind": "cluster", "device": cluster.pk}
        ).status_code
        == 404
    )
    assert other.post(f"/units/current/commune/03037/devices/tokens/{credential.pk}/revoke/").status_code == 404


def test_heartbeat_and_the_offline_alert_once(client, users, tavan):
    from ketnoi.notifications.models import Notification

    cluster = tavan["clusters"][0]
    token = _token(users, cluster)
    ahead = timezone.now() + dt.timedelta(minutes=20)
    beat = {"state": "playing", "volume": 80, "signal": -71, "firmware": "ip-4 2.3.1", "reported_at": ahead.isoformat()}
    response = _post(client, "/api/v1/devices/heartbeat", beat, token)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert 1190 < answer["skew_seconds"] < 1210 and answer["clock_ok"] is False
    assert abs(dt.datetime.fromisoformat(answer["server_time"]) - timezone.now()) < dt.timedelta(seconds=5)
    credential = DeviceCredential.objects.get(cluster=cluster, revoked_at__isnull=True)
    assert (credential.last_state, credential.volume, credential.signal, credential.firmware) == (
        "playing",
        80,
        -71,
        "ip-4 2.3.1",
    )
    assert Heartbeat.objects.filter(credential=credential).count() == 1
    bad = _post(client, "/api/v1/devices/heartbeat", {**beat, "volume": 300}, token)
    assert bad.status_code == 422

    before = Notification.objects.filter(kind="device_offline").count()
    later = timezone.now() + dt.timedelta(minutes=16)
    assert devices.offline_sweep(now=later)["offline"] == 1
    assert devices.offline_sweep(now=later + dt.timedelta(minutes=5))["offline"] == 0  # told once
    notices = Notification.objects.filter(kind="device_offline")
    assert notices.count() == before + 1
    notice = notices.latest("id")
    assert notice.recipient.username == "xa.tavan"  # the commune's operator, not the province's
    assert "TEST-TV-01" not in notice.subject and "Cụm loa trung tâm xã" in notice.body
    assert notice.link == "/units/current/commune/03037/devices/"
    assert DeviceCredential.objects.get(pk=credential.pk).last_state == "offline"
    # back again: the alert clears, and a new outage is a new notice
    assert _post(client, "/api/v1/devices/heartbeat", {**beat, "state": "online"}, token).status_code == 200
    assert DeviceCredential.objects.get(pk=credential.pk).offline_alerted_at is None
    assert devices.offline_sweep(now=timezone.now() + dt.timedelta(minutes=16))["offline"] == 1
    assert Notification.objects.filter(kind="device_offline").count() == before + 2


def _broker_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 1883), timeout=1):
            return True
    except OSError:
        return False


def test_an_emergency_is_pushed_over_mqtt(users, tavan, settings, django_capture_on_commit_callbacks):
    require_service(shutil.which("mosquitto") is not None and _broker_up(), "mosquitto on 127.0.0.1:1883")
    import paho.mqtt.client as mqtt

    root = f"test-{uuid.uuid4().hex[:8]}"
    settings.MQTT_URL = "mqtt://127.0.0.1:1883"
    settings.MQTT_TOPIC_ROOT = root
    received, subscribed = [], threading.Event()
    subscriber = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"sub-{root}")
    subscriber.on_connect = lambda c, u, f, rc, p: c.subscribe(f"{root}/#", qos=1)
    subscriber.on_subscribe = lambda *args: subscribed.set()
    subscriber.on_message = lambda c, u, m: received.append((m.topic, m.payload.decode(), m.retain))
    subscriber.connect("127.0.0.1", 1883)
    subscriber.loop_start()
    try:
        assert subscribed.wait(5)
        token = _token(users, tavan["clusters"][1])
        credential = devices.authenticate(token)
        with django_capture_on_commit_callbacks(execute=True):
            bulletin = _bulletin(users, tavan, priority="emergency", title="Lũ quét: sơ tán ngay")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(received) < 3:
            time.sleep(0.05)
        topics = {topic: json.loads(payload) for topic, payload, _ in received}
        device_one = f"{root}/15/03037/TEST-TV-01"
        assert topics[device_one]["type"] == "emergency" and topics[device_one]["bulletin"] == bulletin.pk
        assert topics[device_one]["renditions"][0]["sha256"] == AUDIO_SHA
        assert f"{root}/15/03037/TEST-TV-02" in topics and credential.cluster.device_id == "TEST-TV-02"
        state = topics[f"{root}/15/03037/emergency"]
        assert [e["bulletin"] for e in state["emergencies"]] == [bulletin.pk]
        # a device connecting later gets the retained state at once
        late, got = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2), []
        late.on_connect = lambda c, u, f, rc, p: c.subscribe(f"{root}/15/03037/emergency", qos=1)
        late.on_message = lambda c, u, m: got.append((m.payload.decode(), m.retain))
        late.connect("127.0.0.1", 1883)
        late.loop_start()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not got:
            time.sleep(0.05)
        late.loop_stop()
        late.disconnect()
        assert got and got[0][1] is True and json.loads(got[0][0])["emergencies"][0]["bulletin"] == bulletin.pk

        received.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.bulletin_transition(
                user=users["dieuphoi"], bulletin=bulletin, action="withdraw", comment="Hết lũ."
            )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(received) < 3:
            time.sleep(0.05)
        withdrawn = {topic: payload for topic, payload, _ in received}
        assert json.loads(withdrawn[device_one])["type"] == "emergency_withdrawn"
        assert withdrawn[f"{root}/15/03037/emergency"] == ""  # the retained state is cleared
    finally:
        subscriber.loop_stop()
        subscriber.disconnect()


def test_without_a_broker_emergencies_come_over_server_sent_events(client, users, tavan, settings):
    settings.DEVICE_SSE_SECONDS = 0.3
    settings.DEVICE_SSE_POLL_SECONDS = 0.05
    token = _token(users, tavan["clusters"][0])
    bulletin = _bulletin(users, tavan, priority="emergency", title="Lũ quét: sơ tán ngay")
    response = client.get("/api/v1/devices/events", **_auth(token))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/event-stream")
    text = b"".join(response.streaming_content).decode()
    events = [block for block in text.split("\n\n") if "event: emergency" in block]
    assert len(events) == 1 and f'"bulletin": {bulletin.pk}' in events[0]
    event_id = int(events[0].split("id: ")[1].split("\n")[0])
    assert "event: bye" in text

    # reconnecting with Last-Event-ID: nothing old again; the withdrawal arrives while connected
    stream = client.get("/api/v1/devices/events", HTTP_LAST_EVENT_ID=str(event_id), **_auth(token))
    chunks = iter(stream.streaming_content)
    assert next(chunks) == b"retry: 3000\n\n"
    services.bulletin_transition(user=users["dieuphoi"], bulletin=bulletin, action="withdraw", comment="Hết lũ.")
    rest = b"".join(chunks).decode()
    assert rest.count("event: emergency_withdrawn") == 1 and "event: emergency\n" not in rest


def test_two_identical_batches_at_once_store_each_line_once(committed_data):
    """Two copies of one batch posted at the same moment (a device retrying on a slow link): one
    row per line, whichever copy wins."""
    from django.db import connection
    from django.test import Client

    from ketnoi.orgs.models import User

    commune = (
        AdminUnit.objects.filter(structure="current", level="commune", province__code="15")
        .exclude(code="03037")
        .order_by("code")[1]
    )
    officer = User.objects.get(username="dieuphoi")
    station = RadioStation.objects.create(commune=commune, name=f"Đài thử {uuid.uuid4().hex[:6]}")
    cluster = LoudspeakerCluster.objects.create(station=station, name="Cụm thử")
    bulletin = Bulletin.objects.create(
        title="Thử đồng thời", state="approved", priority="priority", author=officer, approved_at=timezone.now()
    )
    from ketnoi.people.models import Language

    rendition = Rendition.objects.create(
        bulletin=bulletin, channel="loudspeaker", language=Language.objects.get(bcp47="vi"), text="x"
    )
    Delivery.objects.create(
        key=f"concurrent-{uuid.uuid4().hex}",
        bulletin=bulletin,
        rendition=rendition,
        commune=commune,
        endpoint="cluster",
        cluster=cluster,
        state="sent",
    )
    credential, token = devices.credential_issue(user=officer, cluster=cluster)
    now = timezone.now()
    batch = json.dumps(
        {
            "lines": [
                {"client_id": f"c{n}", "rendition_id": rendition.pk, "started_at": now.isoformat(), "seconds": 5}
                for n in range(200)
            ]
        }
    )
    results, barrier = [], threading.Barrier(2)

    def post():
        try:
            barrier.wait(5)
            response = Client().post(
                "/api/v1/devices/logs", batch, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
            )
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=post) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert [status for status, _ in results] == [200, 200], results
        assert PlayLog.objects.filter(credential=credential).count() == 200
        assert sum(body["accepted"] + body["duplicates"] for _, body in results) == 400
        assert Delivery.objects.get(cluster=cluster).state == "played"
    finally:
        PlayLog.objects.filter(credential=credential).delete()
        bulletin.delete()
        DeviceCredential.objects.filter(cluster=cluster).delete()
        station.delete()


def test_the_field_mapping_is_editable_data_with_unverified_rows_marked():
    import csv
    from pathlib import Path

    import ketnoi.channels

    path = Path(ketnoi.channels.__file__).parent / "data" / "device_field_mapping.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert {r["entity"] for r in rows} == {"station", "cluster", "bulletin", "schedule", "playlog"}
    assert {r["status"] for r in rows} <= {"[M]", "[V]"}
    assert all(r["official_name_vi"] and r["ketnoi_field"] for r in rows)


def test_the_device_token_command_issues_and_revokes(tavan, capsys):
    from ketnoi.cli import main

    cluster = tavan["clusters"][0]
    assert main(["device-token", "issue", "--cluster", str(cluster.pk), "--as", "xa.tavan"]) == 0
    token = capsys.readouterr().out.strip()
    credential = devices.authenticate(token)
    assert credential is not None and credential.cluster_id == cluster.pk
    assert main(["device-token", "issue", "--cluster", str(cluster.pk), "--as", "xa.dongvan"]) == 1
    assert "does not manage" in capsys.readouterr().err
    assert devices.authenticate(token) is not None  # the refused issue revoked nothing
    assert main(["device-token", "revoke", "--prefix", credential.prefix]) == 0
    assert devices.authenticate(token) is None


def test_a_board_gets_its_texts(client, users, tavan):
    from ketnoi.channels.models import BulletinBoard

    board = BulletinBoard.objects.create(commune=tavan["commune"], name="Bảng tin thử", device_id="TEST-TV-B1")
    bulletin = _bulletin(users, tavan)
    token = devices.credential_issue(user=users["xa.tavan"], board=board)[1]
    body = client.get("/api/v1/devices/schedule", **_auth(token)).json()
    assert body["device"]["kind"] == "board"
    [item] = body["items"]
    assert item["bulletin"] == bulletin.pk and item["at"] is None
    assert item["renditions"][0]["text"].startswith("Lịch tiêm phòng")
    assert Delivery.objects.get(board=board).state == "sent"
