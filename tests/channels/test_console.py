"""The operator's console (issue 8.6): a commune officer accepts, declines and orders the day's
bulletins of the commune's stations (Circular 39/2020), sees the clusters' live states and the play
logs; a province sees its stations, the centre the reach per province. Every figure is computed from
PlayLog, Delivery and DeviceCredential rows made here."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import secrets

import pytest
from django.utils import timezone

from ketnoi.channels import console, services
from ketnoi.channels.console_selectors import day_bounds, national_reach
from ketnoi.channels.models import (
    Delivery,
    DeviceCredential,
    LoudspeakerCluster,
    PlayLog,
    ProgrammeDecision,
    RadioStation,
    Rendition,
)
from ketnoi.core.models import AuditEntry
from ketnoi.geo.models import AdminUnit

DAY = timezone.localdate()
DAY_TEXT = DAY.strftime("%d/%m/%Y")


def _credential(cluster, *, seen_minutes_ago=None, **latest) -> DeviceCredential:
    token = secrets.token_urlsafe(24)
    seen = timezone.now() - dt.timedelta(minutes=seen_minutes_ago) if seen_minutes_ago is not None else None
    return DeviceCredential.objects.create(
        commune=cluster.station.commune,
        cluster=cluster,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        prefix=token[:8],
        last_seen_at=seen,
        last_state="online" if seen else "",
        **latest,
    )


def _approved(users, commune, title, *, priority="normal", times="06:00", seconds=42.0):
    """An approved bulletin for ``commune``'s loudspeakers, on air today at ``times``."""
    author = users["bientap.laocai"]
    bulletin = services.bulletin_create(
        user=author,
        owner_unit=commune.province,
        title=title,
        body="Không qua suối khi nước lớn.",
        priority=priority,
        target_units=[commune],
    )
    Rendition.objects.filter(bulletin=bulletin, channel="loudspeaker").update(
        audio_status="ready", audio="bulletins/x.mp3", audio_seconds=seconds
    )
    if priority != "emergency":
        services.schedule_add(user=author, bulletin=bulletin, starts_on=DAY, times=times)
    bulletin = services.bulletin_transition(user=author, bulletin=bulletin, action="submit")
    bulletin = services.bulletin_transition(user=users["thamdinh"], bulletin=bulletin, action="appraise")
    return services.bulletin_transition(user=users["dieuphoi"], bulletin=bulletin, action="approve")


@pytest.fixture
def quiet_outbox(monkeypatch):
    from ketnoi.channels import outbox

    monkeypatch.setattr(outbox, "send_one", lambda pk, now=None: "sent")


@pytest.fixture
def tavan(unit, quiet_outbox):
    """Tả Van (xa.tavan's commune): a station with an online, an offline, a never-seen and a retired
    cluster."""
    commune = unit("03037")
    station = RadioStation.objects.create(commune=commune, name="Đài kiểm thử bàn điều khiển")
    online = LoudspeakerCluster.objects.create(station=station, name="Cụm chợ", speakers=3)
    offline = LoudspeakerCluster.objects.create(station=station, name="Cụm suối", speakers=2)
    never = LoudspeakerCluster.objects.create(station=station, name="Cụm mới", speakers=1)
    LoudspeakerCluster.objects.create(station=station, name="Cụm cũ", retired_on=dt.date(2024, 1, 1))
    return {
        "commune": commune,
        "station": station,
        "online": online,
        "offline": offline,
        "never": never,
        "c_online": _credential(online, seen_minutes_ago=2, volume=80, signal=-71, firmware="fw-1.2.3"),
        "c_offline": _credential(offline, seen_minutes_ago=40, volume=55),
    }


def _decide(client, commune_code, station, bulletin, action, **extra):
    body = {"station": station.pk, "bulletin": bulletin.pk, "action": action, "day": DAY_TEXT, **extra}
    return client.post(f"/channels/console/{commune_code}/decide/", body)


def _order(station, slot="06:00", priority="normal"):
    from ketnoi.channels.selectors import station_programme

    return [
        i.bulletin.pk
        for i in station_programme(station, DAY)
        if console.slot_label(i.at) == slot and i.priority == priority and i.plays
    ]


