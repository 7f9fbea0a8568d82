"""Two-factor sign-in (issue 10.3): required roles reach nothing until they turn it on; the session
is signed in only after the code; recovery codes work once; a wrong code slows down like a wrong
password."""

import time

import pytest
from django.test import Client as DjangoClient
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketnoi.demo import DEMO_PASSWORD

REQUIRED = ["system_admin", "coordinator", "auditor"]


@pytest.fixture
def required_roles(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = REQUIRED
    return settings


def Client():  # noqa: N802 (a browser in English, as the messages below are)
    from django.conf import settings
    from django.test import Client as DjangoClient

    browser = DjangoClient()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _sign_in(client: DjangoClient, username: str):
    return client.post("/login/", {"username": username, "password": DEMO_PASSWORD})


def _turn_on(client: DjangoClient, user) -> list[str]:
    page = client.get("/account/two-factor/").content.decode()
    assert "<svg" in page and 'id="tf-secret"' in page  # the QR code is drawn here, no outside host
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post("/account/two-factor/", {"action": "confirm", "token": "000000"})
    assert wrong.status_code == 422 and "not right" in wrong.content.decode()
    response = client.post("/account/two-factor/", {"action": "confirm", "token": _code(device)})
    assert response.status_code == 200
    page = response.content.decode()
    codes = [line.split("<code>")[1].split("</code>")[0] for line in page.split("<li>") if "<code>" in line]
    return [c for c in codes if "-" in c]


def test_a_required_role_reaches_nothing_until_it_turns_two_factor_on(required_roles, users, client):
    coordinator = users["dieuphoi"]
    assert _sign_in(client, "dieuphoi").status_code == 302
    response = client.get("/programmes/")
    assert response.status_code == 302 and response["Location"] == "/account/two-factor/"
    api = client.get("/api/v1/tasks")
    assert api.status_code == 403 and api["Content-Type"].startswith("application/problem+json")
    codes = _turn_on(client, coordinator)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/programmes/").status_code == 200  # the session that turned it on is verified

    refused = client.post(
        "/account/two-factor/",
        {"action": "disable", "token": _code(TOTPDevice.objects.get(user=coordinator), 1)},
    )
    assert refused.status_code == 422 and TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()


def test_the_second_step_signs_the_session_in_and_recovery_codes_work_once(required_roles, users):
    first = Client()
    _sign_in(first, "dieuphoi")
    codes = _turn_on(first, users["dieuphoi"])

    browser = Client()
    response = _sign_in(browser, "dieuphoi")
    assert response.status_code == 302 and response["Location"] == "/login/code/"
    assert browser.get("/programmes/").status_code == 302  # not signed in yet: to the sign-in page
    assert "/login/" in browser.get("/programmes/")["Location"]
    wrong = browser.post("/login/code/", {"token": "123456"})
    assert wrong.status_code == 401
    signed = browser.post("/login/code/", {"token": codes[0]})
    assert signed.status_code == 302 and browser.get("/programmes/").status_code == 200

    again = Client()
    _sign_in(again, "dieuphoi")
    assert again.post("/login/code/", {"token": codes[0]}).status_code == 401  # used up
    device = TOTPDevice.objects.get(user=users["dieuphoi"], confirmed=True)
    assert device.throttling_failure_count > 0  # django-otp slows guessing too (1 s, 2 s, 4 s … after misses)
    device.throttle_reset()
    assert again.post("/login/code/", {"token": _code(device, 1)}).status_code == 302


def test_a_session_without_the_second_factor_is_ended(required_roles, users):
    browser = Client()
    _sign_in(browser, "dieuphoi")
    _turn_on(browser, users["dieuphoi"])
    other = Client()
    other.force_login(users["dieuphoi"])  # a session that never gave a code
    response = other.get("/programmes/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert other.get("/programmes/").status_code == 302


def test_an_optional_user_can_turn_it_on_and_off(required_roles, users):
    browser = Client()
    _sign_in(browser, "bientap")
    assert browser.get("/content/").status_code == 200  # not required for an editor
    _turn_on(browser, users["bientap"])
    device = TOTPDevice.objects.get(user=users["bientap"], confirmed=True)
    response = browser.post("/account/two-factor/", {"action": "disable", "token": _code(device, 1)})
    assert response.status_code == 302 and not TOTPDevice.objects.filter(user=users["bientap"]).exists()


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client):
    response = client.get("/login/code/")
    assert response.status_code == 302 and response["Location"] == "/login/"
