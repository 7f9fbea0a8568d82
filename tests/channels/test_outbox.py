"""The outbox (issue 8.4): one delivery per (rendition, endpoint), queued in the approval's
transaction, never twice; withdrawal cancels what is not played; opted-out recipients get nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ketnoi.channels import outbox, services
from ketnoi.channels.models import (
    BulletinBoard,
    Delivery,
    LoudspeakerCluster,
    MessagingAccount,
    RadioStation,
    SmsRecipient,
)
from ketnoi.geo.models import AdminUnit, Village
from ketnoi.people.models import Language


@pytest.fixture
def network(unit):
    """Two communes of Lào Cai: A with a station, three clusters (two villages) and a board; B with a cluster."""
    laocai = unit("15")
    a, b = AdminUnit.objects.filter(structure="current", level="commune", province=laocai).order_by("code")[:2]
    v1 = Village.objects.create(commune=a, name="Bản Một", search_key="ban mot", sort_key="ban mot")
    v2 = Village.objects.create(commune=a, name="Bản Hai", search_key="ban hai", sort_key="ban hai")
    station = RadioStation.objects.create(commune=a, name="Đài xã A")
    clusters = [
        LoudspeakerCluster.objects.create(station=station, name="Cụm 1", village=v1, speakers=2),
        LoudspeakerCluster.objects.create(station=station, name="Cụm 2", village=v2, speakers=2),
        LoudspeakerCluster.objects.create(station=station, name="Cụm 3", village=None, speakers=1),
    ]
    import datetime as dt

    LoudspeakerCluster.objects.create(station=station, name="Cụm cũ", retired_on=dt.date(2024, 1, 1))
    board = BulletinBoard.objects.create(commune=a, name="Bảng tin xã A", village=v1)
    station_b = RadioStation.objects.create(commune=b, name="Đài xã B")
    cluster_b = LoudspeakerCluster.objects.create(station=station_b, name="Cụm B", speakers=3)
    vi, hmn = Language.objects.get(bcp47="vi"), Language.objects.get(bcp47="hmn")
    people = [
        SmsRecipient.objects.create(commune=a, village=v1, phone="+84912000001", language=vi),
        SmsRecipient.objects.create(commune=a, village=v2, phone="+84912000002", language=hmn),
        SmsRecipient.objects.create(commune=a, phone="+84912000003", language=vi, opted_out_at="2026-01-01T00:00Z"),
    ]
    zalo = MessagingAccount.objects.create(commune=a, platform="zalo", handle="UBND xã A")
    return {
        "a": a,
        "b": b,
        "v1": v1,
        "v2": v2,
        "clusters": clusters,
        "board": board,
        "cluster_b": cluster_b,
        "people": people,
        "zalo": zalo,
        "laocai": laocai,
    }


def _approved(users, bulletin):
    from ketnoi.channels.models import Rendition

    for rendition in bulletin.renditions.filter(channel=Rendition.Channel.LOUDSPEAKER):
        Rendition.objects.filter(pk=rendition.pk).update(audio_status="ready", audio="bulletins/x.mp3")
    services.schedule_add(
        user=bulletin.author, bulletin=bulletin, starts_on=__import__("datetime").date(2026, 12, 7), times="6:00"
    )
    bulletin = services.bulletin_transition(user=bulletin.author, bulletin=bulletin, action="submit")
    bulletin = services.bulletin_transition(user=users["thamdinh"], bulletin=bulletin, action="appraise")
    return services.bulletin_transition(user=users["dieuphoi"], bulletin=bulletin, action="approve")


def _bulletin(users, laocai, **targets):
    bulletin = services.bulletin_create(
        user=users["bientap.laocai"],
        owner_unit=laocai,
        title="Phòng chống lũ",
        body="Không qua suối khi nước lớn.",
        **targets,
    )
    services.rendition_save(
        user=bulletin.author,
        bulletin=bulletin,
        channel="loudspeaker",
        language=Language.objects.get(bcp47="hmn"),
        text="Tsis txhob hla dej.",
    )
    services.rendition_save(
        user=bulletin.author,
        bulletin=bulletin,
        channel="sms",
        language=Language.objects.get(bcp47="hmn"),
        text="Tsis txhob hla dej thaum dej loj.",
    )
    return bulletin


def test_approval_queues_one_delivery_per_rendition_and_endpoint(
    users, network, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(outbox, "send_one", lambda pk, now=None: sent.append(pk) or "sent")
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = _approved(users, _bulletin(users, network["laocai"], target_units=[network["a"]]))
    rows = Delivery.objects.filter(bulletin=bulletin)
    clusters = {d.cluster_id for d in rows.filter(endpoint="cluster")}
    assert clusters == {c.pk for c in network["clusters"]}  # not the retired one, not commune B's
    assert rows.filter(endpoint="cluster").count() == 3 * 2  # Vietnamese and Mông on each cluster
    assert rows.filter(endpoint="board").count() == 1
    sms = {d.recipient_id: d.rendition.language.bcp47 for d in rows.filter(endpoint="sms")}
    first, second, opted_out = network["people"]
    assert sms == {first.pk: "vi", second.pk: "hmn"}  # each in their language; the opted-out one gets none
    assert rows.filter(endpoint="account").count() == 0  # no social rendition written
    assert set(rows.values_list("state", flat=True)) == {"queued"}
    assert sorted(sent) == sorted(rows.filter(endpoint="sms").values_list("pk", flat=True))  # pushed at once
    assert outbox.queue_bulletin(bulletin) == 0  # queueing again adds nothing


def test_a_village_target_reaches_only_its_clusters(users, network, monkeypatch):
    monkeypatch.setattr(outbox, "send_one", lambda pk, now=None: "sent")
    bulletin = _approved(users, _bulletin(users, network["laocai"], target_villages=[network["v2"]]))
    clusters = set(Delivery.objects.filter(bulletin=bulletin, endpoint="cluster").values_list("cluster_id", flat=True))
    assert clusters == {network["clusters"][1].pk}
    assert not Delivery.objects.filter(bulletin=bulletin, endpoint="board").exists()  # the board is in Bản Một
    assert set(Delivery.objects.filter(bulletin=bulletin, endpoint="sms").values_list("recipient_id", flat=True)) == {
        network["people"][1].pk
    }


def test_a_province_target_reaches_every_commune(users, network, monkeypatch):
    monkeypatch.setattr(outbox, "send_one", lambda pk, now=None: "sent")
    bulletin = _approved(users, _bulletin(users, network["laocai"], target_units=[network["laocai"]]))
    clusters = set(Delivery.objects.filter(bulletin=bulletin, endpoint="cluster").values_list("cluster_id", flat=True))
    assert network["cluster_b"].pk in clusters and len(clusters) == 4


def test_withdrawal_cancels_everything_not_yet_played(users, network, monkeypatch):
    monkeypatch.setattr(outbox, "send_one", lambda pk, now=None: "sent")
    bulletin = _approved(users, _bulletin(users, network["laocai"], target_units=[network["a"]]))
    played = Delivery.objects.filter(bulletin=bulletin, endpoint="cluster").first()
    Delivery.objects.filter(pk=played.pk).update(state="played")
    with pytest.raises(ValidationError, match="reason"):
        services.bulletin_transition(user=users["dieuphoi"], bulletin=bulletin, action="withdraw")  # no reason
    services.bulletin_transition(user=users["dieuphoi"], bulletin=bulletin, action="withdraw", comment="Sai giờ")
    states = set(Delivery.objects.filter(bulletin=bulletin).exclude(pk=played.pk).values_list("state", flat=True))
    assert states == {"cancelled"}
    played.refresh_from_db()
    assert played.state == "played" and played.cancelled_at is not None  # history kept, devices stop it
    assert outbox.dispatch_due() == {}  # nothing is sent for a withdrawn bulletin


def test_the_phone_of_an_sms_recipient_is_encrypted_and_unique_per_commune(network):
    from django.db import IntegrityError, connection, transaction

    from ketnoi.core import crypto

    first = network["people"][0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM channels_smsrecipient WHERE id = %s", [first.pk])
        stored = cursor.fetchone()[0]
    assert "912000001" not in stored
    assert SmsRecipient.objects.get(phone_index=crypto.blind_index("+84912000001", crypto.normalise_contact)) == first
    with pytest.raises(IntegrityError), transaction.atomic():
        SmsRecipient.objects.create(commune=network["a"], phone="+84912000001", language=first.language)


def test_the_station_programme_follows_circular_39_priorities(users, network, monkeypatch):
    import datetime as dt

    from ketnoi.channels.models import ProgrammeDecision
    from ketnoi.channels.selectors import station_programme

    monkeypatch.setattr(outbox, "send_one", lambda pk, now=None: "sent")
    a = network["a"]
    normal = _approved(users, _bulletin(users, network["laocai"], target_units=[a]))
    priority = _bulletin(users, network["laocai"], target_units=[a], priority="priority")
    priority = _approved(users, priority)
    emergency = _approved(users, _bulletin(users, network["laocai"], target_units=[a], priority="emergency"))
    station = network["clusters"][0].station
    day = dt.date(2026, 12, 7)
    items = station_programme(station, day)
    assert [(i.bulletin.pk, i.at is None) for i in items][0] == (emergency.pk, True)  # at once, first
    timed = [i for i in items if i.at is not None]
    assert [i.bulletin.pk for i in timed] == [priority.pk, normal.pk]  # same 06:00 slot: priority first
    assert [i.plays for i in timed] == [True, False]  # the normal one waits for the commune
    assert [r.language.bcp47 for r in timed[0].renditions] == ["vi", "hmn"]
    ProgrammeDecision.objects.create(station=station, bulletin=normal, accepted=True, position=1)
    assert all(i.plays for i in station_programme(station, day))
    assert station_programme(station, day + dt.timedelta(days=1))[0].bulletin == emergency  # no slot that day
    services.bulletin_transition(user=users["dieuphoi"], bulletin=emergency, action="withdraw", comment="Hết hiệu lực")
    assert emergency.pk not in {i.bulletin.pk for i in station_programme(station, day)}
    cluster_items = station_programme(station, day, cluster=network["clusters"][1])
    assert {d.cluster_id for i in cluster_items for d in i.deliveries} == {network["clusters"][1].pk}


def test_sms_recipients_are_added_masked_imported_and_opted_out(login, users, network, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ketnoi.channels.importers import import_sms_recipients
    from ketnoi.core.importing import ImportFailed
    from ketnoi.orgs.models import User
    from ketnoi.orgs.services import role_grant

    a = network["a"]
    officer = User.objects.create_user("xa.a", password="x" * 12)
    role_grant(user=officer, role="commune_officer", unit=a)
    client = login("xa.tavan")
    assert client.get(f"/units/current/commune/{a.code}/sms-recipients/").status_code == 404  # another commune
    client.force_login(officer)
    page = client.get(f"/units/current/commune/{a.code}/sms-recipients/").content.decode()
    assert "+84 91x xxx x01" in page and "912000001" not in page
    vi = Language.objects.get(bcp47="vi").pk
    refused = client.post(
        f"/units/current/commune/{a.code}/sms-recipients/", {"phone": "0243 123 4567", "language": vi}
    )
    assert refused.status_code == 422 and 'value="0243 123 4567"' in refused.content.decode()
    again = client.post(f"/units/current/commune/{a.code}/sms-recipients/", {"phone": "0912 000 001", "language": vi})
    assert again.status_code == 422 and "already on the commune" in again.content.decode()
    assert (
        client.post(
            f"/units/current/commune/{a.code}/sms-recipients/", {"phone": "0987654321", "language": vi}
        ).status_code
        == 302
    )
    added = SmsRecipient.objects.get(
        commune=a,
        phone_index=__import__("ketnoi.core.crypto", fromlist=["x"]).blind_index(
            "+84987654321", __import__("ketnoi.core.crypto", fromlist=["x"]).normalise_contact
        ),
    )
    assert added.phone == "+84987654321"
    assert client.post(f"/channels/sms-recipients/{added.pk}/opt-out/").status_code == 302
    assert SmsRecipient.objects.get(pk=added.pk).opted_out_at is not None
    back = client.post(f"/units/current/commune/{a.code}/sms-recipients/", {"phone": "0987654321", "language": vi})
    assert "opted out" in back.content.decode()

    bad = SimpleUploadedFile(
        "sdt.csv", f"commune_code,phone,language_code\n{a.code},0912000009,vi\n{a.code},12345,xx\n".encode()
    )
    with pytest.raises(ImportFailed) as failed:
        import_sms_recipients(bad, user=officer, filename="sdt.csv")
    assert {(e.row, e.field) for e in failed.value.errors} == {(3, "phone"), (3, "language_code")}
    assert SmsRecipient.objects.filter(commune=a).count() == 4  # nothing written
    good = SimpleUploadedFile(
        "sdt.csv",
        f"commune_code,phone,language_code\n{a.code},0912000009,Tiếng Mông\n{a.code},+84912000001,vi\n".encode(),
    )
    result = import_sms_recipients(good, user=officer, filename="sdt.csv")
    assert (result.created, result.updated) == (1, 0)
    assert SmsRecipient.objects.filter(commune=a, language__bcp47="hmn").count() == 2


def test_an_opt_out_by_sms_cancels_what_is_queued(users, network, monkeypatch):
    monkeypatch.setattr(outbox, "send_one", lambda pk, now=None: "sent")
    bulletin = _approved(users, _bulletin(users, network["laocai"], target_units=[network["a"]]))
    first = network["people"][0]
    assert services.opt_out_number("0912 000 001", source="sms") == 1
    assert services.opt_out_number("0912 000 001", source="sms") == 0
    assert Delivery.objects.get(bulletin=bulletin, recipient=first).state == "cancelled"
    assert services.opt_out_number("not a number", source="sms") == 0
