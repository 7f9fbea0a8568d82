"""Bulletins (issue 8.2): made from an approved article or written directly, per-channel
renditions with their SMS size and reading time, stale when the source changes, targets within
the owner's area, broadcast schedules, and the editorial board's appraisal before sending."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ketnoi.channels import selectors, services
from ketnoi.channels.models import Bulletin, Rendition
from ketnoi.people.models import Language

TEXT = (
    "UBND xã thông báo lịch tiêm phòng cho trẻ em dưới 5 tuổi.\n"
    "Các gia đình đưa trẻ đến trạm y tế xã từ 7 giờ sáng thứ Hai."
)


@pytest.fixture
def laocai(unit):
    return unit("15")


@pytest.fixture
def communes(laocai):
    from ketnoi.geo.models import AdminUnit

    return list(AdminUnit.objects.filter(structure="current", level="commune", province=laocai).order_by("code")[:3])


@pytest.fixture
def make_bulletin(users, laocai, communes):
    def _make(author="bientap.laocai", **values):
        defaults = {"title": "Lịch tiêm phòng", "body": TEXT, "owner_unit": laocai, "target_units": communes}
        defaults.update(values)
        return services.bulletin_create(user=users[author], **defaults)

    return _make


def _hmong():
    return Language.objects.get(bcp47="hmn")


def test_a_written_bulletin_drafts_vietnamese_renditions_for_three_channels(make_bulletin):
    bulletin = make_bulletin()
    renditions = {r.channel: r for r in bulletin.renditions.all()}
    assert set(renditions) == {"loudspeaker", "board", "sms"}
    assert all(r.language.bcp47 == "vi" for r in renditions.values())
    speaker = renditions["loudspeaker"]
    assert speaker.text.startswith("Lịch tiêm phòng") and "trạm y tế" in speaker.text
    assert speaker.reading_seconds > 5
    sms = renditions["sms"]
    assert sms.sms_encoding == "UCS-2"  # Vietnamese with diacritics
    assert sms.sms_segments == -(-len(sms.text) // 67)
    assert bulletin.events.get().to_state == "draft"


def test_a_bulletin_made_from_an_approved_article_takes_its_text(users, laocai, communes):
    from ketnoi.content import services as content

    item = content.item_create(
        user=users["bientap.laocai"],
        owner_unit=laocai,
        kind="announcement",
        title="Thông báo về mùa mưa lũ",
        summary="Người dân chủ động phòng tránh lũ quét.",
        body="<p>Không qua suối khi nước lớn. Di chuyển gia súc lên chỗ cao.</p>",
    )
    with pytest.raises(ValidationError) as refused:
        services.bulletin_create(user=users["bientap.laocai"], owner_unit=laocai, content=item, target_units=communes)
    assert "approved or published" in str(refused.value)
    for user, action in (("bientap.laocai", "submit"), ("thamdinh", "appraise"), ("dieuphoi", "approve")):
        item = content.item_transition(user=users[user], item=item, action=action)
    bulletin = services.bulletin_create(
        user=users["bientap.laocai"], owner_unit=laocai, content=item, target_units=communes
    )
    assert bulletin.title == "Thông báo về mùa mưa lũ" and bulletin.content == item
    assert "phòng tránh lũ quét" in bulletin.body and "gia súc" in bulletin.body
    assert "<p>" not in bulletin.body


def test_changing_the_source_flags_renditions_stale_until_revised(make_bulletin):
    bulletin = make_bulletin()
    hmong = services.rendition_save(
        user=bulletin.author,
        bulletin=bulletin,
        channel="loudspeaker",
        language=_hmong(),
        text="Tsev neeg coj me nyuam mus txhaj tshuaj.",
    )
    assert not hmong.stale
    services.bulletin_update(user=bulletin.author, bulletin=bulletin, version=bulletin.version, title="Lịch tiêm phòng")
    assert not Rendition.objects.filter(bulletin=bulletin, stale=True).exists()  # same text: nothing stale
    bulletin.refresh_from_db()
    services.bulletin_update(
        user=bulletin.author, bulletin=bulletin, version=bulletin.version, body=TEXT.replace("7 giờ", "8 giờ")
    )
    assert set(Rendition.objects.filter(bulletin=bulletin, stale=True).values_list("channel", "language__bcp47")) == {
        ("loudspeaker", "vi"),
        ("board", "vi"),
        ("sms", "vi"),
        ("loudspeaker", "hmn"),
    }
    problems = selectors.bulletin_problems(bulletin)
    assert any("source text changed" in p for p in problems)
    hmong.refresh_from_db()
    services.rendition_save(
        user=bulletin.author,
        bulletin=bulletin,
        channel="loudspeaker",
        language=_hmong(),
        text=hmong.text + " 8 teev.",
        version=hmong.version,
    )
    assert not Rendition.objects.get(pk=hmong.pk).stale


def test_a_stale_edit_is_refused_and_writes_nothing(make_bulletin):
    bulletin = make_bulletin()
    services.bulletin_update(user=bulletin.author, bulletin=bulletin, version=1, title="Lịch tiêm phòng tháng 3")
    with pytest.raises(services.StaleBulletinEdit):
        services.bulletin_update(user=bulletin.author, bulletin=bulletin, version=1, title="Bản cũ")
    assert Bulletin.objects.get(pk=bulletin.pk).title == "Lịch tiêm phòng tháng 3"


def test_an_sms_longer_than_three_parts_is_refused_with_its_count(make_bulletin):
    bulletin = make_bulletin()
    vi = Language.objects.get(bcp47="vi")
    with pytest.raises(ValidationError) as refused:
        services.rendition_save(
            user=bulletin.author, bulletin=bulletin, channel="sms", language=vi, text="Tiêm phòng " * 30
        )
    assert "takes 5 messages" in str(refused.value) and "UCS-2" in str(refused.value)
    plain = services.rendition_save(
        user=bulletin.author, bulletin=bulletin, channel="sms", language=vi, text="Tiem phong luc 7h " * 8
    )
    assert (plain.sms_encoding, plain.sms_segments) == ("GSM-7", 1)


def test_targets_must_lie_in_the_owner_area(users, laocai, unit, make_bulletin):
    from ketnoi.geo.models import AdminUnit

    elsewhere = AdminUnit.objects.filter(structure="current", level="commune", province=unit("08")).first()
    with pytest.raises(ValidationError) as refused:
        make_bulletin(target_units=[elsewhere])
    assert elsewhere.name in str(refused.value)
    bulletin = make_bulletin(target_units=[laocai])
    assert (
        selectors.target_communes(bulletin).count()
        == AdminUnit.objects.filter(structure="current", level="commune", province=laocai).count()
    )


def test_schedules_are_checked_and_give_their_occurrences(make_bulletin):
    bulletin = make_bulletin()
    monday = dt.date(2026, 12, 7)
    with pytest.raises(ValidationError) as refused:
        services.schedule_add(user=bulletin.author, bulletin=bulletin, starts_on=monday, times="25:00")
    assert "25:00" in str(refused.value)
    with pytest.raises(ValidationError):
        services.schedule_add(
            user=bulletin.author,
            bulletin=bulletin,
            starts_on=monday,
            ends_on=monday - dt.timedelta(days=1),
            times="06:00",
        )
    weekly = services.schedule_add(
        user=bulletin.author,
        bulletin=bulletin,
        starts_on=monday,
        ends_on=monday + dt.timedelta(days=13),
        weekdays="135",
        times="17h30, 6:00",
    )
    assert weekly.times == ["06:00", "17:30"] and weekly.weekdays == "135"
    assert [t.strftime("%H:%M") for t in selectors.occurrences(weekly, monday)] == ["06:00", "17:30"]
    assert selectors.occurrences(weekly, monday + dt.timedelta(days=1)) == []  # a Tuesday
    assert selectors.occurrences(weekly, monday + dt.timedelta(days=14)) == []  # after the end


def test_the_editorial_board_appraises_and_approves(users, make_bulletin):
    bulletin = make_bulletin()
    with pytest.raises(ValidationError) as refused:
        services.bulletin_transition(user=users["bientap.laocai"], bulletin=bulletin, action="submit")
    assert any("no audio yet" in m for m in refused.value.messages)
    assert any("broadcast schedule" in m for m in refused.value.messages)
    services.rendition_delete(user=bulletin.author, rendition=bulletin.renditions.get(channel="loudspeaker"))
    bulletin = services.bulletin_transition(user=users["bientap.laocai"], bulletin=bulletin, action="submit")
    with pytest.raises(ValidationError):  # a submitted bulletin is not edited
        services.bulletin_update(user=bulletin.author, bulletin=bulletin, title="x")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # the editor does not appraise
        services.bulletin_transition(user=users["bientap.laocai"], bulletin=bulletin, action="appraise")
    with pytest.raises(ValidationError) as no_reason:
        services.bulletin_transition(user=users["thamdinh"], bulletin=bulletin, action="return")
    assert "reason" in str(no_reason.value)
    bulletin = services.bulletin_transition(user=users["thamdinh"], bulletin=bulletin, action="appraise")
    bulletin = services.bulletin_transition(user=users["dieuphoi"], bulletin=bulletin, action="approve")
    assert bulletin.state == "approved" and bulletin.approved_at is not None
    assert [e.to_state for e in bulletin.events.all()] == ["draft", "submitted", "appraised", "approved"]


def test_an_emergency_needs_no_schedule(make_bulletin):
    bulletin = make_bulletin(priority="emergency")
    problems = selectors.bulletin_problems(bulletin)
    assert not any("broadcast schedule" in p for p in problems)
    assert any("no audio yet" in p for p in problems)


def test_bulletins_of_another_province_are_invisible(login, make_bulletin, tq_editor):
    bulletin = make_bulletin()
    client = login("bientap.laocai")
    assert bulletin.title in client.get("/channels/bulletins/").content.decode()
    client.force_login(tq_editor)
    assert client.get(f"/channels/bulletins/{bulletin.pk}/").status_code == 404
    assert bulletin.title not in client.get("/channels/bulletins/").content.decode()
    assert client.post(f"/channels/bulletins/{bulletin.pk}/transition/", {"action": "submit"}).status_code == 404
    rendition = bulletin.renditions.get(channel="sms")
    schedule = services.schedule_add(
        user=bulletin.author, bulletin=bulletin, starts_on=dt.date(2026, 12, 7), times="6:00"
    )
    for url in (
        f"/channels/bulletins/{bulletin.pk}/edit/",
        f"/channels/bulletins/{bulletin.pk}/renditions/new/?channel=sms&language=vi",
        f"/channels/bulletins/{bulletin.pk}/renditions/sms/vi/",
        f"/channels/renditions/{rendition.pk}/audio/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/channels/bulletins/{bulletin.pk}/schedules/",
        f"/channels/bulletins/{bulletin.pk}/schedules/{schedule.pk}/delete/",
        f"/channels/bulletins/{bulletin.pk}/renditions/sms/vi/",
        f"/channels/renditions/{rendition.pk}/recording/",
        f"/channels/renditions/{rendition.pk}/speech/",
        f"/channels/renditions/{rendition.pk}/delete/",
    ):
        assert client.post(url, {"text": "x", "times": "7:00", "starts_on": "2026-12-08"}).status_code == 404, url
    assert bulletin.renditions.filter(pk=rendition.pk).exists() and bulletin.schedules.count() == 1


@pytest.fixture
def tq_editor(db, unit):
    from ketnoi.orgs.models import User
    from ketnoi.orgs.services import role_grant

    user = User.objects.create_user("bientap.tq", password="x" * 12)
    role_grant(user=user, role="editor", unit=unit("08"))
    return user


def test_writing_a_bulletin_as_a_person_clicks_it(login, communes, laocai):
    client = login("bientap.laocai")
    page = client.get("/channels/bulletins/new/")
    assert page.status_code == 200 and communes[0].name in page.content.decode()
    typed = {
        "owner": str(laocai.pk),
        "title": "",
        "body": TEXT,
        "priority": "priority",
        "target_units": [c.pk for c in communes],
    }
    refused = client.post("/channels/bulletins/new/", typed)
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "Give the bulletin a title." in html and "trạm y tế xã" in html  # the typed text is kept
    typed["title"] = "Lịch tiêm phòng"
    saved = client.post("/channels/bulletins/new/", typed)
    assert saved.status_code == 302
    bulletin = Bulletin.objects.get(title="Lịch tiêm phòng")
    assert bulletin.priority == "priority" and set(bulletin.target_units.all()) == set(communes)
    detail = client.get(saved["Location"]).content.decode()
    assert "Before it can be submitted" in detail and "3 communes" in detail

    schedule = {"starts_on": "2026-12-07", "ends_on": "2026-12-20", "weekdays": ["1", "3"], "times": "6h, 25:99"}
    refused = client.post(f"/channels/bulletins/{bulletin.pk}/schedules/", schedule)
    assert refused.status_code == 422 and "25:99 is not a time of day" in refused.content.decode()
    assert 'value="6h, 25:99"' in refused.content.decode()
    schedule["times"] = "6h, 17:30"
    assert client.post(f"/channels/bulletins/{bulletin.pk}/schedules/", schedule).status_code == 302
    assert bulletin.schedules.get().times == ["06:00", "17:30"]

    form = client.get(f"/channels/bulletins/{bulletin.pk}/renditions/new/?channel=loudspeaker&language=hmn")
    assert form.status_code == 302
    url = form["Location"]
    assert client.post(url, {"text": "  "}).status_code == 422
    assert client.post(url, {"text": "Tsev neeg coj me nyuam mus txhaj tshuaj."}).status_code == 302
    assert bulletin.renditions.get(language__bcp47="hmn").text.startswith("Tsev neeg")

    edit = client.get(f"/channels/bulletins/{bulletin.pk}/edit/")
    version = bulletin.version
    changed = {
        "title": "Lịch tiêm phòng",
        "body": TEXT + "\nMang theo sổ tiêm chủng.",
        "priority": "priority",
        "target_units": [c.pk for c in communes],
        "version": version,
    }
    assert edit.status_code == 200
    assert client.post(f"/channels/bulletins/{bulletin.pk}/edit/", changed).status_code == 302
    conflict = client.post(f"/channels/bulletins/{bulletin.pk}/edit/", {**changed, "body": "Bản của tôi"})
    assert conflict.status_code == 409 and "Bản của tôi" in conflict.content.decode()
    detail = client.get(f"/channels/bulletins/{bulletin.pk}/").content.decode()
    assert "source changed" in detail


def _tone(seconds: float = 2.0, fmt: str = "mp3") -> bytes:
    """A short tone encoded by ffmpeg, standing in for a human recording."""
    import shutil
    import subprocess

    from tests.conftest import require_service

    require_service(shutil.which("ffmpeg") is not None, "ffmpeg")
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-f", fmt, "-"],
        capture_output=True,
        check=True,
    )
    return result.stdout


def test_a_human_recording_replaces_the_audio_and_a_bad_file_is_refused(login, make_bulletin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bulletin = make_bulletin()
    hmong = services.rendition_save(
        user=bulletin.author,
        bulletin=bulletin,
        channel="loudspeaker",
        language=_hmong(),
        text="Tsev neeg coj me nyuam.",
    )
    client = login("bientap.laocai")
    fake = SimpleUploadedFile("ghi-am.mp3", b"this is not audio at all" * 10, content_type="audio/mpeg")
    refused = client.post(f"/channels/renditions/{hmong.pk}/recording/", {"audio": fake})
    assert refused.status_code == 422 and "ghi-am.mp3" in refused.content.decode()
    hmong.refresh_from_db()
    assert hmong.audio_status == "" and not hmong.audio
    data = _tone(2.0)
    upload = SimpleUploadedFile("ghi-am-mong.mp3", data, content_type="audio/mpeg")
    assert client.post(f"/channels/renditions/{hmong.pk}/recording/", {"audio": upload}).status_code == 302
    hmong.refresh_from_db()
    assert (hmong.audio_origin, hmong.audio_status) == ("recording", "ready")
    assert 1.8 < hmong.audio_seconds < 2.3
    download = client.get(f"/channels/renditions/{hmong.pk}/audio/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == data
    # a human recording stays when its text is edited (only synthetic audio is remade)
    services.rendition_save(
        user=bulletin.author,
        bulletin=bulletin,
        channel="loudspeaker",
        language=_hmong(),
        text="Tsev neeg coj me nyuam mus.",
    )
    assert Rendition.objects.get(pk=hmong.pk).audio_status == "ready"


def test_speech_is_synthesised_by_a_job_and_remade_when_the_text_changes(
    make_bulletin, django_capture_on_commit_callbacks
):
    import shutil

    from tests.conftest import require_service

    require_service(
        shutil.which("espeak-ng") is not None and shutil.which("ffmpeg") is not None, "espeak-ng and ffmpeg"
    )
    bulletin = make_bulletin()
    speaker = bulletin.renditions.get(channel="loudspeaker", language__bcp47="vi")
    with django_capture_on_commit_callbacks(execute=True):
        services.rendition_request_speech(user=bulletin.author, rendition=speaker)
    speaker.refresh_from_db()
    assert (speaker.audio_origin, speaker.audio_status) == ("synthetic", "ready"), speaker.audio_error
    assert speaker.audio.name.endswith(".mp3") and speaker.audio_seconds > 3
    assert len(speaker.audio_sha256) == 64
    services.rendition_save(
        user=bulletin.author,
        bulletin=bulletin,
        channel="loudspeaker",
        language=speaker.language,
        text="Lịch tiêm phòng đã đổi.",
    )
    speaker.refresh_from_db()
    assert speaker.audio_status == "" and not speaker.audio  # old synthetic audio is never played for a new text
    hmong = services.rendition_save(
        user=bulletin.author, bulletin=bulletin, channel="loudspeaker", language=_hmong(), text="Tsev neeg."
    )
    with pytest.raises(ValidationError) as refused:
        services.rendition_request_speech(user=bulletin.author, rendition=hmong)
    assert "upload a human recording" in str(refused.value)


def test_a_superseded_speech_job_does_nothing(make_bulletin):
    bulletin = make_bulletin()
    speaker = bulletin.renditions.get(channel="loudspeaker", language__bcp47="vi")
    Rendition.objects.filter(pk=speaker.pk).update(audio_status="pending")
    assert services.synthesize_rendition_now(speaker.pk, "0" * 64) == "superseded"
    assert Rendition.objects.get(pk=speaker.pk).audio_status == "pending"


def test_the_api_lists_shows_and_moves_bulletins_in_scope(client, users, make_bulletin, tq_editor):
    import json

    from ketnoi.orgs.services import token_create

    bulletin = make_bulletin()

    def call(user, method, path, data=None):
        _token, key = token_create(user=user, name="bulletins")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        if method == "get":
            return client.get(path, **headers)
        return client.post(path, json.dumps(data), content_type="application/json", **headers)

    listed = call(users["bientap.laocai"], "get", "/api/v1/channels/bulletins").json()
    assert [b["id"] for b in listed["items"]] == [bulletin.pk]
    detail = call(users["bientap.laocai"], "get", f"/api/v1/channels/bulletins/{bulletin.pk}").json()
    assert {r["channel"] for r in detail["renditions"]} == {"loudspeaker", "board", "sms"}
    assert detail["deliveries"] == {}
    refused = call(
        users["bientap.laocai"], "post", f"/api/v1/channels/bulletins/{bulletin.pk}/transition", {"action": "submit"}
    )
    assert refused.status_code == 422 and refused["Content-Type"].startswith("application/problem+json")
    assert "no audio yet" in refused.content.decode()
    assert call(tq_editor, "get", f"/api/v1/channels/bulletins/{bulletin.pk}").status_code == 404
    assert call(tq_editor, "get", "/api/v1/channels/bulletins").json()["items"] == []
    bad = call(
        users["bientap.laocai"], "post", f"/api/v1/channels/bulletins/{bulletin.pk}/transition", {"action": "fly"}
    )
    assert bad.status_code == 422 and "Unknown action" in bad.content.decode()


def test_the_list_is_searched_without_diacritics(login, make_bulletin):
    make_bulletin(title="Lịch tiêm phòng tháng Ba")
    make_bulletin(title="Cảnh báo lũ quét")
    client = login("bientap.laocai")
    page = client.get("/channels/bulletins/", {"q": "tiem phong"}).content.decode()
    assert "Lịch tiêm phòng tháng Ba" in page and "Cảnh báo lũ quét" not in page
    assert client.get("/channels/bulletins/", {"q": "\x00"}).status_code == 200
