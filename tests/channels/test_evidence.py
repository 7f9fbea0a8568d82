"""Evidence becomes indicators (issue 8.10): play logs, heartbeats, SMS receipts and feedback counted
per commune and period into values computed from the logs, with the rows they count."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ketnoi.channels import evidence
from ketnoi.channels.models import (
    Bulletin,
    BulletinBoard,
    Delivery,
    DeviceCredential,
    Heartbeat,
    LoudspeakerCluster,
    PlayLog,
    RadioStation,
    Rendition,
    SmsRecipient,
)
from ketnoi.indicators import services as indicator_services
from ketnoi.indicators.models import DataElement, DataValue, Indicator
from ketnoi.indicators.selectors import element_total, indicator_result
from ketnoi.people.models import Language

_ids = itertools.count(1)


def at(year, month, day, hour=9, minute=0):
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def _credential(commune, **device):
    token = f"token-{next(_ids)}"
    return DeviceCredential.objects.create(
        commune=commune, token_hash=hashlib.sha256(token.encode()).hexdigest(), prefix=token[:8], **device
    )


@pytest.fixture
def world(unit, users):
    """Tả Van (Lào Cai) with a station, two clusters and boards; Đồng Văn (another province) with a
    cluster; a normal and an emergency bulletin, each with a Vietnamese and a Hmong loudspeaker
    rendition and an SMS one."""
    ta_van, dong_van = unit("03037"), unit("00721")
    station = RadioStation.objects.create(commune=ta_van, name="Đài xã Tả Van")
    c1 = LoudspeakerCluster.objects.create(station=station, name="Cụm 1", speakers=2)
    c2 = LoudspeakerCluster.objects.create(station=station, name="Cụm 2", speakers=2)
    station_b = RadioStation.objects.create(commune=dong_van, name="Đài xã Đồng Văn")
    cb = LoudspeakerCluster.objects.create(station=station_b, name="Cụm B", speakers=3)
    vi, hmn = Language.objects.get(bcp47="vi"), Language.objects.get(bcp47="hmn")
    author = users["bientap.laocai"]
    bulletins = {}
    renditions = {}
    for priority in ("normal", "emergency"):
        bulletin = Bulletin.objects.create(
            title=f"Bản tin {priority}", priority=priority, state="approved", owner_unit=unit("15"), author=author
        )
        bulletins[priority] = bulletin
        for language in (vi, hmn):
            renditions[(priority, language.bcp47)] = Rendition.objects.create(
                bulletin=bulletin, channel="loudspeaker", language=language, text="Thông báo"
            )
        renditions[(priority, "sms")] = Rendition.objects.create(
            bulletin=bulletin, channel="sms", language=vi, text="Thông báo"
        )
    credentials = {
        "c1": _credential(ta_van, cluster=c1),
        "c2": _credential(ta_van, cluster=c2),
        "cb": _credential(dong_van, cluster=cb),
    }
    DeviceCredential.objects.filter(pk__in=[c.pk for c in credentials.values()]).update(created_at=at(2026, 1, 1))
    return {
        "ta_van": ta_van,
        "dong_van": dong_van,
        "vi": vi,
        "hmn": hmn,
        "bulletins": bulletins,
        "renditions": renditions,
        "credentials": credentials,
    }


def play(world, credential, priority, language, started, seconds):
    credential = world["credentials"][credential]
    return PlayLog.objects.create(
        credential=credential,
        commune=credential.commune,
        bulletin=world["bulletins"][priority],
        rendition=world["renditions"][(priority, language)],
        client_id=f"line-{next(_ids)}",
        started_at=started,
        seconds=seconds,
    )


def value(code, unit, period, disaggregation=""):
    found = DataValue.objects.filter(element__code=code, unit=unit, period=period, disaggregation=disaggregation)
    found = found.select_related("provenance").first()
    return found


@pytest.fixture
def plays(world):
    rows = [
        play(world, "c1", "normal", "vi", at(2026, 10, 5), 120),
        play(world, "c2", "normal", "hmn", at(2026, 10, 5), 90),
        play(world, "c1", "emergency", "vi", at(2026, 11, 20), 30),
        play(world, "c1", "normal", "vi", at(2026, 12, 31, 23, 59), 60),  # last minute of the quarter
        play(world, "cb", "normal", "vi", at(2026, 11, 2), 300),
        play(world, "c1", "normal", "vi", at(2027, 1, 1, 0, 0), 600),  # the next quarter
        play(world, "c1", "normal", "vi", at(2026, 9, 30, 23, 59), 600),  # the quarter before
    ]
    return rows


def test_minutes_per_commune_and_language_and_bulletins_per_priority(world, plays):
    result = evidence.compute_period("2026Q4")
    ta_van, dong_van = world["ta_van"], world["dong_van"]
    total = value(evidence.MINUTES, ta_van, "2026Q4")
    assert total.value == Decimal("5.00")  # (120 + 90 + 30 + 60) s ÷ 60; January and September left out
    assert value(evidence.MINUTES, ta_van, "2026Q4", "lang=vie").value == Decimal("3.50")
    assert value(evidence.MINUTES, ta_van, "2026Q4", "lang=hmn").value == Decimal("1.50")
    assert value(evidence.MINUTES, ta_van, "2026Q4", "lang=hmn").language == world["hmn"]
    assert value(evidence.MINUTES, dong_van, "2026Q4").value == Decimal("5.00")
    assert value(evidence.BULLETINS_PLAYED, ta_van, "2026Q4").value == 2  # distinct bulletins
    assert value(evidence.BULLETINS_PLAYED, ta_van, "2026Q4", "prio=normal").value == 1
    emergency = value(evidence.BULLETINS_PLAYED, ta_van, "2026Q4", "prio=emergency")
    assert emergency.value == 1 and emergency.priority == "emergency"
    assert result[evidence.MINUTES]["created"] >= 5
    # Provenance: the rows counted, their range, and a filter that lists them again.
    provenance = total.provenance
    counted = [p.pk for p in plays[:4]]
    assert (provenance.source, provenance.rows) == ("channels.playlog", 4)
    assert (provenance.first_id, provenance.last_id) == (min(counted), max(counted))
    assert sorted(r.pk for r in evidence.provenance_rows(provenance)) == sorted(counted)
    hmong = value(evidence.MINUTES, ta_van, "2026Q4", "lang=hmn").provenance
    assert [r.pk for r in evidence.provenance_rows(hmong)] == [plays[1].pk]


def test_a_month_counts_its_own_logs_and_the_last_minute_belongs_to_its_day(world, plays):
    evidence.compute_period("2026M12")
    evidence.compute_period("2027M01")
    assert value(evidence.MINUTES, world["ta_van"], "2026M12").value == Decimal("1.00")
    assert value(evidence.MINUTES, world["ta_van"], "2027M01").value == Decimal("10.00")
    # A commune with clusters but nothing played has a measured zero.
    assert value(evidence.MINUTES, world["dong_van"], "2026M12").value == 0
    assert value(evidence.MINUTES, world["dong_van"], "2026M12").provenance.rows == 0


def test_running_twice_writes_nothing_and_a_new_log_changes_the_value(world, plays):
    evidence.compute_period("2026Q4")
    before = {v.pk: (v.value, v.updated_at) for v in DataValue.objects.filter(period="2026Q4")}
    again = evidence.compute_period("2026Q4")
    assert all(c["created"] == c["updated"] == c["deleted"] == 0 for c in again.values())
    assert {v.pk: (v.value, v.updated_at) for v in DataValue.objects.filter(period="2026Q4")} == before
    added = play(world, "c2", "emergency", "hmn", at(2026, 12, 1), 150)
    changed = evidence.compute_period("2026Q4")
    assert changed[evidence.MINUTES]["updated"] == 2  # the total and Hmong; Vietnamese and Đồng Văn untouched
    total = value(evidence.MINUTES, world["ta_van"], "2026Q4")
    assert total.value == Decimal("7.50")
    assert total.provenance.rows == 5 and total.provenance.last_id == added.pk
    assert value(evidence.MINUTES, world["ta_van"], "2026Q4", "lang=hmn").value == Decimal("4.00")
    assert value(evidence.MINUTES, world["ta_van"], "2026Q4", "lang=vie").value == Decimal("3.50")  # untouched
    assert value(evidence.BULLETINS_PLAYED, world["ta_van"], "2026Q4", "prio=emergency").value == 1
    assert DataValue.objects.filter(element__code=evidence.MINUTES, unit=world["ta_van"], period="2026Q4").count() == 3


def test_a_removed_language_disappears_and_locked_values_are_kept(world, plays):
    evidence.compute_period("2026Q4")
    hmong = value(evidence.MINUTES, world["ta_van"], "2026Q4", "lang=hmn")
    total = value(evidence.MINUTES, world["ta_van"], "2026Q4")
    DataValue.objects.filter(pk=total.pk).update(locked=True)  # an approved report froze the total
    PlayLog.objects.filter(pk=plays[1].pk).delete()
    counts = evidence.compute_period("2026Q4")[evidence.MINUTES]
    assert counts["deleted"] == 1 and counts["locked"] == 1
    assert not DataValue.objects.filter(pk=hmong.pk).exists()
    assert value(evidence.MINUTES, world["ta_van"], "2026Q4").value == Decimal("5.00")  # as approved


def test_officers_cannot_enter_computed_values_by_hand(world, users):
    with pytest.raises(ValidationError) as refused:
        indicator_services.data_values_save(
            user=users["xa.tavan"], unit=world["ta_van"], period="2026Q4", values={evidence.MINUTES: "12"}
        )
    assert "computed from the logs" in str(refused.value)
    element = DataElement.objects.get(code="ban_tin_dai_xa")
    with pytest.raises(ValidationError):
        indicator_services.computed_values_save(element=element, period="2026Q4", values=[])


def test_boards_online_is_the_share_of_in_service_boards_with_a_heartbeat(world):
    ta_van = world["ta_van"]
    alive = BulletinBoard.objects.create(commune=ta_van, name="Bảng 1")
    silent = BulletinBoard.objects.create(commune=ta_van, name="Bảng 2")
    BulletinBoard.objects.create(commune=ta_van, name="Bảng cũ", retired_on=dt.date(2026, 6, 30))
    later = BulletinBoard.objects.create(commune=ta_van, name="Bảng mới", installed_on=dt.date(2027, 2, 1))
    credential = _credential(ta_van, board=alive)
    _credential(ta_van, board=silent)
    beats = [
        Heartbeat.objects.create(credential=credential, state="online", reported_at=at(2026, 11, d)) for d in (1, 2)
    ]
    Heartbeat.objects.filter(pk=beats[0].pk).update(received_at=at(2026, 11, 1))
    Heartbeat.objects.filter(pk=beats[1].pk).update(received_at=at(2026, 11, 2))
    late = Heartbeat.objects.create(
        credential=_credential(ta_van, board=later), state="online", reported_at=at(2026, 11, 3)
    )
    Heartbeat.objects.filter(pk=late.pk).update(received_at=at(2026, 11, 3))
    evidence.compute_period("2026Q4")
    assert value(evidence.BOARDS_IN_SERVICE, ta_van, "2026Q4").value == 2
    online = value(evidence.BOARDS_ONLINE, ta_van, "2026Q4")
    assert online.value == 1 and online.provenance.rows == 2
    assert sorted(h.pk for h in evidence.provenance_rows(online.provenance)) == sorted(b.pk for b in beats)
    share = indicator_result(
        Indicator.objects.get(code="ty_le_bang_tin_dien_tu_hoat_dong"), period="2026Q4", unit=ta_van
    )
    assert share.value == Decimal("50.00")
    # One more heartbeat from the same board: the count of boards stays, the provenance follows.
    more = Heartbeat.objects.create(credential=credential, state="online", reported_at=at(2026, 12, 1))
    Heartbeat.objects.filter(pk=more.pk).update(received_at=at(2026, 12, 1))
    evidence.compute_period("2026Q4")
    online = value(evidence.BOARDS_ONLINE, ta_van, "2026Q4")
    assert online.value == 1 and online.provenance.rows == 3 and online.provenance.last_id == more.pk


def test_sms_delivered_counts_receipts_in_the_period(world):
    ta_van = world["ta_van"]
    recipient = SmsRecipient.objects.create(commune=ta_van, phone="+84912000009", language=world["vi"])
    rendition = world["renditions"][("normal", "sms")]

    def delivery(state, delivered_at=None, played_at=None):
        return Delivery.objects.create(
            key=f"k-{next(_ids)}",
            bulletin=rendition.bulletin,
            rendition=rendition,
            commune=ta_van,
            endpoint="sms",
            recipient=recipient,
            state=state,
            delivered_at=delivered_at,
            played_at=played_at,
        )

    counted = [delivery("delivered", at(2026, 10, 3)), delivery("played", None, at(2026, 12, 3))]
    delivery("sent")
    delivery("failed")
    delivery("delivered", at(2027, 1, 3))
    evidence.compute_period("2026Q4")
    sms = value(evidence.SMS_DELIVERED, ta_van, "2026Q4")
    assert sms.value == 2
    assert sorted(d.pk for d in evidence.provenance_rows(sms.provenance)) == sorted(d.pk for d in counted)
    assert value(evidence.SMS_DELIVERED, ta_van, "2026Q4", "lang=vie").value == 2


def test_feedback_received_and_answered_on_time(world, settings):
    from ketnoi.portal.models import Feedback

    settings.FEEDBACK_ANSWER_DAYS = 10
    ta_van = world["ta_van"]

    def feedback(sent, answered=None, state="received", language="vi", due_on=None):
        item = Feedback.objects.create(language=world[language], unit=ta_van, message="Hỏi", state=state)
        Feedback.objects.filter(pk=item.pk).update(received_at=sent, answered_at=answered, due_on=due_on)
        return item

    on_time = feedback(at(2026, 10, 1), at(2026, 10, 5), "published")
    feedback(at(2026, 10, 2), at(2026, 10, 30), "published")  # answered, but late
    feedback(at(2026, 11, 2), language="hmn")  # not answered yet
    feedback(at(2026, 11, 3), at(2026, 11, 4), "rejected")  # spam: not counted
    feedback(at(2027, 1, 2), at(2027, 1, 3), "published")  # next quarter
    # routed with a due date: on time means by that date, whatever the default period
    by_due = feedback(at(2026, 12, 1), at(2026, 12, 20), "closed", due_on=dt.date(2026, 12, 21))
    feedback(at(2026, 12, 2), at(2026, 12, 5), "published", due_on=dt.date(2026, 12, 4))  # a day late
    evidence.compute_period("2026Q4")
    assert value(evidence.FEEDBACK_RECEIVED, ta_van, "2026Q4").value == 5
    assert value(evidence.FEEDBACK_RECEIVED, ta_van, "2026Q4", "lang=hmn").value == 1
    answered = value(evidence.FEEDBACK_ON_TIME, ta_van, "2026Q4")
    assert answered.value == 2
    assert sorted(f.pk for f in evidence.provenance_rows(answered.provenance)) == [on_time.pk, by_due.pk]
    share = indicator_result(
        Indicator.objects.get(code="ty_le_phan_anh_tra_loi_dung_han"), period="2026Q4", unit=ta_van
    )
    assert share.value == Decimal("40.00")


def test_months_quarter_and_year_are_not_counted_twice(world, plays, unit):
    for period in evidence.periods_within("2026"):
        evidence.compute_period(period)
    minutes = DataElement.objects.get(code=evidence.MINUTES)
    ta_van, lao_cai = world["ta_van"], unit("15")
    assert element_total(minutes, period="2026Q4", unit=ta_van) == Decimal("5.00")
    assert element_total(minutes, period="2026", unit=ta_van) == Decimal("15.00")  # with September's 10
    assert element_total(minutes, period="2026Q4", unit=lao_cai) == Decimal("5.00")  # Đồng Văn is elsewhere
    assert element_total(minutes, period="2026Q4") >= Decimal("10.00")


def test_the_periodic_job_refreshes_this_and_last_month(world):
    assert evidence.current_periods(dt.date(2027, 1, 10)) == ["2027M01", "2027Q1", "2027", "2026M12", "2026Q4", "2026"]
    assert evidence.periods_within("2026Q4") == ["2026Q4", "2026M10", "2026M11", "2026M12"]


def test_the_rows_page_is_scoped_to_the_value(world, plays, login):
    evidence.compute_period("2026Q4")
    total = value(evidence.MINUTES, world["ta_van"], "2026Q4")
    page = login("xa.tavan").get(f"/channels/evidence/{total.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Cụm 1" in body and "Bản tin emergency" in body
    assert body.count("<tr>") == 1 + 4
    assert login("xa.dongvan").get(f"/channels/evidence/{total.pk}/").status_code == 404
    hand = DataValue.objects.filter(provenance__isnull=True).first()
    if hand is not None:  # a value entered by hand has no rows to list
        assert login("dieuphoi").get(f"/channels/evidence/{hand.pk}/").status_code == 404


def test_the_communes_report_shows_minutes_broadcast_with_their_play_logs(world, plays, users, login):
    from django.urls import reverse

    from ketnoi.orgs.models import Agency
    from ketnoi.programmes import services as programme_services
    from ketnoi.programmes.models import Programme

    evidence.compute_period("2026Q4")
    officer = users["xa.tavan"]
    report = programme_services.report_open(
        user=officer,
        programme=Programme.objects.get(code="ctph-922-2024"),
        period="2026Q4",
        frequency="quarterly",
        unit=world["ta_van"],
        agency=Agency.objects.get(code="UBNDX-03037"),
    )
    client = login("xa.tavan")
    url = reverse("report-detail", args=[report.pk])
    body = client.get(url).content.decode()
    total = value(evidence.MINUTES, world["ta_van"], "2026Q4")
    assert "Số phút phát bản tin trên cụm loa" in body
    assert f'href="/channels/evidence/{total.pk}/"' in body and "from 4 play logs" in body
    assert 'name="value_phut_phat_loa_xa"' not in body  # shown, not a field
    assert "Tiếng Mông: 1.5" in body  # each language, as the interface writes numbers
    # Saving the report's form leaves the computed value alone, even when a value is forged for it.
    response = client.post(
        url,
        {"action": "save", "narrative": "Quý 4", "version": report.version, "value_phut_phat_loa_xa": "999"},
    )
    assert response.status_code == 302
    assert value(evidence.MINUTES, world["ta_van"], "2026Q4").value == Decimal("5.00")


def test_the_console_computes_a_quarter_and_its_months(world, plays, capsys):
    from ketnoi.cli import main

    assert main(["evidence", "compute", "--period", "2026Q4"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("2026Q4: ") and "2026M11: " in out
    assert value(evidence.MINUTES, world["ta_van"], "2026M10").value == Decimal("3.50")
    assert main(["evidence", "compute", "--period", "2026Q4"]) == 0
    assert all(" 0 created, 0 updated" in line for line in capsys.readouterr().out.splitlines())
    assert main(["evidence", "compute", "--period", "2026Q5"]) == 1
    assert "not a period code" in capsys.readouterr().err


def test_the_review_of_the_year_shows_the_computed_indicators(world, plays):
    from ketnoi.programmes.models import Programme
    from ketnoi.reports.selectors import review_data

    for period in evidence.periods_within("2026"):
        evidence.compute_period(period)
    data = review_data(programme=Programme.objects.get(code="ctph-922-2024"), period="2026")
    figures = {f.code: f for f in data.indicators if f.national}
    assert figures["so_phut_phat_loa_xa"].value == Decimal("20.00")  # Tả Van 15 + Đồng Văn 5
    assert "so_ban_tin_loa_xa_da_phat" in figures and "ty_le_phan_anh_tra_loi_dung_han" in figures


def test_the_api_tells_computed_values_from_entered_ones(world, plays, users):
    from django.test import Client

    from ketnoi.orgs.services import token_create

    evidence.compute_period("2026Q4")
    _token, secret = token_create(user=users["xa.tavan"], name="evidence")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    rows = Client().get("/api/v1/data-values", {"unit": "03037", "period": "2026Q4"}, **auth).json()["items"]
    minutes = next(r for r in rows if r["element"] == evidence.MINUTES and r["disaggregation"] == "")
    assert (minutes["source"], minutes["rows"], minutes["value"]) == ("logs", 4, "5.0000")
