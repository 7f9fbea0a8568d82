"""The notification pages and API: a user's own notifications only; another user's answer 404."""

import json

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from ketnoi.notifications.models import Notification
from ketnoi.orgs.services import token_create

INTRUDERS = ["xa.dongvan", "tinh.tuyenquang"]


@pytest.fixture
def lao_cai(deliver):
    """A notification of Lào Cai's commune officer (xa.tavan)."""
    return deliver("xa.tavan", "lao-cai:1", kind="report_overdue")


@pytest.fixture
def api(client, users):
    def _for(username):
        _token, key = token_create(user=users[username], name="notifications")

        def call(method, path, data=None):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
            if method == "get":
                return client.get(path, data, **headers)
            return getattr(client, method)(path, json.dumps(data or {}), content_type="application/json", **headers)

        return call

    return _for


def test_list_shows_unread_first_and_marks_read(login, deliver):
    older = deliver("xa.tavan", "p:1", kind="report_due_soon")
    newer = deliver("xa.tavan", "p:2", kind="report_overdue")
    Notification.objects.filter(pk=newer.pk).update(read_at=older.created_at)
    client = login("xa.tavan")
    page = client.get("/notifications/").content.decode()
    assert page.index(older.subject) < page.index(newer.subject)  # unread before read
    assert f'action="/notifications/{older.pk}/read/"' in page
    response = client.post(f"/notifications/{older.pk}/read/", {"next": "/notifications/?unread=1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?unread=1"
    older.refresh_from_db()
    assert older.read_at is not None
    assert older.subject not in client.get("/notifications/?unread=1").content.decode()


def test_open_marks_read_and_follows_the_link_but_never_off_site(login, deliver):
    notification = deliver("xa.tavan", "open:1")
    client = login("xa.tavan")
    response = client.post(f"/notifications/{notification.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    Notification.objects.filter(pk=notification.pk).update(link="//evil.example/")
    response = client.post(f"/notifications/{notification.pk}/read/", {"open": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"


def test_mark_all_read(login, deliver, users):
    for i in range(3):
        deliver("xa.tavan", f"all:{i}")
    other = deliver("tinh.laocai", "all:0")
    client = login("xa.tavan")
    assert client.get("/notifications/read-all/").status_code == 405  # a change needs POST
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=users["xa.tavan"], read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None  # someone else's are untouched


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_pages_do_not_show_or_change_another_users_notifications(login, intruder, lao_cai):
    client = login(intruder)
    assert lao_cai.subject not in client.get("/notifications/").content.decode()
    assert client.post(f"/notifications/{lao_cai.pk}/read/").status_code == 404
    client.post("/notifications/read-all/")
    lao_cai.refresh_from_db()
    assert lao_cai.read_at is None


def test_even_a_superuser_cannot_read_someone_elses(login, lao_cai):
    client = login("admin")
    assert client.post(f"/notifications/{lao_cai.pk}/read/").status_code == 404
    assert lao_cai.subject not in client.get("/notifications/").content.decode()


def test_owner_positive_control_pages(login, lao_cai):
    client = login("xa.tavan")
    assert lao_cai.subject in client.get("/notifications/").content.decode()
    assert client.post(f"/notifications/{lao_cai.pk}/read/").status_code == 302
    lao_cai.refresh_from_db()
    assert lao_cai.read_at is not None


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_api_does_not_show_or_change_another_users_notifications(api, intruder, lao_cai):
    call = api(intruder)
    listing = call("get", "/api/v1/notifications").json()
    assert lao_cai.pk not in [item["id"] for item in listing["items"]]
    for method, path in (
        ("get", f"/api/v1/notifications/{lao_cai.pk}"),
        ("post", f"/api/v1/notifications/{lao_cai.pk}/read"),
    ):
        response = call(method, path)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    call("post", "/api/v1/notifications/read-all")
    lao_cai.refresh_from_db()
    assert lao_cai.read_at is None


def test_api_owner_positive_control(api, lao_cai, deliver):
    deliver("xa.tavan", "api:2")
    call = api("xa.tavan")
    listing = call("get", "/api/v1/notifications", {"unread": "true"}).json()
    ids = [item["id"] for item in listing["items"]]
    assert lao_cai.pk in ids and listing["count"] >= 2
    item = call("get", f"/api/v1/notifications/{lao_cai.pk}").json()
    assert item["subject"] == lao_cai.subject and item["read_at"] is None and item["kind"] == "report_overdue"
    marked = call("post", f"/api/v1/notifications/{lao_cai.pk}/read").json()
    assert marked["read_at"] is not None
    assert lao_cai.pk not in [i["id"] for i in call("get", "/api/v1/notifications", {"unread": "true"}).json()["items"]]
    result = call("post", "/api/v1/notifications/read-all").json()
    assert result["marked"] >= 1 and result["unread"] == 0


def test_api_bad_input(api):
    call = api("xa.tavan")
    assert call("get", "/api/v1/notifications/999999999").status_code == 404
    response = call("get", "/api/v1/notifications", {"unread": "perhaps"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "unread"


def test_badge_shows_the_unread_count(users, deliver):
    deliver("xa.tavan", "badge:1")
    deliver("xa.tavan", "badge:2")
    request = RequestFactory().get("/")
    request.user = users["xa.tavan"]
    template = Template("{% load notifications %}{% notification_badge %}")
    expected = Notification.objects.filter(recipient=users["xa.tavan"], read_at__isnull=True).count()
    html = template.render(Context({"request": request}))
    assert 'href="/notifications/"' in html and f"({expected} unread)" in html
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert template.render(Context({"request": request})).strip() == ""
