"""Information exchange: sending, answering, closing, overdue, bad input, audit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ketnoi.core.files import ATTACHMENT_MAX_BYTES
from ketnoi.core.models import AuditEntry
from ketnoi.exchange import selectors, services
from ketnoi.exchange.models import Attachment, OfficialRequest, Recipient, Response


def _counts():
    return (
        OfficialRequest.objects.count(),
        Recipient.objects.count(),
        Attachment.objects.count(),
        AuditEntry.objects.filter(model__startswith="exchange.").count(),
    )


def _create(users, soon, **overrides):
    values = {
        "user": users["tinh.laocai"],
        "number_symbol": "46/SDTTG-TT",
        "subject": "Xin ý kiến",
        "body": "Nội dung",
        "due_date": soon,
        "recipients": ["BVHTTDL"],
    }
    values.update(overrides)
    return services.request_create(**values)


def test_request_is_created_with_recipients_attachment_and_audit(laocai_request):
    assert laocai_request.sender.code == "SDTTG-15"
    assert sorted(r.agency.code for r in laocai_request.recipients.all()) == ["BVHTTDL", "UBNDX-03037"]
    assert all(r.state == "pending" for r in laocai_request.recipients.all())
    attachment = laocai_request.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.original_name == "cong-van.pdf"
    entry = AuditEntry.objects.get(model="exchange.officialrequest", object_pk=str(laocai_request.pk))
    assert entry.action == "create" and entry.after["number_symbol"] == "45/SDTTG-TT"
    # filed under Lào Cai, so Lào Cai's auditors see it
    assert entry.scope_province_id == laocai_request.sender.unit.province_id
    assert AuditEntry.objects.filter(model="exchange.recipient").count() == 2


def test_text_is_normalised(users, soon):
    request = _create(users, soon, subject="Uỷ ban  hoà giải")  # old tone-mark placement
    assert request.subject.startswith("Ủy ban") and "hòa" in request.subject


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"due_date": "past"}, "due_date", "is in the past"),
        ({"recipients": []}, "recipients", "Choose at least one recipient agency."),
        ({"recipients": ["BVHTTDL", "KHONG-CO"]}, "recipients", "Unknown agency code KHONG-CO."),
        ({"recipients": ["UBDT"]}, "recipients", "send to its successor: Bộ Dân tộc và Tôn giáo"),
        ({"recipients": ["SDTTG-15"]}, "recipients", "is the sender"),
        ({"number_symbol": "công văn số 5"}, "number_symbol", "like 123/BDTTG-TT"),
        ({"subject": "   "}, "subject", "Write the subject."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(users, soon, overrides, field, message):
    if overrides.get("due_date") == "past":
        overrides["due_date"] = timezone.localdate() - dt.timedelta(days=1)
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        _create(users, soon, **overrides)
    assert any(message in m for m in caught.value.message_dict[field])
    assert _counts() == before


def test_number_is_unique_per_sender_only(users, soon, laocai_request):
    with pytest.raises(ValidationError) as caught:
        _create(users, soon, number_symbol="45/SDTTG-TT")
    assert "has already sent 45/SDTTG-TT" in caught.value.message_dict["number_symbol"][0]
    other = _create(users, soon, user=users["canbo.bvhttdl"], number_symbol="45/SDTTG-TT", recipients=["SDTTG-15"])
    assert other.sender.code == "BVHTTDL"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bao-cao.pdf", b"MZ\x90\x00 this is a program", "is not an accepted type"),
        ("anh.png", b"%PDF-1.4 pretending to be a png", "is not an accepted type"),
        ("lon.pdf", b"%PDF-" + b"0" * ATTACHMENT_MAX_BYTES, "the limit is"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_written(users, soon, pdf, name, content, message):
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        _create(users, soon, attachments=[pdf(), SimpleUploadedFile(name, content)])
    errors = caught.value.message_dict["file"]
    assert len(errors) == 1 and name in errors[0] and message in errors[0]
    assert _counts() == before


def test_only_holders_of_exchange_send_may_send(users, soon):
    with pytest.raises(PermissionDenied):
        _create(users, soon, user=users["xa.tavan"])  # commune officers read, they do not send
    with pytest.raises(PermissionDenied):
        _create(users, soon, user=users["tinh.laocai"], sender=users["canbo.bvhttdl"].agency)  # not on behalf
    assert not OfficialRequest.objects.filter(number_symbol="46/SDTTG-TT").exists()


def test_coordinator_may_enter_a_letter_on_behalf_of_another_agency(users, soon):
    request = _create(users, soon, user=users["dieuphoi"], sender=users["canbo.bvhttdl"].agency, recipients=["BDTTG"])
    assert request.sender.code == "BVHTTDL" and request.created_by.username == "dieuphoi"


def test_thread_answers_close_parts_and_sender_closes(users, laocai_request):
    officer = users["canbo.bvhttdl"]
    services.request_respond(user=officer, request=laocai_request, body="Đang tổng hợp.")
    part = laocai_request.recipients.get(agency__code="BVHTTDL")
    assert part.state == "answered" and part.answered_at is not None
    services.request_respond(user=officer, request=laocai_request, body="Gửi kèm báo cáo.", closes_part=True)
    part.refresh_from_db()
    assert part.state == "closed" and part.closed_at is not None
    # the sender may follow up but cannot "complete a part"
    with pytest.raises(ValidationError) as caught:
        services.request_respond(user=users["tinh.laocai"], request=laocai_request, body="Cảm ơn", closes_part=True)
    assert "closes_part" in caught.value.message_dict
    services.request_respond(user=users["tinh.laocai"], request=laocai_request, body="Cảm ơn, đề nghị xã trả lời.")
    # Tả Van's committee has not answered: closing needs a reason
    with pytest.raises(ValidationError) as caught:
        services.request_close(user=users["tinh.laocai"], request=laocai_request)
    assert "Ủy ban nhân dân xã Tả Van" in caught.value.message_dict["note"][0]
    # a recipient cannot close the request
    with pytest.raises(PermissionDenied):
        services.request_close(user=officer, request=laocai_request, note="x")
    services.request_close(user=users["tinh.laocai"], request=laocai_request, note="Đã có đủ số liệu.")
    laocai_request.refresh_from_db()
    assert laocai_request.state == "closed" and laocai_request.closed_by == users["tinh.laocai"]
    with pytest.raises(ValidationError):
        services.request_respond(user=officer, request=laocai_request, body="Muộn")
    assert Response.objects.filter(request=laocai_request).count() == 3
    assert AuditEntry.objects.filter(model="exchange.response").count() == 3


def test_closing_after_every_answer_needs_no_reason(users, soon):
    request = _create(users, soon)
    services.request_respond(user=users["canbo.bvhttdl"], request=request, body="Trả lời")
    services.request_close(user=users["tinh.laocai"], request=request)
    request.refresh_from_db()
    assert request.state == "closed" and request.closing_note == ""


def test_overdue_is_per_recipient_and_listed_first(users):
    long_ago = dt.date(2025, 9, 1)
    late = services.request_create(
        user=users["tinh.laocai"],
        number_symbol="1/SDTTG-TT",
        subject="Quá hạn",
        body="x",
        due_date=dt.date(2025, 9, 10),
        recipients=["BVHTTDL", "UBNDX-03037"],
        today=long_ago,
    )
    on_time = _create(users, timezone.localdate() + dt.timedelta(days=3), number_symbol="2/SDTTG-TT")
    services.request_respond(user=users["canbo.bvhttdl"], request=late, body="Xong", closes_part=True)
    rows = {r.agency.code: r.overdue for r in selectors.recipient_rows(late)}
    assert rows == {"BVHTTDL": False, "UBNDX-03037": True}
    listed = list(selectors.request_list_for_user(user=users["tinh.laocai"], box="outbox"))
    assert [r.number_symbol for r in listed][:2] == ["1/SDTTG-TT", "2/SDTTG-TT"]
    assert listed[0].overdue and not listed[1].overdue
    overdue = selectors.request_list_for_user(user=users["tinh.laocai"], state="overdue")
    assert [r.pk for r in overdue] == [late.pk]
    # BVHTTDL closed its part: in its inbox the request is not overdue any more
    inbox = selectors.request_list_for_user(user=users["canbo.bvhttdl"], box="inbox", state="overdue")
    assert not inbox.exists()
    services.request_close(user=users["tinh.laocai"], request=late, note="Hết thời hạn")
    assert not selectors.request_list_for_user(user=users["tinh.laocai"], state="overdue").exists()
    closed = selectors.request_list_for_user(user=users["tinh.laocai"], state="closed")
    assert [r.pk for r in closed] == [late.pk]
    assert on_time.pk in [r.pk for r in selectors.request_list_for_user(user=users["tinh.laocai"], state="open")]


def test_inbox_and_outbox(users, laocai_request):
    assert list(selectors.request_list_for_user(user=users["canbo.bvhttdl"], box="inbox")) == [laocai_request]
    assert not selectors.request_list_for_user(user=users["canbo.bvhttdl"], box="outbox").exists()
    assert list(selectors.request_list_for_user(user=users["tinh.laocai"], box="outbox")) == [laocai_request]
    assert not selectors.request_list_for_user(user=users["tinh.laocai"], box="inbox").exists()


def test_central_requests_are_visible_only_to_parties_and_country_scope(users, soon):
    central = _create(users, soon, user=users["canbo.bvhttdl"], number_symbol="9/BVHTTDL-TTCS", recipients=["BDTTG"])
    visible = {
        name: selectors.request_list_for_user(user=users[name]).filter(pk=central.pk).exists()
        for name in ("canbo.bvhttdl", "dieuphoi", "kiemtoan", "tinh.laocai", "xa.tavan", "dichthuat")
    }
    # dichthuat is in BDTTG but holds no programme role
    assert visible == {
        "canbo.bvhttdl": True,
        "dieuphoi": True,
        "kiemtoan": True,
        "tinh.laocai": False,
        "xa.tavan": False,
        "dichthuat": True,
    }


def test_pages_send_reply_and_close(login, users, soon, pdf):
    client = login("tinh.laocai")
    assert client.get("/exchange/new/").status_code == 200
    response = client.post(
        "/exchange/new/",
        {
            "number_symbol": "77/SDTTG-TT",
            "subject": "Kiểm tra bản tin",
            "body": "Đề nghị gửi lịch phát.",
            "recipients": "UBNDX-03037, BVHTTDL",
            "due_date": soon.isoformat(),
            "files": [pdf("lich.pdf"), pdf("phu-luc.pdf")],
        },
    )
    assert response.status_code == 302
    request = OfficialRequest.objects.get(number_symbol="77/SDTTG-TT")
    assert request.attachments.count() == 2
    page = client.get(f"/exchange/{request.pk}/").content.decode()
    assert "Kiểm tra bản tin" in page and "lich.pdf" in page and "Close the request" in page
    download = client.get(f"/exchange/attachments/{request.attachments.first().pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")

    officer = login("canbo.bvhttdl")
    assert "Close the request" not in officer.get(f"/exchange/{request.pk}/").content.decode()
    reply = officer.post(f"/exchange/{request.pk}/reply/", {"body": "Đã gửi.", "closes_part": "on"})
    assert reply.status_code == 302
    assert request.recipients.get(agency__code="BVHTTDL").state == "closed"
    inbox = officer.get("/exchange/", {"box": "inbox"}).content.decode()
    assert "77/SDTTG-TT" in inbox

    client = login("tinh.laocai")
    refused = client.post(f"/exchange/{request.pk}/close/", {"note": ""})
    assert refused.status_code == 422 and "give the reason for closing now" in refused.content.decode()
    assert client.post(f"/exchange/{request.pk}/close/", {"note": "Đủ"}).status_code == 302
    request.refresh_from_db()
    assert request.state == "closed"


def test_page_bad_input_shows_messages_and_writes_nothing(login, users):
    client = login("tinh.laocai")
    before = _counts()
    response = client.post(
        "/exchange/new/",
        {
            "number_symbol": "78/SDTTG-TT",
            "subject": "Sai",
            "body": "x",
            "recipients": "KHONG-CO",
            "due_date": "2020-01-01",
            "files": [SimpleUploadedFile("virus.pdf", b"MZ\x90\x00")],
        },
    )
    text = response.content.decode()
    assert response.status_code == 422
    assert "Unknown agency code KHONG-CO." in text
    assert "is in the past" in text
    assert "virus.pdf is not an accepted type" in text
    assert _counts() == before


def test_api_create_respond_close(api, users, soon, pdf):
    sender = api("tinh.laocai")
    created = sender(
        "post",
        "/api/v1/exchange/requests",
        {
            "number_symbol": "80/SDTTG-TT",
            "subject": "Số liệu loa",
            "body": "Đề nghị cung cấp.",
            "due_date": soon.isoformat(),
            "recipients": ["BVHTTDL"],
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["recipients"][0]["agency"]["code"] == "BVHTTDL"
    attached = sender("post", f"/api/v1/exchange/requests/{pk}/attachments", {"file": pdf("a.pdf")})
    assert attached.status_code == 201 and attached.json()["name"] == "a.pdf"
    wrong = sender("post", f"/api/v1/exchange/requests/{pk}/attachments", {"file": SimpleUploadedFile("b.pdf", b"xx")})
    assert wrong.status_code == 422 and "b.pdf is not an accepted type" in wrong.json()["detail"]
    officer = api("canbo.bvhttdl")
    answer = officer("post", f"/api/v1/exchange/requests/{pk}/responses", {"body": "Có", "closes_part": True})
    assert answer.status_code == 201 and answer.json()["closes_part"] is True
    listed = officer("get", "/api/v1/exchange/requests", {"box": "inbox"}).json()
    assert listed["count"] == 1 and listed["items"][0]["recipients"][0]["state"] == "closed"
    closed = sender("post", f"/api/v1/exchange/requests/{pk}/close", {"note": ""})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    detail = officer("get", f"/api/v1/exchange/requests/{pk}").json()
    assert [r["body"] for r in detail["responses"]] == ["Có"] and len(detail["attachments"]) == 1


def test_api_bad_input_is_a_problem_and_writes_nothing(api, users):
    before = _counts()
    response = api("tinh.laocai")(
        "post",
        "/api/v1/exchange/requests",
        {
            "number_symbol": "81/SDTTG-TT",
            "subject": "x",
            "body": "x",
            "due_date": "2020-01-01",
            "recipients": [],
        },
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"due_date", "recipients"}
    assert _counts() == before
