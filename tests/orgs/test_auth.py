import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from ketnoi.orgs.services import token_create, token_revoke


@pytest.fixture(autouse=True)
def _fresh_counters(db):
    cache.clear()
    yield
    cache.clear()


def test_login_works_and_redirects_only_within_the_site(client):
    response = client.post(
        "/login/?next=https://evil.example/", {"username": "xa.tavan", "password": "ketnoi-demo-2025"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_forms_and_session_api_writes_need_csrf(users):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "xa.tavan", "password": "ketnoi-demo-2025"}).status_code == 403
    client.force_login(users["xa.tavan"])
    response = client.post(
        "/api/v1/villages", {"commune_code": "03037", "name": "Thôn CSRF"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)


def test_session_cookie_is_http_only(client):
    client.post("/login/", {"username": "xa.tavan", "password": "ketnoi-demo-2025"})
    assert client.cookies["sessionid"]["httponly"]


def test_bearer_tokens_authenticate_expire_and_revoke(client, users):
    token, key = token_create(user=users["xa.tavan"], name="integration")
    assert token.key_hash != key and key.startswith("kn_")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/me", **auth).json()["username"] == "xa.tavan"
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer kn_wrong").status_code == 401
    token.expires_at = timezone.now() - dt.timedelta(days=1)
    token.save()
    assert client.get("/api/v1/me", **auth).status_code == 401
    token.expires_at = None
    token.save()
    token_revoke(user=users["xa.tavan"], token=token)
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_token_page_shows_a_new_key_once(login):
    client = login("xa.tavan")
    page = client.post("/tokens/", {"name": "Báo cáo", "days_valid": 30}).content.decode()
    assert 'id="new-token">kn_' in page
    later = client.get("/tokens/").content.decode()
    assert 'id="new-token"' not in later and "Báo cáo" in later
