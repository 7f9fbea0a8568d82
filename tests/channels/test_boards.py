"""Electronic bulletin boards (issue 8.7): the board's token, its feed (content, order, ETag, queued →
sent), heartbeats, idempotent display logs with per-line refusals, CSRF, and the staff's side."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from ketnoi.channels import boards, services
from ketnoi.channels.models import BulletinBoard, Delivery, DeviceCredential, Heartbeat, PlayLog
from ketnoi.people.models import Language


@pytest.fixture
def tavan(unit):
    return unit("03037")


@pytest.fixture
def board(tavan):
    return BulletinBoard.objects.create(commune=tavan, name="Bảng tin chợ Tả Van")


def _approve(users, bulletin):
    services.rendition_delete(user=bulletin.author, rendition=bulletin.renditions.get(channel="loudspeaker"))
    bulletin = services.bulletin_transition(user=bulletin.author, bulletin=bulletin, action="submit")
    bulletin = services.bulletin_transition(user=users["thamdinh"], bulletin=bulletin, action="appraise")
    return services.bulletin_transition(user=users["dieuphoi"], bulletin=bulletin, action="approve")


@pytest.fixture
def publish(users, unit, tavan, board, monkeypatch):
    """publish("title", priority=…, hmn="…", valid_until=…) → an approved bulletin for Tả Van."""
    from ketnoi.channels import outbox

    monkeypatch.setattr(outbox, "send_one", lambda pk, now=None: "sent")

    def _publish(title, *, priority="normal", body="Nội dung thông báo.", hmn=None, valid_until=None):
        bulletin = services.bulletin_create(
            user=users["bientap.laocai"],
            owner_unit=unit("15"),
            title=title,
            body=body,
            priority=priority,
            target_units=[tavan],
            valid_until=valid_until,
        )
        if hmn:
            services.rendition_save(
                user=bulletin.author,
                bulletin=bulletin,
                channel="board",
                language=Language.objects.get(bcp47="hmn"),
                text=hmn,
            )
        return _approve(users, bulletin)

    return _publish


@pytest.fixture
def token(users, board):
    _credential, token = boards.issue_token(user=users["xa.tavan"], board=board)
    return token


def _device(token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def test_a_token_is_stored_hashed_shown_once_and_refused_once_revoked(users, board, token):
    credential = DeviceCredential.objects.get(board=board)
    assert credential.token_hash == boards.token_hash(token) and token not in credential.token_hash
    assert credential.prefix == token[:8]
    assert boards.authenticate(token) == credential
    assert _device(token).get("/boards/feed.json").status_code == 200
    boards.revoke_token(user=users["xa.tavan"], credential=credential)
    refused = _device(token).get("/boards/feed.json")
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")
    assert "thu hồi" in refused.json()["detail"]  # a device gets the default language, Vietnamese
    assert _device("not-a-token").get("/boards/feed.json").status_code == 401
    assert Client().get("/boards/feed.json").status_code == 401  # no token at all
    page = Client().get("/boards/kiosk/?token=" + token)
    assert page.status_code == 401 and "chưa được cấp quyền" in page.content.decode()


def test_only_the_communes_managers_issue_and_revoke(users, board):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        boards.issue_token(user=users["bientap.laocai"], board=board)  # sees channels, does not manage them
    with pytest.raises(PermissionDenied):
        boards.issue_token(user=users["xa.dongvan"], board=board)
    credential, _token = boards.issue_token(user=users["xa.tavan"], board=board)
    with pytest.raises(PermissionDenied):
        boards.revoke_token(user=users["xa.dongvan"], credential=credential)


def test_the_feed_holds_current_bulletins_emergencies_first_and_answers_304_when_unchanged(
    publish, board, token, users
):
    today = timezone.localdate()
    normal = publish("Họp thôn tháng 12", hmn="Sib tham hli 12\n\nTuaj koom.")
    priority = publish("Lịch tiêm phòng", priority="priority", valid_until=today)
    expired = publish("Thông báo cũ", valid_until=today - dt.timedelta(days=1))
    device = _device(token)
    response = device.get("/boards/feed.json")
    assert response.status_code == 200 and response["ETag"]
    data = response.json()
    titles = [(item["title"], item["language"]) for item in data["items"]]
    assert titles == [("Lịch tiêm phòng", "vi"), ("Họp thôn tháng 12", "hmn"), ("Họp thôn tháng 12", "vi")]
    assert expired.title not in {t for t, _ in titles}
    first = data["items"][0]
    assert first["priority"] == "priority" and first["valid_until"] == today.isoformat()
    assert first["text"] == "Nội dung thông báo."  # the title line is not repeated
    hmn = data["items"][1]
    assert (
        hmn["text"] == "Sib tham hli 12\n\nTuaj koom."
        and hmn["rendition_id"] == normal.renditions.get(channel="board", language__bcp47="hmn").pk
    )
    # fetching moved the board's deliveries to "sent", and only those of current bulletins
    states = dict(Delivery.objects.filter(board=board).values_list("bulletin_id", "state").distinct())
    assert states[normal.pk] == states[priority.pk] == "sent" and states[expired.pk] == "queued"
    sent_at = Delivery.objects.get(board=board, bulletin=priority).sent_at
    again = device.get("/boards/feed.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again["ETag"] == response["ETag"] and not again.content
    assert Delivery.objects.get(board=board, bulletin=priority).sent_at == sent_at  # not moved twice
    # an emergency is shown alone; withdrawing it brings the others back
    emergency = publish("Lũ quét: sơ tán ngay", priority="emergency")
    changed = device.get("/boards/feed.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != response["ETag"]
    assert changed.json()["emergency"] is True
    assert [item["title"] for item in changed.json()["items"]] == ["Lũ quét: sơ tán ngay"]
    services.bulletin_transition(
        user=users["dieuphoi"], bulletin=emergency, action="withdraw", comment="Hết nguy hiểm."
    )
    after = device.get("/boards/feed.json").json()
    assert after["emergency"] is False and len(after["items"]) == 3


def test_a_board_only_sees_its_own_deliveries(publish, board, token, tavan):
    publish("Họp thôn")
    other = BulletinBoard.objects.create(commune=tavan, name="Bảng tin trường")  # after the approval: no delivery
    assert boards.current_items(other) == []
    assert [i.title for i in boards.current_items(board)] == ["Họp thôn"]


def test_the_kiosk_link_sets_an_httponly_cookie_and_renders_without_javascript(publish, token):
    publish("Họp thôn tháng 12")
    publish("Lịch tiêm phòng", priority="priority")
    kiosk = Client()
    first = kiosk.get("/boards/kiosk/?token=" + token)
    assert first.status_code == 302 and first["Location"] == "/boards/kiosk/"  # the token leaves the URL
    cookie = first.cookies["ketnoi_board"]
    assert (
        cookie.value == token and cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/boards/"
    )
    page = kiosk.get("/boards/kiosk/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Lịch tiêm phòng" in html and "Họp thôn tháng 12" in html
    assert '<noscript><meta http-equiv="refresh" content="15; url=?at=1">' in html
    assert 'id="board-feed" type="application/json"' in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline script or style
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "connect-src 'self'" in csp
    second = kiosk.get("/boards/kiosk/?at=1").content.decode()
    assert 'url=?at=0">' in second  # the server rotates: the second page points back to the first
    # the feed with the cookie (the kiosk's own script) works too
    assert kiosk.get("/boards/feed.json").status_code == 200


def test_heartbeats_are_kept_and_the_credential_holds_the_latest(token, board):
    device = _device(token)
    reported = (timezone.now() - dt.timedelta(seconds=30)).isoformat()
    response = _post(
        device, "/boards/heartbeat", {"state": "online", "firmware": "kiosk-web/1", "reported_at": reported}
    )
    assert response.status_code == 200 and -40 < response.json()["clock_skew_seconds"] < -20
    credential = DeviceCredential.objects.get(board=board)
    assert credential.last_state == "online" and credential.firmware == "kiosk-web/1" and credential.last_seen_at
    assert Heartbeat.objects.filter(credential=credential).count() == 1
    bad = _post(device, "/boards/heartbeat", {"state": "exploded"})
    assert bad.status_code == 400 and "online" in bad.json()["detail"]
    assert _post(device, "/boards/heartbeat", {"reported_at": "yesterday"}).status_code == 400
    assert device.post("/boards/heartbeat", data="{not json", content_type="application/json").status_code == 400
    huge = device.post("/boards/heartbeat", data=json.dumps({"firmware": "x" * 5000}), content_type="application/json")
    assert huge.status_code == 413
    assert Heartbeat.objects.filter(credential=credential).count() == 1


def test_display_logs_are_idempotent_and_mark_the_delivery_played(publish, board, token):
    bulletin = publish("Họp thôn tháng 12")
    rendition = bulletin.renditions.get(channel="board")
    device = _device(token)
    device.get("/boards/feed.json")
    now = timezone.now()
    batch = [
        {
            "client_id": f"line-{i}",
            "rendition_id": rendition.pk,
            "started_at": (now - dt.timedelta(minutes=i)).isoformat(),
            "seconds": 15,
        }
        for i in range(3)
    ]
    first = _post(device, "/boards/displayed", batch)
    assert first.status_code == 200 and first.json() == {"accepted": 3, "duplicates": 0, "rejected": []}
    delivery = Delivery.objects.get(board=board, bulletin=bulletin)
    assert delivery.state == "played" and delivery.played_at and delivery.delivered_at
    played_at = delivery.played_at
    again = _post(device, "/boards/displayed", batch)  # the same batch sent again (a lost answer)
    assert again.json() == {"accepted": 0, "duplicates": 3, "rejected": []}
    assert PlayLog.objects.filter(credential__board=board).count() == 3
    delivery.refresh_from_db()
    assert delivery.played_at == played_at
    # a played bulletin is still shown until it expires or is withdrawn
    assert [i.title for i in boards.current_items(board)] == ["Họp thôn tháng 12"]


def test_bad_display_lines_are_refused_one_by_one_with_reasons(publish, board, token, tavan):
    bulletin = publish("Họp thôn tháng 12")
    rendition = bulletin.renditions.get(channel="board")
    now = timezone.now()
    good = {"client_id": "ok-1", "rendition_id": rendition.pk, "started_at": now.isoformat(), "seconds": 10}
    lines = [
        good,
        {**good, "client_id": "future", "started_at": (now + dt.timedelta(hours=1)).isoformat()},
        {**good, "client_id": "skewed", "started_at": (now + dt.timedelta(minutes=2)).isoformat()},  # within tolerance
        {**good, "client_id": "old", "started_at": (now - dt.timedelta(days=40)).isoformat()},
        {**good, "client_id": "other", "rendition_id": 999999},
        {**good, "client_id": "", "seconds": -1},
        {**good, "client_id": "ok-1"},
        "not an object",
        {**good, "client_id": "when", "started_at": "at noon"},
    ]
    device = _device(token)
    device.cookies["ketnoi_language"] = "en"  # the reasons as an English-speaking technician reads them
    response = _post(device, "/boards/displayed", lines)
    assert response.status_code == 200
    result = response.json()
    assert result["accepted"] == 2
    reasons = {r["line"]: " ".join(r["errors"]) for r in result["rejected"]}
    assert set(reasons) == {1, 3, 4, 5, 6, 7, 8}
    assert "future" in reasons[1] and "clock" in reasons[1]
    assert "30 days" in reasons[3]
    assert "not a bulletin sent to this board" in reasons[4]
    assert "client_id" in reasons[5] and "seconds" in reasons[5]
    assert "twice" in reasons[6]
    assert "JSON object" in reasons[7]
    assert "ISO 8601" in reasons[8]
    assert set(PlayLog.objects.filter(credential__board=board).values_list("client_id", flat=True)) == {
        "ok-1",
        "skewed",
    }
    assert _post(_device(token), "/boards/displayed", {"not": "a list"}).status_code == 400
    assert _post(_device(token), "/boards/displayed", [good] * 501).status_code == 400


def test_csrf_is_checked_when_the_cookie_authenticates_but_not_for_the_bearer_token(token):
    kiosk = Client(enforce_csrf_checks=True)
    kiosk.get("/boards/kiosk/?token=" + token)
    page = kiosk.get("/boards/kiosk/").content.decode()
    payload = json.dumps({"state": "online"})
    forged = kiosk.post("/boards/heartbeat", data=payload, content_type="application/json")
    assert forged.status_code == 403  # the cookie alone does not authorise a post
    csrf = page.split('data-csrf="', 1)[1].split('"', 1)[0]
    ok = kiosk.post("/boards/heartbeat", data=payload, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert ok.status_code == 200
    device = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert device.post("/boards/heartbeat", data=payload, content_type="application/json").status_code == 200
    assert (
        Client(enforce_csrf_checks=True)
        .post("/boards/heartbeat", data=payload, content_type="application/json")
        .status_code
        == 401
    )


def test_the_commune_page_shows_each_board_and_its_managers_issue_and_revoke_links(login, publish, board, tavan):
    publish("Họp thôn tháng 12")
    client = login("xa.tavan")
    issued = client.post(f"/channels/boards/{board.pk}/token/")
    assert issued.status_code == 200 and issued["Cache-Control"].count("no-store")
    link = issued.content.decode().split('id="board-link"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    assert "/boards/kiosk/?token=" in link
    token = link.split("token=", 1)[1]
    credential = DeviceCredential.objects.get(board=board)
    assert boards.authenticate(token) == credential
    _post(_device(token), "/boards/heartbeat", {"state": "online"})
    page = client.get(f"/units/current/commune/{tavan.code}/").content.decode()
    section = page.split('id="board-' + str(board.pk) + '"', 1)[1].split("</tr>", 1)[0]
    assert "Họp thôn tháng 12" in section and credential.prefix in section and "Revoke" in section
    assert f"/channels/boards/{board.pk}/preview/" in section
    assert "never seen" not in section
    revoked = client.post(f"/channels/boards/credentials/{credential.pk}/revoke/")
    assert revoked.status_code == 302
    assert boards.authenticate(token) is None


def test_staff_preview_needs_channels_view_and_records_nothing(login, publish, board, users):
    publish("Họp thôn tháng 12")
    client = login("bientap.laocai")  # CHANNELS_VIEW over Lào Cai, not CHANNELS_MANAGE
    preview = client.get(f"/channels/boards/{board.pk}/preview/")
    html = preview.content.decode()
    assert preview.status_code == 200 and "Họp thôn tháng 12" in html and "Preview" in html
    assert 'id="board-feed"' not in html and "data-feed=" not in html  # no token, no polling
    assert set(Delivery.objects.filter(board=board).values_list("state", flat=True)) == {"queued"}
    assert client.post(f"/channels/boards/{board.pk}/token/").status_code == 404  # cannot manage
    client.force_login(users["xa.dongvan"])
    assert client.get(f"/channels/boards/{board.pk}/preview/").status_code == 404
    credential, _token = boards.issue_token(user=users["xa.tavan"], board=board)
    assert client.post(f"/channels/boards/credentials/{credential.pk}/revoke/").status_code == 404
    assert Client().get(f"/channels/boards/{board.pk}/preview/").status_code == 302  # to the login page


def test_the_service_worker_is_served_from_the_boards_scope():
    response = Client().get("/boards/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert b"/boards/kiosk/" in response.content


def test_an_emergency_is_shown_alone_in_its_own_style_and_a_retired_board_is_refused(publish, board, token):
    publish("Họp thôn tháng 12")
    publish("Lũ quét: sơ tán ngay", priority="emergency")
    kiosk = Client()
    kiosk.get("/boards/kiosk/?token=" + token)
    html = kiosk.get("/boards/kiosk/").content.decode()
    assert 'class="board board-emergency"' in html and '<article class="bulletin emergency"' in html
    assert "Họp thôn tháng 12" not in html
    assert 'content="60; url=?at=0"' in html  # one bulletin: the no-JS page only reloads for news
    BulletinBoard.objects.filter(pk=board.pk).update(retired_on=timezone.localdate())
    assert kiosk.get("/boards/kiosk/").status_code == 401
    assert _device(token).get("/boards/feed.json").status_code == 401
