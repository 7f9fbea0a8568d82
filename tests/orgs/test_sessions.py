"""A user sees where they are signed in and ends a session from another browser (issue 10.3)."""

from django.conf import settings
from django.test import Client

from ketnoi.demo import DEMO_PASSWORD
from ketnoi.orgs.models import SignedInSession
from ketnoi.orgs.sessions import sweep


def _browser(agent: str) -> Client:
    browser = Client(HTTP_USER_AGENT=agent)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert browser.post("/login/", {"username": "bientap", "password": DEMO_PASSWORD}).status_code == 302
    return browser


def test_sessions_are_listed_and_another_one_can_be_ended(users):
    office, phone = _browser("Firefox on the office PC"), _browser("Chromium on a phone")
    page = office.get("/account/sessions/").content.decode()
    assert "Firefox on the office PC" in page and "Chromium on a phone" in page and "this browser" in page
    other = SignedInSession.objects.get(user=users["bientap"], user_agent="Chromium on a phone")
    response = office.post("/account/sessions/", {"session": other.pk})
    assert response.status_code == 302
    assert phone.get("/content/").status_code == 302  # the phone is signed out
    assert office.get("/content/").status_code == 200
    assert not SignedInSession.objects.filter(pk=other.pk).exists()


def test_nobody_ends_someone_elses_session_or_their_own_current_one(users):
    mine = _browser("mine")
    theirs = Client(HTTP_USER_AGENT="theirs")
    theirs.post("/login/", {"username": "dichthuat", "password": DEMO_PASSWORD})
    record = SignedInSession.objects.get(user=users["dichthuat"])
    assert mine.post("/account/sessions/", {"session": record.pk}).status_code == 404
    assert theirs.get("/content/").status_code == 200
    current = SignedInSession.objects.get(user=users["bientap"])
    assert mine.post("/account/sessions/", {"session": current.pk}).status_code == 404
    assert mine.post("/account/sessions/", {"session": "x"}).status_code == 404


def test_sign_out_everywhere_else_and_the_sweep(users):
    keep, *others = [_browser(f"browser {i}") for i in range(3)]
    response = keep.post("/account/sessions/", {"action": "others"}, follow=True)
    assert "2 other sessions ended." in response.content.decode()
    assert all(o.get("/content/").status_code == 302 for o in others)
    assert SignedInSession.objects.filter(user=users["bientap"]).count() == 1
    keep.post("/logout/")
    assert not SignedInSession.objects.filter(user=users["bientap"]).exists()
    _browser("left open")
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()  # expired and swept by Django
    assert sweep() >= 1 and not SignedInSession.objects.exists()
