"""A write that loses a race on a unique constraint is a 409 that says so, never a 500 (issue 11.3)."""

from django.db import IntegrityError

from ketnoi.orgs.services import token_create
from ketnoi.programmes.models import ProgressReport


def _collide(*args, **kwargs):
    raise IntegrityError("UNIQUE constraint failed")


def test_api_write_that_lost_a_race_is_409_problem(client, users, monkeypatch):
    from ketnoi.indicators import services

    monkeypatch.setattr(services, "data_values_save", _collide)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users['xa.tumorong'], name='t')[1]}"}
    body = {"unit_code": "23425", "period": "2025M05", "values": {"ban_tin_dai_xa": 3}}
    response = client.post("/api/v1/data-values", body, content_type="application/json", **auth)
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/problem+json")
    assert "same moment" in response.json()["detail"]


def test_page_write_that_lost_a_race_is_409_page(login, monkeypatch):
    from ketnoi.programmes import services

    monkeypatch.setattr(services, "report_save", _collide)
    draft = ProgressReport.objects.get(programme__code="ctph-922-2024", period="2025Q2", unit_key="23425")
    response = login("xa.tumorong").post(
        f"/progress-reports/{draft.pk}/", {"action": "save", "version": draft.version, "narrative": "x"}
    )
    assert response.status_code == 409
    assert "same moment" in response.content.decode()