def test_an_operator_accepts_declines_and_orders_the_days_bulletins(users, login, tavan):
    commune, station = tavan["commune"], tavan["station"]
    first = _approved(users, commune, "Lịch tiêm phòng")
    second = _approved(users, commune, "Họp thôn")
    urgent = _approved(users, commune, "Phòng chống rét", priority="priority")
    emergency = _approved(users, commune, "Lũ quét", priority="emergency")
    client = login("xa.tavan")

    assert client.get("/channels/console/").url == "/channels/console/03037/"  # one commune: straight there
    page = client.get(f"/channels/console/03037/?day={DAY_TEXT}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "at once" in html and "Lũ quét" in html
    assert 'class="status priority-emergency overdue"' in html
    assert 'class="status priority-priority"' in html
    assert html.count('value="accept"') >= 2  # the two normal ones (the demo station may add more)
    assert "awaiting the commune" in html
    assert "42 s" in html  # the audio length of each language
    assert _order(station) == []  # nothing normal plays before the commune accepts

    audit_before = AuditEntry.objects.filter(model="channels.programmedecision").count()
    response = _decide(client, "03037", station, first, "accept")
    assert response.status_code == 302 and response.url.endswith(f"#station-{station.pk}")
    assert _decide(client, "03037", station, second, "accept").status_code == 302
    assert _order(station) == [first.pk, second.pk]  # in the order of approval
    assert AuditEntry.objects.filter(model="channels.programmedecision").count() == audit_before + 2

    assert _decide(client, "03037", station, second, "up", slot="06:00", seen=1).status_code == 302
    assert _order(station) == [second.pk, first.pk]
    positions = dict(ProgrammeDecision.objects.filter(station=station).values_list("bulletin_id", "position"))
    assert positions[second.pk] == 1 and positions[first.pk] == 2

    stale = _decide(client, "03037", station, second, "up", slot="06:00", seen=1)  # what the page showed before
    assert stale.status_code == 409 and "changed this programme meanwhile" in stale.content.decode()
    top = _decide(client, "03037", station, second, "up", slot="06:00", seen=0)
    assert top.status_code == 422 and "already the first" in top.content.decode()
    assert _order(station) == [second.pk, first.pk]

    assert _decide(client, "03037", station, first, "decline").status_code == 302
    assert _order(station) == [second.pk]
    assert ProgrammeDecision.objects.get(station=station, bulletin=first).accepted is False
    assert _decide(client, "03037", station, first, "up", slot="06:00").status_code == 422  # declined: no place

    refused = _decide(client, "03037", station, urgent, "decline")
    assert refused.status_code == 422 and "always play" in refused.content.decode()
    assert _decide(client, "03037", station, emergency, "down", slot="").status_code == 422
    assert _decide(client, "03037", station, first, "jump").status_code == 422

    html = client.get(f"/channels/console/03037/?day={DAY_TEXT}").content.decode()
    assert "declined" in html and "accepted" in html


def test_another_communes_officer_gets_404_and_writes_nothing(users, login, tavan, unit):
    station = tavan["station"]
    bulletin = _approved(users, tavan["commune"], "Lịch tiêm phòng")
    elsewhere = RadioStation.objects.create(commune=unit("00721"), name="Đài Đồng Văn")

    client = login("xa.dongvan")
    assert client.get("/channels/console/03037/").status_code == 404
    assert _decide(client, "03037", station, bulletin, "accept").status_code == 404
    assert _decide(client, "00721", station, bulletin, "accept").status_code == 404  # Tả Van's station, own code
    assert not ProgrammeDecision.objects.filter(station=station).exists()

    tavan_client = login("xa.tavan")
    assert _decide(tavan_client, "03037", elsewhere, bulletin, "accept").status_code == 404
    assert tavan_client.get("/channels/console/99999/").status_code == 404
    assert tavan_client.get("/channels/console/03037/?day=31/02/2026").status_code == 400  # told, not a 500
    assert login("bientap").get("/channels/console/").status_code == 404  # an editor runs no station


def test_a_coordinator_chooses_the_commune_folded_search(login, tavan, unit):
    RadioStation.objects.create(commune=unit("00721"), name="Đài Đồng Văn")
    client = login("dieuphoi")
    page = client.get("/channels/console/")
    assert page.status_code == 200
    codes = {c.code for c in page.context["page"]}
    assert {"03037", "00721"} <= codes
    found = {c.code for c in client.get("/channels/console/?q=ta van").context["page"]}
    assert "03037" in found and "00721" not in found  # "ta van" finds Tả Van, without its diacritics
    assert client.get("/channels/console/03037/").status_code == 200  # channels.manage everywhere


def test_cluster_states_show_never_seen_and_offline_the_longest_silent_first(login, tavan, settings):
    oldest = LoudspeakerCluster.objects.create(station=tavan["station"], name="Cụm đồi", speakers=1)
    _credential(oldest, seen_minutes_ago=300)
    client = login("xa.tavan")
    html = client.get("/channels/console/03037/").content.decode()
    alerts = html.split('id="h-alerts"')[1].split("</section>")[0]
    assert alerts.index("Cụm đồi") < alerts.index("Cụm suối")  # silent for 5 hours, then 40 minutes
    assert "Cụm chợ" not in alerts and "Cụm mới" not in alerts
    assert "never seen" in html and "fw-1.2.3" in html and ">80<" in html and ">-71<" in html
    assert 'http-equiv="refresh"' in html

    settings.DEVICE_OFFLINE_MINUTES = 60
    html = client.get("/channels/console/03037/").content.decode()
    alerts = html.split('id="h-alerts"')[1].split("</section>")[0]
    assert "Cụm đồi" in alerts and "Cụm suối" not in alerts

    page = client.get(f"/channels/console/clusters/?station={tavan['station'].pk}&state=offline")
    assert page.status_code == 200 and "Cụm đồi" in page.content.decode() and "Cụm chợ" not in page.content.decode()


def _play(credential, bulletin, started_at, seconds, *, completed=True):
    rendition = bulletin.renditions.get(channel="loudspeaker")
    return PlayLog.objects.create(
        credential=credential,
        commune=credential.commune,
        bulletin=bulletin,
        rendition=rendition,
        client_id=secrets.token_hex(8),
        started_at=started_at,
        seconds=seconds,
        completed=completed,
    )


def _local(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def test_play_logs_are_filtered_paged_and_exported_as_vietnamese_csv(users, login, tavan, unit):
    bulletin = _approved(users, tavan["commune"], "=Lịch tiêm phòng")  # a formula-like title stays text
    yesterday = DAY - dt.timedelta(days=1)
    _play(tavan["c_online"], bulletin, _local(DAY, 6, 0), 42)
    _play(tavan["c_offline"], bulletin, _local(DAY, 6, 1), 17, completed=False)
    _play(tavan["c_online"], bulletin, _local(yesterday, 17, 30), 42)
    dongvan_station = RadioStation.objects.create(commune=unit("00721"), name="Đài Đồng Văn")
    dongvan = _credential(LoudspeakerCluster.objects.create(station=dongvan_station, name="Cụm Đồng Văn"))
    _play(dongvan, bulletin, _local(DAY, 7, 0), 99)

    client = login("xa.tavan")
    page = client.get(f"/channels/console/plays/?commune=03037&from={DAY_TEXT}&to={DAY_TEXT}")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 2
    assert [log.seconds for log in page.context["page"]] == [17, 42]  # newest first
    assert client.get("/channels/console/plays/?commune=03037").context["page"].paginator.count == 3
    assert client.get("/channels/console/plays/?commune=00721").status_code == 404  # not the officer's commune
    assert client.get("/channels/console/plays/").context["page"].paginator.count == 3  # never Đồng Văn's
    station_only = client.get(f"/channels/console/plays/?commune=03037&station={dongvan_station.pk}")
    assert station_only.status_code == 404

    export = client.get(f"/channels/console/plays/?commune=03037&from={DAY_TEXT}&to={DAY_TEXT}&format=csv")
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    body = export.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["Bản tin", "Ngôn ngữ", "Xã", "Đài", "Cụm loa", "Bắt đầu", "Số giây", "Phát hết"]
    assert rows[1] == [
        "'=Lịch tiêm phòng",
        "Tiếng Việt",
        tavan["commune"].name,
        "Đài kiểm thử bàn điều khiển",
        "Cụm suối",
        f"{DAY_TEXT} 06:01",
        "17",
        "không",
    ]
    assert rows[2][4:] == ["Cụm chợ", f"{DAY_TEXT} 06:00", "42", "có"]
    assert len(rows) == 3
    assert client.get("/channels/console/plays/?from=tomorrow").status_code == 400


def test_the_provincial_view_counts_clusters_items_and_plays_per_station(users, login, tavan):
    bulletin = _approved(users, tavan["commune"], "Lịch tiêm phòng", times="06:00 17:30")
    _approved(users, tavan["commune"], "Phòng chống rét", priority="priority")
    _play(tavan["c_online"], bulletin, _local(DAY, 6, 0), 42)
    last = _play(tavan["c_online"], bulletin, _local(DAY, 17, 30), 40)
    _play(tavan["c_offline"], bulletin, _local(DAY - dt.timedelta(days=3), 6, 0), 42)

    page = login("tinh.laocai").get(f"/channels/console/province/?day={DAY_TEXT}")
    assert page.status_code == 200 and page.context["province"].code == "15"
    row = next(r for r in page.context["rows"] if r.station == tavan["station"])
    assert (row.in_service, row.online, row.offline, row.never) == (3, 1, 1, 1)
    assert row.items == 3  # the normal bulletin twice (06:00, 17:30) and the priority one once
    assert row.plays == 2 and row.last_play == last.started_at
    html = page.content.decode()
    assert f"/channels/console/plays/?station={tavan['station'].pk}&amp;from={DAY_TEXT}" in html
    assert f"/channels/console/clusters/?station={tavan['station'].pk}&amp;state=offline" in html

    assert login("xa.tavan").get("/channels/console/province/").status_code == 404  # a commune is not a province
    assert login("tinh.tuyenquang").get("/channels/console/province/?province=15").status_code == 404
    coordinator = login("dieuphoi").get("/channels/console/province/")
    assert coordinator.status_code == 200 and coordinator.context["province"] is None  # chooses first


def test_the_national_view_adds_up_reach_per_province(users, login, client, tavan, unit):
    first, last = DAY - dt.timedelta(days=6), DAY
    before, total_before = national_reach(first=first, last=last)
    laocai_before = next(r for r in before if r.province.code == "15")

    bulletin = _approved(users, tavan["commune"], "Lịch tiêm phòng")
    other = _approved(users, tavan["commune"], "Họp thôn")
    start, _end = day_bounds(first, last)
    delivered = Delivery.objects.filter(bulletin=bulletin, cluster=tavan["online"])
    delivered.update(state="delivered", delivered_at=start + dt.timedelta(hours=8))
    Delivery.objects.filter(bulletin=other, cluster=tavan["online"]).update(
        state="delivered",
        delivered_at=start - dt.timedelta(days=1),  # before the period
    )
    _play(tavan["c_online"], bulletin, _local(DAY, 6), 64_990)
    _play(tavan["c_online"], bulletin, _local(DAY, 7), 10)
    _play(tavan["c_offline"], bulletin, _local(first - dt.timedelta(days=1), 6), 600)  # before the period

    after, total = national_reach(first=first, last=last)
    laocai = next(r for r in after if r.province.code == "15")
    assert laocai.bulletins - laocai_before.bulletins == 1
    assert laocai.plays - laocai_before.plays == 2
    assert laocai.seconds - laocai_before.seconds == 65_000
    in_service = LoudspeakerCluster.objects.filter(
        station__commune__province__code="15", retired_on__isnull=True, station__retired_on__isnull=True
    )
    assert laocai.clusters == in_service.count() >= 3  # the fixture's three and Tả Van's demo clusters
    assert laocai.online == 1  # only Cụm chợ was heard from in the last 15 minutes
    assert laocai.online_share == round(100 / laocai.clusters, 1)
    assert total.plays - total_before.plays == 2

    coordinator = login("dieuphoi")
    from django.conf import settings

    coordinator.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    html = coordinator.get(f"/channels/console/national/?from={first:%d/%m/%Y}&to={last:%d/%m/%Y}").content.decode()
    row = html.split('data-province="15"')[1].split("</tr>")[0]
    minutes = laocai.seconds / 60
    from ketnoi.core.numbers import format_number

    assert format_number(round(minutes, 1), decimals=1, language="vi") in row
    assert "." in format_number(round(minutes, 1), decimals=1, language="vi")  # 1.083,3: grouped in thousands
    assert f"/channels/console/plays/?province=15&amp;from={first:%d/%m/%Y}" in row
    assert login("tinh.laocai").get("/channels/console/national/").status_code == 404


def test_silent_communes_are_those_with_clusters_and_no_play(users, tavan, unit):
    first = last = DAY
    bulletin = _approved(users, tavan["commune"], "Lịch tiêm phòng")
    quiet = RadioStation.objects.create(commune=unit("00721"), name="Đài Đồng Văn")
    LoudspeakerCluster.objects.create(station=quiet, name="Cụm im lặng")
    before = {r.province.code: r for r in national_reach(first=first, last=last)[0]}
    _play(tavan["c_online"], bulletin, _local(DAY, 6), 30)
    after = {r.province.code: r for r in national_reach(first=first, last=last)[0]}
    assert after["15"].silent_communes == before["15"].silent_communes - 1  # Tả Van played
    assert after["08"].silent_communes == before["08"].silent_communes  # Đồng Văn (Tuyên Quang) still silent
    assert after["08"].silent_communes >= 1


# ---- two operators at once (committed: each request on its own connection) ------------------------


def _at_once(call, count=8):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    barrier = threading.Barrier(count)

    def run(index):
        try:
            barrier.wait()
            return call(index)
        finally:
            connection.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_operators_pressing_at_once_give_one_decision_and_one_move(committed_data):
    from django.test import Client

    from ketnoi.channels import outbox
    from ketnoi.orgs.models import User

    users = {u.username: u for u in User.objects.filter(username__in=["bientap.laocai", "thamdinh", "dieuphoi"])}
    officer = User.objects.get(username="xa.tavan")
    commune = AdminUnit.objects.get(structure="current", level="commune", code="03037")
    station, _created = RadioStation.objects.get_or_create(commune=commune, name="Đài kiểm thử đồng thời")
    LoudspeakerCluster.objects.get_or_create(station=station, name="Cụm đồng thời")
    send_one = outbox.send_one
    outbox.send_one = lambda pk, now=None: "sent"
    try:
        bulletins = [_approved(users, commune, f"Bản tin đồng thời {n}") for n in range(3)]
    finally:
        outbox.send_one = send_one
    try:

        def press(action, bulletin, **extra):
            def call(_index):
                client = Client()
                client.force_login(officer)
                return _decide(client, "03037", station, bulletin, action, **extra).status_code

            return call

        statuses = _at_once(press("accept", bulletins[0]))
        assert statuses == [302] * 8
        assert ProgrammeDecision.objects.filter(station=station, bulletin=bulletins[0]).count() == 1
        for bulletin in bulletins[1:]:
            console.programme_decide(user=officer, station=station, bulletin_id=bulletin.pk, action="accept", day=DAY)
        order = _order(station)
        assert order == [b.pk for b in bulletins]

        statuses = _at_once(press("up", bulletins[2], slot="06:00", seen=2))
        assert sorted(statuses) == [302] + [409] * 7, statuses
        assert _order(station) == [bulletins[0].pk, bulletins[2].pk, bulletins[1].pk]  # moved once, not seven times
        positions = sorted(ProgrammeDecision.objects.filter(station=station).values_list("position", flat=True))
        assert positions == [1, 2, 3]
    finally:
        for bulletin in bulletins:
            services.bulletin_transition(
                user=users["dieuphoi"], bulletin=bulletin, action="withdraw", comment="Kiểm thử xong"
            )
