"""Sign-in that slows guessing without locking anyone out (issue 11.9): progressive waits per account
and address, wider counters that skip the owner's known browser, the owner told once, self-service
password change and reset by e-mail, and the demo password refused in production."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from ketnoi.core import ratelimit
from ketnoi.core.models import AuditEntry
from ketnoi.demo import DEMO_PASSWORD
from ketnoi.notifications.models import Notification

WRONG = "not-the-password"
NEW_PASSWORD = "Núi-rừng-Tây-Bắc-2026"


class Clock:
    def __init__(self):
        self.now = 1_900_000_000.0

    def time(self):
        return self.now


@pytest.fixture(autouse=True)
def clock(db, settings, monkeypatch):
    cache.clear()
    settings.LOGIN_THROTTLE = {
        "free_failures": 3,
        "account_free_failures": 20,
        "address_free_failures": 50,
        "base_delay_seconds": 2,
        "max_delay_seconds": 900,
        "window_seconds": 3600,
        "known_browser_days": 180,
    }
    fake = Clock()
    monkeypatch.setattr(ratelimit, "time", fake)
    yield fake
    cache.clear()


def _sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_waits_grow_for_the_pair_and_the_right_password_waits_too(clock):
    guesser = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(2):
        assert _sign_in(guesser, "xa.tavan", WRONG).status_code == 401
    third = _sign_in(guesser, "xa.tavan", WRONG)
    assert third.status_code == 401  # the third failure starts the wait
    refused = _sign_in(guesser, "xa.tavan", DEMO_PASSWORD)
    assert refused.status_code == 429 and refused["Retry-After"] == "2"
    assert "Hãy thử lại sau 2 giây" in refused.content.decode()  # Vietnamese first
    assert "_auth_user_id" not in guesser.session

    clock.now += 2
    assert _sign_in(guesser, "xa.tavan", WRONG).status_code == 401  # the fourth failure: 4 s
    assert _sign_in(guesser, "xa.tavan", DEMO_PASSWORD)["Retry-After"] == "4"
    clock.now += 4
    assert _sign_in(guesser, "xa.tavan", WRONG).status_code == 401
    assert _sign_in(guesser, "xa.tavan", WRONG)["Retry-After"] == "8"
    clock.now += 8
    assert _sign_in(guesser, "xa.tavan", DEMO_PASSWORD).status_code == 302  # waited: the right password works


def test_the_wait_never_reaches_the_owner_elsewhere_or_colleagues_behind_the_same_address():
    shared_nat = Client(REMOTE_ADDR="10.0.0.8")
    for _ in range(6):
        _sign_in(shared_nat, "xa.tavan", WRONG)
    assert _sign_in(shared_nat, "xa.tavan", DEMO_PASSWORD).status_code == 429
    colleague = Client(REMOTE_ADDR="10.0.0.8")
    assert _sign_in(colleague, "xa.dongvan", DEMO_PASSWORD).status_code == 302
    owner_at_home = Client(REMOTE_ADDR="10.7.7.7")
    assert _sign_in(owner_at_home, "xa.tavan", DEMO_PASSWORD).status_code == 302


def test_an_address_spraying_many_accounts_slows_down_but_not_a_known_browser(settings, users):
    settings.LOGIN_THROTTLE = {**settings.LOGIN_THROTTLE, "address_free_failures": 5}
    owner = Client(REMOTE_ADDR="10.0.0.9")
    assert _sign_in(owner, "xa.tavan", DEMO_PASSWORD).status_code == 302  # this browser is now known
    assert owner.cookies[ratelimit.KNOWN_BROWSER_COOKIE]["httponly"]
    owner.post("/logout/")
    sprayer = Client(REMOTE_ADDR="10.0.0.9")
    for index in range(5):
        assert _sign_in(sprayer, f"nobody{index}", WRONG).status_code == 401
    assert _sign_in(sprayer, "xa.dongvan", DEMO_PASSWORD).status_code == 429
    assert _sign_in(owner, "xa.tavan", DEMO_PASSWORD).status_code == 302


def test_many_addresses_on_one_account_slow_strangers_not_the_owners_browser(settings):
    settings.LOGIN_THROTTLE = {**settings.LOGIN_THROTTLE, "account_free_failures": 4}
    owner = Client(REMOTE_ADDR="10.1.0.1")
    assert _sign_in(owner, "xa.tavan", DEMO_PASSWORD).status_code == 302
    owner.post("/logout/")
    for index in range(4):
        assert _sign_in(Client(REMOTE_ADDR=f"10.2.0.{index}"), "xa.tavan", WRONG).status_code == 401
    assert _sign_in(Client(REMOTE_ADDR="10.2.0.99"), "xa.tavan", DEMO_PASSWORD).status_code == 429
    assert _sign_in(owner, "xa.tavan", DEMO_PASSWORD).status_code == 302


def test_a_forged_known_browser_cookie_counts_for_nothing(settings):
    settings.LOGIN_THROTTLE = {**settings.LOGIN_THROTTLE, "account_free_failures": 2}
    for index in range(2):
        _sign_in(Client(REMOTE_ADDR=f"10.3.0.{index}"), "xa.tavan", WRONG)
    forger = Client(REMOTE_ADDR="10.3.0.50")
    forger.cookies[ratelimit.KNOWN_BROWSER_COOKIE] = '["' + ratelimit.account_key("xa.tavan") + '"]'
    assert _sign_in(forger, "xa.tavan", DEMO_PASSWORD).status_code == 429


def test_the_owner_is_told_once_per_window(users, clock, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    for address in ("10.4.0.1", "10.4.0.2"):
        guesser = Client(REMOTE_ADDR=address)
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                _sign_in(guesser, "xa.tavan", WRONG)
    told = Notification.objects.filter(recipient=users["xa.tavan"], kind="sign_in_failures")
    assert told.count() == 1
    note = told.get()
    assert "10.4.0.1" in note.body and note.link == "/account/password/"
    assert [m.to for m in mail.outbox] == [[users["xa.tavan"].email]]
    assert not Notification.objects.filter(kind="sign_in_failures").exclude(recipient=users["xa.tavan"]).exists()
    clock.now += 3600  # the next window: told again if it goes on
    cache.clear()
    for _ in range(3):
        _sign_in(Client(REMOTE_ADDR="10.4.0.3"), "xa.tavan", WRONG)
    assert told.count() == 2


def test_failures_are_audited_with_their_reason():
    before = AuditEntry.objects.filter(action="login_failed").count()
    _sign_in(Client(REMOTE_ADDR="10.5.0.1"), "xa.tavan", WRONG)
    entry = AuditEntry.objects.filter(action="login_failed").order_by("-pk").first()
    assert AuditEntry.objects.filter(action="login_failed").count() == before + 1
    assert entry.after == {"reason": "wrong password"} and entry.ip_address == "10.5.0.1"


# ---- passwords ---------------------------------------------------------------------------


def test_password_change_keeps_what_was_typed_wrong_then_works(client, users):
    assert _sign_in(client, "xa.tavan", DEMO_PASSWORD).status_code == 302
    page = client.get("/").content.decode()
    assert 'href="/account/password/"' in page
    wrong_old = client.post(
        "/account/password/",
        {"old_password": WRONG, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong_old.status_code == 200
    assert 'role="alert"' in wrong_old.content.decode()
    assert 'name="old_password"' in wrong_old.content.decode()
    mismatch = client.post(
        "/account/password/",
        {"old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    )
    assert mismatch.status_code == 200
    done = client.post(
        "/account/password/",
        {"old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done["Location"] == "/account/password/done/"
    assert client.get("/account/password/done/").status_code == 200  # still signed in
    assert _sign_in(Client(), "xa.tavan", DEMO_PASSWORD).status_code == 401
    assert _sign_in(Client(), "xa.tavan", NEW_PASSWORD).status_code == 302
    changed = AuditEntry.objects.filter(model="orgs.user", object_pk=str(users["xa.tavan"].pk), action="update")
    assert any("password" in (entry.after or {}) for entry in changed)


def test_password_change_needs_a_session(client):
    response = client.get("/account/password/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def _reset_link() -> str:
    (message,) = mail.outbox
    return re.search(r"https?://[^/\s]+(/account/reset/\S+/)", message.body).group(1)


def test_password_reset_by_e_mail_from_the_sign_in_page(client, users, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    assert 'href="/account/reset/"' in client.get("/login/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/account/reset/", {"email": users["xa.tavan"].email})
    assert sent.status_code == 302 and sent["Location"] == "/account/reset/sent/"
    assert mail.outbox[0].to == [users["xa.tavan"].email]
    link = _reset_link()
    form = client.get(link, follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    too_short = client.post(set_url, {"new_password1": "ngan", "new_password2": "ngan"})
    assert too_short.status_code == 200 and 'role="alert"' in too_short.content.decode()
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/login/"
    assert _sign_in(Client(), "xa.tavan", NEW_PASSWORD).status_code == 302
    used = client.get(link, follow=True).content.decode()
    assert "not valid any more" in used  # a link works once


def test_password_reset_tells_nothing_about_unknown_addresses_and_is_rate_limited(
    client, users, settings, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post("/account/reset/", {"email": "khong-ai@example.invalid"})
    assert unknown.status_code == 302 and unknown["Location"] == "/account/reset/sent/"
    assert mail.outbox == []
    settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 2
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/account/reset/", {"email": users["xa.tavan"].email}).status_code == 302
    assert len(mail.outbox) == 1  # the first request above was the unknown address


def test_the_demo_password_cannot_sign_in_or_be_chosen_in_production(client, settings, users):
    settings.PRODUCTION = True
    refused = _sign_in(client, "xa.tavan", DEMO_PASSWORD)
    assert refused.status_code == 403
    assert "demo password" in refused.content.decode()  # the client fixture reads English
    assert "_auth_user_id" not in client.session
    users["xa.dongvan"].set_password(NEW_PASSWORD)
    users["xa.dongvan"].save()
    assert _sign_in(client, "xa.dongvan", NEW_PASSWORD).status_code == 302
    again = client.post(
        "/account/password/",
        {"old_password": NEW_PASSWORD, "new_password1": DEMO_PASSWORD, "new_password2": DEMO_PASSWORD},
    )
    assert again.status_code == 200 and "published demo password" in again.content.decode()
    settings.PRODUCTION = False
    assert _sign_in(Client(), "xa.tavan", DEMO_PASSWORD).status_code == 302
