"""The scoping matrix: officers of one province can neither read nor change another province's data,
through any page or API endpoint. Every URL of the product must appear here (see the last test),
so a new endpoint cannot be added without saying how it is scoped.

The other province's data is Lào Cai's (province 15): the villages of Xã Tả Van (03037), its
officers, its audit trail. The intruders are officers of Tuyên Quang (08).
"""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver

from ketnoi.core.models import AuditEntry
from ketnoi.geo.models import Village
from ketnoi.orgs.services import token_create

INTRUDERS = ["xa.dongvan", "tinh.tuyenquang"]
LAO_CAI_VILLAGE = "Bản Lao Chải"
LAO_CAI_USERS = ["tinh.laocai", "xa.tavan"]


@pytest.fixture
def target(db):
    return Village.objects.get(name=LAO_CAI_VILLAGE)


@pytest.fixture
def api(client, users):
    """api(username) → a function (method, path, **kw) calling the API with that user's bearer token."""

    def _for(username):
        _token, key = token_create(user=users[username], name="matrix")

        def call(method, path, data=None, **extra):
            kwargs = {"HTTP_AUTHORIZATION": f"Bearer {key}", **extra}
            multipart = isinstance(data, dict) and any(hasattr(v, "read") for v in data.values())
            if method == "get" or multipart:
                return getattr(client, method)(path, data, **kwargs)
            body = json.dumps(data) if data is not None else ""
            return getattr(client, method)(path, body, content_type="application/json", **kwargs)

        return call

    return _for


def _text(response) -> str:
    return response.content.decode()


def _village_csv(name="Thôn Xâm Nhập"):
    return SimpleUploadedFile("v.csv", f"commune_code,name\n03037,{name}\n".encode())


# ---- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_pages_do_not_show_or_change_another_provinces_villages(login, intruder, target):
    client = login(intruder)
    assert LAO_CAI_VILLAGE not in _text(client.get("/villages/"))
    assert LAO_CAI_VILLAGE not in _text(client.get("/villages/", {"q": "lao chai"}))
    page = client.get("/units/current/commune/03037/")
    assert page.status_code == 200  # the unit itself is public reference data
    assert LAO_CAI_VILLAGE not in _text(page) and "/villages/new/" not in _text(page)
    assert client.get("/units/current/commune/03037/villages/new/").status_code == 404
    response = client.post("/units/current/commune/03037/villages/new/", {"name": "Thôn Xâm Nhập", "kind": "thon"})
    assert response.status_code == 404
    assert client.get(f"/villages/{target.pk}/edit/").status_code == 404
    response = client.post(f"/villages/{target.pk}/edit/", {"name": "Đổi Tên", "kind": "thon"})
    assert response.status_code == 404
    assert client.post(f"/villages/{target.pk}/delete/").status_code == 404
    response = client.post("/villages/import/", {"file": _village_csv()})
    assert response.status_code == 422 and "outside your area" in _text(response)
    target.refresh_from_db()
    assert target.name == LAO_CAI_VILLAGE
    assert not Village.objects.filter(name="Thôn Xâm Nhập").exists()


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_pages_do_not_list_another_provinces_users_or_audit(login, intruder, users):
    client = login(intruder)
    listing = _text(client.get("/users/"))
    for name in LAO_CAI_USERS:
        assert f"<td>{name}</td>" not in listing
    assert client.get("/audit/").status_code == 403


