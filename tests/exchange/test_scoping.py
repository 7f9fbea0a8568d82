"""Tuyên Quang's officers can neither read nor change Lào Cai's requests, through pages or the API."""

import pytest

from ketnoi.exchange.models import Attachment, OfficialRequest, Response

INTRUDERS = ["xa.dongvan", "tinh.tuyenquang"]
SUBJECT = "Báo cáo tình hình đài truyền thanh xã"


def _state(request):
    request.refresh_from_db()
    return (request.state, Response.objects.filter(request=request).count(), Attachment.objects.count())


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_pages_hide_and_protect_another_provinces_requests(login, intruder, laocai_request, pdf):
    client = login(intruder)
    before = _state(laocai_request)
    for box in ("inbox", "outbox", "all"):
        listing = client.get("/exchange/", {"box": box, "q": "45/SDTTG"})
        assert listing.status_code == 200 and SUBJECT not in listing.content.decode()
    assert client.get(f"/exchange/{laocai_request.pk}/").status_code == 404
    reply = client.post(f"/exchange/{laocai_request.pk}/reply/", {"body": "Xâm nhập", "closes_part": "on"})
    assert reply.status_code == 404
    assert client.post(f"/exchange/{laocai_request.pk}/close/", {"note": "Xâm nhập"}).status_code == 404
    attachment = laocai_request.attachments.get()
    assert client.get(f"/exchange/attachments/{attachment.pk}/").status_code == 404
    assert _state(laocai_request) == before


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_api_hides_and_protects_another_provinces_requests(api, intruder, laocai_request, pdf):
    call = api(intruder)
    before = _state(laocai_request)
    listing = call("get", "/api/v1/exchange/requests")
    assert listing.status_code == 200 and SUBJECT not in listing.content.decode()
    base = f"/api/v1/exchange/requests/{laocai_request.pk}"
    assert call("get", base).status_code == 404
    assert call("post", f"{base}/responses", {"body": "Xâm nhập", "closes_part": True}).status_code == 404
    assert call("post", f"{base}/close", {"note": "Xâm nhập"}).status_code == 404
    assert call("post", f"{base}/attachments", {"file": pdf()}).status_code == 404
    assert _state(laocai_request) == before


def test_an_intruder_cannot_send_in_lao_cais_name(api, login, users, soon):
    """Sending always happens as the user's own agency; naming Lào Cai's department is refused."""
    refused = api("tinh.tuyenquang")(
        "post",
        "/api/v1/exchange/requests",
        {
            "number_symbol": "99/SDTTG-TT",
            "subject": "Giả mạo",
            "body": "x",
            "due_date": soon.isoformat(),
            "recipients": ["BVHTTDL"],
            "sender": "SDTTG-15",
        },
    )
    assert refused.status_code == 403
    # xa.dongvan holds no EXCHANGE_SEND: the form does not exist for them
    assert login("xa.dongvan").get("/exchange/new/").status_code == 404
    assert not OfficialRequest.objects.filter(number_symbol="99/SDTTG-TT").exists()


def test_owners_and_recipients_positive_control(login, api, users, laocai_request):
    """The same URLs work for Lào Cai's officers and for the recipient ministry."""
    commune = login("xa.tavan")  # Tả Van's committee is a recipient; its officer reads the request
    assert SUBJECT in commune.get("/exchange/", {"box": "inbox"}).content.decode()
    assert commune.get(f"/exchange/{laocai_request.pk}/").status_code == 200
    province = api("tinh.laocai")
    assert province("get", f"/api/v1/exchange/requests/{laocai_request.pk}").json()["subject"] == SUBJECT
    attachment = laocai_request.attachments.get()
    assert login("tinh.laocai").get(f"/exchange/attachments/{attachment.pk}/").status_code == 200
    officer = api("canbo.bvhttdl")
    answered = officer("post", f"/api/v1/exchange/requests/{laocai_request.pk}/responses", {"body": "Đã nhận"})
    assert answered.status_code == 201
    closed = province("post", f"/api/v1/exchange/requests/{laocai_request.pk}/close", {"note": "Đủ thông tin"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
