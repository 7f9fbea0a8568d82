"""Issue 11.6: hostile request bodies are 422 problems at the boundary, never server errors, on
SQLite and PostgreSQL alike (PostgreSQL refuses an over-long value, SQLite would store it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ketnoi.geo.models import Village
from ketnoi.orgs.models import ApiToken
from ketnoi.orgs.services import token_create


@pytest.fixture
def bearer(users):
    def _for(username):
        return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users[username], name='t')[1]}"}

    return _for


def _problem(response, status=422):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def _post(client, path, payload, headers, method="post"):
    return getattr(client, method)(path, payload, content_type="application/json", **headers)


@pytest.mark.parametrize("days", [10**9, -5, 0, 100000, None])
def test_token_lifetime_is_bounded(client, bearer, days):
    response = _post(client, "/api/v1/tokens", {"name": "integration", "days_valid": days}, bearer("xa.tavan"))
    body = _problem(response)
    assert body["errors"][0]["field"] == "days_valid"
    assert not ApiToken.objects.filter(name="integration").exists()


def test_token_within_the_maximum_lifetime_is_created(client, bearer, settings):
    response = _post(client, "/api/v1/tokens", {"name": "integration", "days_valid": 30}, bearer("xa.tavan"))
    assert response.status_code == 201
    expires = dt.datetime.fromisoformat(response.json()["expires_at"])
    assert dt.timedelta(days=29) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)


def test_token_service_refuses_a_lifetime_over_the_setting(users, settings):
    from django.core.exceptions import ValidationError

    settings.API_TOKEN_MAX_DAYS = 90
    with pytest.raises(ValidationError) as caught:
        token_create(user=users["xa.tavan"], name="long", days_valid=91)
    assert "days_valid" in caught.value.message_dict
    with pytest.raises(ValidationError):
        token_create(user=users["xa.tavan"], name="forever", days_valid=None)


def test_huge_ids_in_related_tasks_are_refused(client, bearer):
    payload = {"kind": "news", "title": "Tin có nhiệm vụ", "related_tasks": [10**20]}
    body = _problem(_post(client, "/api/v1/content/items", payload, bearer("bientap")))
    assert any((e["field"] or "").startswith("related_tasks") for e in body["errors"]), body


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "T" * 5000}, "name"),
        ({"name": "Thôn Dài", "code": "C" * 5000}, "code"),
        ({"name": "Thôn Đông", "households": 10**20}, "households"),
        ({"name": "Thôn Tây", "population": 2**40}, "population"),
    ],
)
def test_over_long_or_over_large_village_values_are_422(client, bearer, payload, field):
    body = _problem(_post(client, "/api/v1/villages", {"commune_code": "03037", **payload}, bearer("xa.tavan")))
    assert any((e["field"] or "").split(".")[0] == field for e in body["errors"]), body
    assert not Village.objects.filter(commune__code="03037", name=payload["name"]).exists()


def test_patching_a_village_with_an_over_long_code_is_422(client, bearer):
    village = Village.objects.filter(commune__code="03037").first()
    body = _problem(
        _post(client, f"/api/v1/villages/{village.pk}", {"code": "C" * 5000}, bearer("xa.tavan"), method="patch")
    )
    assert body["errors"][0]["field"] == "code"
    village.refresh_from_db()
    assert len(village.code) <= 20


def test_import_of_an_over_long_village_name_names_file_row_and_field(client, bearer):
    long_name = "Thôn " + "A" * 5000
    upload = SimpleUploadedFile("thon.csv", f"commune_code,name\n03037,Thôn Mới\n03037,{long_name}\n".encode())
    body = _problem(client.post("/api/v1/villages/import", {"file": upload}, **bearer("xa.tavan")))
    error = body["errors"][0]
    assert (error["file"], error["row"], error["field"]) == ("thon.csv", 3, "name")
    assert "200" in error["message"]
    assert not Village.objects.filter(name="Thôn Mới").exists()


def test_a_model_save_over_max_length_is_a_validation_error(db):
    """The shared guard: any model save through a service checks max_length and integer ranges."""
    from django.core.exceptions import ValidationError

    from ketnoi.geo.models import AdminUnit

    commune = AdminUnit.objects.get(structure="current", level="commune", code="03037")
    with pytest.raises(ValidationError) as caught:
        Village(commune=commune, name="x" * 201).save()
    assert "name" in caught.value.message_dict


def test_conflicts_are_problem_details(client, bearer):
    """A stale edit answers 409 as application/problem+json, with both texts."""
    headers = bearer("bientap")
    created = _post(client, "/api/v1/content/items", {"kind": "news", "title": "Tin ban đầu"}, headers)
    assert created.status_code == 201
    item = created.json()
    path = f"/api/v1/content/items/{item['id']}"
    first = _post(client, path, {"version": item["version"], "title": "Tin sửa một"}, headers, method="patch")
    assert first.status_code == 200
    stale = _post(client, path, {"version": item["version"], "title": "Tin sửa hai"}, headers, method="patch")
    body = _problem(stale, 409)
    assert body["status"] == 409 and body["yours"]["title"] == "Tin sửa hai"
