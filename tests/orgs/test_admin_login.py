"""The admin has no sign-in of its own (issue 11.1): /admin/login/ leads to the site's sign-in page,
whose lockout and audit apply to everyone; a locked account cannot sign in on any path."""

import importlib

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory, override_settings
from django.urls import clear_url_caches

from ketnoi.core.models import AuditEntry
from ketnoi.core.ratelimit import login_failed
from ketnoi.demo import DEMO_PASSWORD


def test_admin_login_is_the_sites_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/orgs/user/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fadmin%2Forgs%2Fuser%2F"
    # A post with a password to the admin's old sign-in signs nobody in.
    client.post("/admin/login/", {"username": "dieuphoi", "password": DEMO_PASSWORD})
    assert "_auth_user_id" not in client.session


def test_admin_login_keeps_next_on_this_site(client):
    assert client.get("/admin/login/?next=//evil.example/").headers["Location"] == "/login/?next=%2Fadmin%2F"


def test_a_locked_account_cannot_authenticate_anywhere(users, settings):
    settings.LOGIN_THROTTLE = {**settings.LOGIN_THROTTLE, "free_failures": 2}
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="10.9.8.7")
    assert authenticate(request, username="dieuphoi", password=DEMO_PASSWORD) is not None
    for _ in range(2):
        login_failed("dieuphoi", "10.9.8.7")
    assert authenticate(request, username="dieuphoi", password=DEMO_PASSWORD) is None


def test_sign_in_through_the_site_is_audited_for_admin_users(client, db):
    before = AuditEntry.objects.filter(action="login").count()
    response = client.post("/login/?next=/admin/", {"username": "dieuphoi", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert AuditEntry.objects.filter(action="login").count() == before + 1


@pytest.mark.parametrize(("enabled", "status"), [(False, 404), (True, 302)])
def test_admin_site_can_be_switched_off(client, enabled, status):
    import ketnoi.urls

    try:
        with override_settings(ADMIN_ENABLED=enabled):
            importlib.reload(ketnoi.urls)
            clear_url_caches()
            assert client.get("/admin/").status_code == status
    finally:
        importlib.reload(ketnoi.urls)
        clear_url_caches()
