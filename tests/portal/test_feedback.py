"""Citizens' feedback (Decree 49/2024): received without sign-in, rate-limited, moderated by
reviewers of the area, answered and published without personal data."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ketnoi.core.models import AuditEntry
from ketnoi.orgs.models import User
from ketnoi.orgs.services import role_grant, token_create
from ketnoi.people.models import Language
from ketnoi.portal import services
from ketnoi.portal.models import Feedback, FeedbackSender

from .conftest import shown

MESSAGE = "Xin hỏi thủ tục nhận hỗ trợ nhà ở cho hộ nghèo ở xã Tả Van?"
NAME = "Nguyễn Văn Dân"
CONTACT = "0912 345 678"


def _post(client, lang="vi", ip="203.0.113.5", **fields):
    data = {"message": MESSAGE, "name": NAME, "contact": CONTACT, "commune": "", "website": "", "item": ""}
    data.update(fields)
    return client.post(f"/p/{lang}/gop-y/", data, REMOTE_ADDR=ip)


@pytest.fixture
def reviewer(db, unit):
    """reviewer("15") → a reviewer (CONTENT_APPRAISE) over that province."""

    def _make(province):
        user = User.objects.create_user(f"thamdinh.{province}", password="x" * 12)
        role_grant(user=user, role="reviewer", unit=unit(province))
        return user

    return _make


@pytest.fixture
def lao_cai_feedback(db):
    vi = Language.objects.get(bcp47="vi")
    return services.feedback_submit(language=vi, message=MESSAGE, name=NAME, contact=CONTACT, commune_code="03037")


def test_citizen_sends_feedback_without_signing_in(client):
    form = client.get("/p/vi/gop-y/")
    assert form.status_code == 200 and 'name="csrfmiddlewaretoken"' in form.content.decode()
    response = _post(client, commune="tả van")
    feedback = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/p/vi/gop-y/?sent={feedback.reference}"
    # the number, then a check code (issue 8.9): the citizen looks the answer up with it
    assert feedback.reference == f"GY-{feedback.created_at:%Y}-{feedback.pk:06d}-{feedback.check_code}"
    assert feedback.state == "received" and feedback.message == MESSAGE
    assert feedback.unit.code == "03037" and feedback.language.bcp47 == "vi"
    assert feedback.sender.name == NAME and feedback.sender.contact == CONTACT
    thanks = "Thank you. Your message has been received. Answers are published on the questions and answers page."
    page = client.get(response["Location"]).content.decode()
    assert shown("vi", thanks) in page and f"<strong>{feedback.reference}</strong>" in page
    forged = client.get("/p/vi/gop-y/?sent=<b>x</b>").content.decode()
    assert shown("vi", thanks) in forged and "<strong>" not in forged  # only a well-formed number is echoed


def test_feedback_about_an_article_takes_its_unit(client, make_item, unit, hidden_items):
    make_item("bai-viet", {"vi": ("Bài viết", "", "<p>a</p>")}, owner_unit=unit("15"))
    page = client.get("/p/vi/gop-y/", {"item": "bai-viet"}).content.decode()
    assert 'value="bai-viet"' in page and "/p/vi/tin-tuc/bai-viet/" in page
    assert _post(client, item="bai-viet").status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.item.slug == "bai-viet" and feedback.unit.code == "15"
    # A draft's address is refused like an unknown one (no leak) and nothing is written.
    response = _post(client, item="an-draft", ip="203.0.113.6")
    assert response.status_code == 302  # the draft is ignored as "about": it is not public
    assert Feedback.objects.filter(item__slug="an-draft").count() == 0
    with pytest.raises(ValidationError, match="No such article"):
        services.feedback_submit(language=Language.objects.get(bcp47="vi"), message=MESSAGE, item_slug="an-draft")


@pytest.mark.parametrize(
    "fields,error",
    [
        ({"message": "ngắn"}, ("Write at least %(n)s characters.", {"n": 10})),
        ({"contact": "không phải số"}, ("Enter a valid e-mail address or phone number.", {})),
        ({"contact": "ai@"}, ("Enter a valid e-mail address or phone number.", {})),
        ({"commune": "Xã Không Có"}, ("No current commune or ward is called %(name)s.", {"name": "Xã Không Có"})),
    ],
)
def test_bad_feedback_is_refused_with_a_clear_message(client, fields, error):
    response = _post(client, **fields)
    assert response.status_code == 422
    msgid, values = error
    assert shown("vi", msgid, **values) in response.content.decode()
    assert not Feedback.objects.exists() and not FeedbackSender.objects.exists()


def test_e_mail_contact_is_accepted(client):
    assert _post(client, contact="dan@example.vn").status_code == 302
    assert FeedbackSender.objects.get().contact == "dan@example.vn"


def test_honeypot_is_accepted_silently_and_nothing_is_written(client):
    response = _post(client, website="http://spam.example")
    assert response.status_code == 302
    assert not Feedback.objects.exists()


def test_csrf_is_required(db):
    strict = Client(enforce_csrf_checks=True)
    response = _post(strict)
    assert response.status_code == 403
    assert not Feedback.objects.exists()
    page = strict.get("/p/vi/gop-y/")
    token = page.cookies["csrftoken"].value
    response = strict.post(
        "/p/vi/gop-y/", {"message": MESSAGE, "csrfmiddlewaretoken": token}, REMOTE_ADDR="198.51.100.1"
    )
    assert response.status_code == 302 and Feedback.objects.count() == 1


def test_rate_limit_per_address(client):
    for _ in range(services.RATE_LIMIT):
        assert _post(client).status_code == 302
    blocked = _post(client)
    assert blocked.status_code == 429
    limit = (
        "At most %(limit)s messages can be sent from one connection within %(minutes)s minutes. Please try again later."
    )
    assert shown("vi", limit, limit=5, minutes=60) in blocked.content.decode()
    assert Feedback.objects.count() == services.RATE_LIMIT
    assert _post(client, ip="203.0.113.99").status_code == 302  # another address is not blocked


def test_refused_attempts_count_too(client):
    for _ in range(services.RATE_LIMIT):
        assert _post(client, message="x").status_code == 422
    assert _post(client).status_code == 429
    assert not Feedback.objects.exists()


# ---- moderation ------------------------------------------------------------------------------


def test_moderation_pages_need_sign_in_and_the_capability(client, login, lao_cai_feedback):
    assert client.get("/portal/feedback/")["Location"].startswith("/login/")
    assert login("xa.tavan").get("/portal/feedback/").status_code == 403  # commune officer: no CONTENT_APPRAISE


@pytest.mark.parametrize("intruder", ["xa.dongvan", "tinh.tuyenquang"])
def test_tuyen_quang_cannot_read_or_answer_lao_cai_feedback(client, users, lao_cai_feedback, unit, intruder):
    client.force_login(users[intruder])
    assert client.get("/portal/feedback/").status_code == 403
    assert client.get(f"/portal/feedback/{lao_cai_feedback.pk}/").status_code == 403
    # Even as a reviewer of their own province they see nothing of Lào Cai.
    role_grant(user=users[intruder], role="reviewer", unit=unit("08"))
    listing = client.get("/portal/feedback/").content.decode()
    assert "thủ tục nhận hỗ trợ" not in listing and NAME not in listing
    assert client.get(f"/portal/feedback/{lao_cai_feedback.pk}/").status_code == 404
    response = client.post(f"/portal/feedback/{lao_cai_feedback.pk}/", {"action": "answer", "answer": "Xâm nhập"})
    assert response.status_code == 404
    lao_cai_feedback.refresh_from_db()
    assert lao_cai_feedback.state == "received" and lao_cai_feedback.answer == ""


def test_reviewer_of_the_province_answers_and_it_is_published_without_personal_data(client, reviewer, lao_cai_feedback):
    moderator = reviewer("15")
    client.force_login(moderator)
    listing = client.get("/portal/feedback/").content.decode()
    assert f"/portal/feedback/{lao_cai_feedback.pk}/" in listing
    detail = client.get(f"/portal/feedback/{lao_cai_feedback.pk}/").content.decode()
    assert NAME in detail and CONTACT in detail  # moderators see who to answer
    response = client.post(f"/portal/feedback/{lao_cai_feedback.pk}/", {"action": "answer", "answer": ""})
    assert response.status_code == 422 and "Write the answer." in response.content.decode()
    response = client.post(
        f"/portal/feedback/{lao_cai_feedback.pk}/",
        {"action": "answer", "answer": "Hộ nghèo nộp đơn tại Ủy ban nhân dân xã."},
    )
    assert response.status_code == 302
    lao_cai_feedback.refresh_from_db()
    assert lao_cai_feedback.state == "published" and lao_cai_feedback.answered_by == moderator
    entry = AuditEntry.objects.filter(model="portal.feedback", object_pk=str(lao_cai_feedback.pk), action="update")
    assert entry.get().actor == moderator
    # Personal data stays out: the sender is never recorded, only that the moderator saw it (no values).
    sender_entries = AuditEntry.objects.filter(model="portal.feedbacksender")
    assert set(sender_entries.values_list("action", flat=True)) == {AuditEntry.Action.VIEW}
    assert all(NAME not in str(e.after) and CONTACT not in str(e.after) for e in sender_entries)
    client.logout()
    public = client.get("/p/vi/hoi-dap/").content.decode()
    assert "thủ tục nhận hỗ trợ nhà ở" in public and "Hộ nghèo nộp đơn" in public
    assert NAME not in public and "0912" not in public
    api = client.get("/api/v1/portal/answers", {"language": "vi"}).json()
    assert api["count"] == 1 and api["items"][0]["commune"] == "03037"
    assert NAME not in json.dumps(api, ensure_ascii=False) and "0912" not in json.dumps(api)
    assert "contact" not in api["items"][0] and "name" not in api["items"][0]
    assert "Hộ nghèo" not in client.get("/p/th/hoi-dap/").content.decode()  # only in its own language
    # Answering twice is refused.
    client.force_login(moderator)
    again = client.post(f"/portal/feedback/{lao_cai_feedback.pk}/", {"action": "answer", "answer": "Lần hai"})
    assert again.status_code == 422
    lao_cai_feedback.refresh_from_db()
    assert lao_cai_feedback.answer != "Lần hai"


def test_rejected_and_received_feedback_are_never_public(client, reviewer, lao_cai_feedback):
    other = services.feedback_submit(
        language=Language.objects.get(bcp47="vi"), message="Nội dung quảng cáo spam spam", commune_code="03037"
    )
    moderator = reviewer("15")
    client.force_login(moderator)
    response = client.post(f"/portal/feedback/{other.pk}/", {"action": "reject", "rejection_reason": ""})
    assert response.status_code == 422 and "Give the reason for rejecting." in response.content.decode()
    client.post(f"/portal/feedback/{other.pk}/", {"action": "reject", "rejection_reason": "Quảng cáo"})
    other.refresh_from_db()
    assert other.state == "rejected" and other.rejection_reason == "Quảng cáo"
    client.logout()
    public = client.get("/p/vi/hoi-dap/").content.decode()
    assert "quảng cáo" not in public and "thủ tục nhận hỗ trợ" not in public
    assert client.get("/api/v1/portal/answers", {"language": "vi"}).json()["count"] == 0


def test_central_feedback_is_for_country_reviewers_only(client, login, reviewer):
    central = services.feedback_submit(language=Language.objects.get(bcp47="en"), message="A question for the ministry")
    client.force_login(reviewer("15"))
    assert client.get(f"/portal/feedback/{central.pk}/").status_code == 404
    assert login("thamdinh").get(f"/portal/feedback/{central.pk}/").status_code == 200


# ---- API ------------------------------------------------------------------------------------


@pytest.fixture
def api(client, users):
    def _for(user):
        _token, key = token_create(user=user, name="portal")

        def call(method, path, data=None):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
            if method == "get":
                return client.get(path, data, **headers)
            return client.post(path, json.dumps(data or {}), content_type="application/json", **headers)

        return call

    return _for


def test_api_moderation_is_scoped(client, api, users, reviewer, lao_cai_feedback, unit):
    assert client.get("/api/v1/portal/feedback").status_code == 401
    intruder = users["tinh.tuyenquang"]
    role_grant(user=intruder, role="reviewer", unit=unit("08"))
    call = api(intruder)
    assert call("get", "/api/v1/portal/feedback").json()["count"] == 0
    assert call("get", f"/api/v1/portal/feedback/{lao_cai_feedback.pk}").status_code == 404
    response = call("post", f"/api/v1/portal/feedback/{lao_cai_feedback.pk}/answer", {"answer": "Xâm nhập"})
    assert response.status_code == 404
    assert call("post", f"/api/v1/portal/feedback/{lao_cai_feedback.pk}/reject", {"reason": "x"}).status_code == 404
    lao_cai_feedback.refresh_from_db()
    assert lao_cai_feedback.state == "received"
    # Positive control: Lào Cai's reviewer.
    owner = api(reviewer("15"))
    listed = owner("get", "/api/v1/portal/feedback").json()
    assert listed["count"] == 1 and listed["items"][0]["contact"] == CONTACT
    bad = owner("post", f"/api/v1/portal/feedback/{lao_cai_feedback.pk}/reject", {"reason": " "})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    done = owner("post", f"/api/v1/portal/feedback/{lao_cai_feedback.pk}/answer", {"answer": "Đã trả lời."})
    assert done.status_code == 200 and done.json()["state"] == "published"


def test_citizen_picks_a_commune_by_name_and_chooses_among_namesakes(client):
    """Issue 7.8: no codes to know. "Hòa Bình" names several communes: the form comes back with all that
    was typed and a choice of them; choosing one sends the message about that commune."""
    first = _post(client, commune="Hòa Bình")
    page = first.content.decode()
    assert first.status_code == 422 and not Feedback.objects.exists()
    assert shown("vi", "Several communes are called %(name)s: choose yours below.", name="Hòa Bình") in page
    assert 'value="04795"' in page and "Tỉnh Phú Thọ" in page and 'value="31891"' in page and "Tỉnh Cà Mau" in page
    assert MESSAGE in page and NAME in page and CONTACT in page and 'value="Hòa Bình"' in page  # nothing lost
    assert _post(client, commune="Hòa Bình", commune_code="31891").status_code == 302
    assert Feedback.objects.get().unit.code == "31891"


def test_a_province_after_a_comma_narrows_the_commune(client):
    assert _post(client, commune="Hoa Binh, Ca Mau").status_code == 302
    assert Feedback.objects.get().unit.code == "31891"


def test_a_chosen_code_that_no_longer_fits_the_words_is_not_used(client):
    """A citizen who chose among namesakes and then typed another commune gets the one typed."""
    assert _post(client, commune="Tả Van", commune_code="31891").status_code == 302
    assert Feedback.objects.get().unit.code == "03037"


def test_help_texts_and_errors_are_read_by_screen_readers(client):
    from html.parser import HTMLParser

    class Inputs(HTMLParser):
        def __init__(self):
            super().__init__()
            self.described, self.ids = {}, set()

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if attrs.get("id"):
                self.ids.add(attrs["id"])
            if tag in ("input", "textarea") and attrs.get("aria-describedby"):
                self.described[attrs["name"]] = attrs["aria-describedby"].split()

    page = Inputs()
    page.feed(_post(client, message="ngắn", contact="ai@").content.decode())
    assert page.described["message"] == ["id_message-help", "id_message-error"]
    assert page.described["contact"] == ["id_contact-help", "id_contact-error"]
    assert page.described["commune"] == ["id_commune-help"]
    assert all(target in page.ids for targets in page.described.values() for target in targets)