def test_owners_can_do_what_intruders_cannot(login, target):
    """Positive control: the same URLs work for Lào Cai's own officers."""
    client = login("xa.tavan")
    assert LAO_CAI_VILLAGE in _text(client.get("/villages/"))
    assert client.get(f"/villages/{target.pk}/edit/").status_code == 200
    response = client.post(f"/villages/{target.pk}/edit/", {"name": "Bản Lao Chải Mới", "kind": "ban"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.name == "Bản Lao Chải Mới"
    assert "<td>xa.tavan</td>" in _text(login("tinh.laocai").get("/users/"))


def test_auditor_sees_only_the_audit_of_their_area(login, users, target):
    from ketnoi.orgs.models import User
    from ketnoi.orgs.services import role_grant

    auditor = User.objects.create_user("kiemtoan.tq", password="x" * 12)
    from ketnoi.geo.models import AdminUnit

    role_grant(
        user=auditor, role="auditor", unit=AdminUnit.objects.get(structure="current", level="province", code="08")
    )
    client = login("xa.tavan")
    client.post(f"/villages/{target.pk}/edit/", {"name": "Bản Lao Chải Hai", "kind": "ban"})
    entry = AuditEntry.objects.filter(model="geo.village", object_pk=str(target.pk), action="update").first()
    assert entry is not None
    client.force_login(auditor)
    assert "Bản Lao Chải Hai" not in _text(client.get("/audit/"))
    assert "Bản Lao Chải Hai" in _text(login("kiemtoan").get("/audit/"))


# ---- API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_api_does_not_show_or_change_another_provinces_villages(api, intruder, target):
    call = api(intruder)
    listing = call("get", "/api/v1/villages").json()
    assert LAO_CAI_VILLAGE not in json.dumps(listing, ensure_ascii=False)
    assert call("get", "/api/v1/villages", {"commune": "03037"}).json()["count"] == 0
    assert call("get", f"/api/v1/villages/{target.pk}").status_code == 404
    created = call("post", "/api/v1/villages", {"commune_code": "03037", "name": "Thôn Xâm Nhập"})
    assert created.status_code == 403
    assert created["Content-Type"] == "application/problem+json"
    assert call("patch", f"/api/v1/villages/{target.pk}", {"name": "Đổi Tên"}).status_code == 404
    assert call("delete", f"/api/v1/villages/{target.pk}").status_code == 404
    imported = call("post", "/api/v1/villages/import", {"file": _village_csv()})
    assert imported.status_code == 422 and "outside your area" in imported.json()["detail"]
    classified = call(
        "post",
        "/api/v1/classification/2021-2025/import",
        {"file": SimpleUploadedFile("c.csv", b"commune_code,area\n03040,I\n")},
    )
    assert classified.status_code == 422
    target.refresh_from_db()
    assert target.name == LAO_CAI_VILLAGE
    assert not Village.objects.filter(name="Thôn Xâm Nhập").exists()


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_api_does_not_list_another_provinces_users_audit_or_tokens(api, intruder, users):
    call = api(intruder)
    names = [u["username"] for u in call("get", "/api/v1/users").json()["items"]]
    assert not set(names) & set(LAO_CAI_USERS)
    assert call("get", "/api/v1/audit").status_code == 403
    _token, _key = token_create(user=users["xa.tavan"], name="owner's")
    assert call("delete", f"/api/v1/tokens/{_token.prefix}").status_code == 404
    assert call("get", "/api/v1/me").json()["username"] == intruder


def test_api_owner_positive_control(api, target):
    call = api("xa.tavan")
    assert call("get", f"/api/v1/villages/{target.pk}").json()["name"] == LAO_CAI_VILLAGE
    response = call("patch", f"/api/v1/villages/{target.pk}", {"households": 211})
    assert response.status_code == 200 and response.json()["households"] == 211


# ---- anonymous -----------------------------------------------------------------------------

PUBLIC = {
    "login/",
    "account/reset/",
    "account/reset/sent/",
    "account/reset/<uidb64>/<token>/",
    "healthz",
    "i18n/setlang/",
    "api/v1/openapi.json",
    "api/v1/docs",
    "api/v1/",
    "api/v1/portal/items",
    "api/v1/portal/answers",  # the public portal's published content
    "inbox/receive/<str:platform>/",  # providers post here; the adapter checks token or signature (tests/inbox)
}

BOARD_DEVICE_ROUTES = {"boards/kiosk/", "boards/feed.json", "boards/heartbeat", "boards/displayed"}


def _routes():
    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return sorted({route for route in walk(get_resolver()) if not route.startswith("admin/")})


def _concrete(route: str, village_id: int) -> str:
    return "/" + (
        route.replace("<str:structure>/<str:level>/<str:code>", "current/commune/03037")
        .replace("<structure>/<level>/<code>", "current/commune/03037")
        .replace("<int:pk>", str(village_id))
        .replace("<int:village_id>", str(village_id))
        .replace("<str:code>", "03037")
        .replace("<code>", "08")
        .replace("<period>", "2021-2025")
        .replace("<str:prefix>", "kn_xxxxxxx")
        .replace("<prefix>", "kn_xxxxxxx")
    )


def _filled(route: str, village_id: int) -> str:
    """_concrete, then any other typed parameter of later apps: ints become an id, slugs a code."""
    path = _concrete(route, village_id)
    path = re.sub(r"<int:\w+>", str(village_id), path)
    path = re.sub(r"<(?:slug|str):\w+>", "x", path)
    return re.sub(r"<\w+>", "x", path)


@pytest.mark.parametrize("route", _routes())
def test_every_private_url_needs_sign_in(client, route, target):
    if route in PUBLIC or route == "logout/" or route.startswith("p/") or route in ("robots.txt", "sitemap.xml"):
        return  # public: the sign-in pages, the API description and the public portal (tests/portal)
    if (
        route in BOARD_DEVICE_ROUTES
    ):  # authenticated by the board's token, not a session (tests/channels/test_boards.py)
        for method in ("get", "post"):
            response = getattr(client, method)("/" + route)
            assert response.status_code in (401, 405), (method, route, response.status_code)
        return
    if route == "boards/sw.js":
        return  # the kiosk's service worker: a static script, no data
    path = _filled(route, target.pk)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if response.status_code == 405:
            continue
        if route.startswith("api/"):
            assert response.status_code == 401, (method, path, response.status_code)
            assert response["Content-Type"] == "application/problem+json"
        else:
            assert response.status_code in (302, 403), (method, path, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/login/")


# Every route and the test above that covers it for a user of another province.
MATRIX = {
    "": "reads only counts",
    "healthz": "public",
    "login/": "public",
    "logout/": "own session",
    "account/two-factor/": "own account (tests/orgs/test_two_factor.py)",
    "account/sessions/": "own sessions only (tests/orgs/test_sessions.py)",
    "login/code/": "the session's own pending sign-in (tests/orgs/test_two_factor.py)",
    "account/password/": "own account (tests/orgs/test_signin_throttle.py)",
    "account/password/done/": "own account",
    "account/reset/": "public, answers the same for every address",
    "account/reset/sent/": "public",
    "account/reset/<uidb64>/<token>/": "public, the signed token is the proof",
    "i18n/setlang/": "public",
    "api/v1/": "public",
    "api/v1/openapi.json": "public",
    "api/v1/docs": "public",
    "agencies/": "public reference",
    "agencies/<str:code>/": "public reference; POST (office holders): tests/orgs/test_office_holders.py",
    "units/": "public reference",
    "units/<str:structure>/<str:level>/<str:code>/": "pages test",
    "units/current/commune/<str:code>/villages/new/": "pages test",
    "villages/": "pages test",
    "villages/import/": "pages test",
    "villages/<int:pk>/edit/": "pages test",
    "villages/<int:pk>/delete/": "pages test",
    "users/": "users test",
    "audit/": "users test",
    "tokens/": "own tokens",
    "tokens/<str:prefix>/revoke/": "own tokens (get_object_or_404 by user)",
    "ethnic-groups/": "public reference",
    "ethnic-groups/<str:code>/": "public reference",
    "languages/": "public reference",
    "api/v1/units": "public reference",
    "api/v1/units/<structure>/<level>/<code>": "public reference",
    "api/v1/units/<structure>/<level>/<code>/crosswalk": "public reference",
    "api/v1/units/<structure>/<level>/<code>/classification": "public reference",
    "api/v1/classification/<period>/import": "api test",
    "api/v1/villages": "api test",
    "api/v1/villages/<int:village_id>": "api test",
    "api/v1/villages/import": "api test",
    "api/v1/ethnic-groups": "public reference",
    "api/v1/ethnic-groups/<code>": "public reference",
    "api/v1/ethnic-group-sets": "public reference",
    "api/v1/languages": "public reference",
    "api/v1/agencies": "public reference",
    "api/v1/agencies/<code>": "public reference",
    "api/v1/me": "own account",
    "api/v1/users": "api test",
    "api/v1/audit": "api test",
    "api/v1/tokens": "own tokens",
    "api/v1/tokens/<prefix>": "api test",
    "robots.txt": "public portal (site root alias)",
    "sitemap.xml": "public portal (site root alias)",
}


def _all_entries() -> dict[str, str]:
    """MATRIX plus every tests/<app>/matrix_entries.py MATRIX (each app lists its own URLs)."""
    import importlib
    from pathlib import Path

    entries = dict(MATRIX)
    for path in sorted(Path(__file__).resolve().parent.parent.glob("*/matrix_entries.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.matrix_entries")
        entries.update(module.MATRIX)
    return entries


def test_matrix_covers_every_url():
    entries = _all_entries()
    missing = sorted(set(_routes()) - set(entries))
    stale = sorted(set(entries) - set(_routes()))
    assert not missing, f"add these URLs to a matrix_entries.py with the test that proves their scoping: {missing}"
    assert not stale, f"these matrix entries name URLs that no longer exist: {stale}"
