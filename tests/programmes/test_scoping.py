"""Reports, assignments and data values of Lào Cai are invisible and unchangeable for Tuyên Quang."""

import pytest

from ketnoi.indicators.models import DataValue
from ketnoi.orgs.services import token_create
from ketnoi.programmes.models import ProgressReport, Task

INTRUDERS = ["xa.dongvan", "tinh.tuyenquang"]


@pytest.fixture
def bearer(users):
    return lambda name: {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users[name], name='t')[1]}"}


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_pages(login, intruder, programme, report):
    client = login(intruder)
    ta_van = report("03037")
    assert client.get(f"/progress-reports/{ta_van.pk}/").status_code == 404
    response = client.post(f"/progress-reports/{ta_van.pk}/", {"action": "unapprove", "reason": "x"})
    assert response.status_code == 404
    listing = client.get(f"/programmes/{programme.code}/reports/?period=2025Q2").content.decode()
    assert "Xã Tả Van" not in listing and "Tỉnh Lào Cai" not in listing
    task = Task.objects.get(programme=programme, code="1.3")
    assert "Xã Tả Van" not in client.get(f"/tasks/{task.pk}/").content.decode()
    assignment = task.assignments.get(unit__code="03037")
    client.post(
        f"/tasks/{task.pk}/", {"action": "assignment_status", "assignment": assignment.pk, "status": "cancelled"}
    )
    assignment.refresh_from_db()
    assert assignment.status == "done"
    response = client.post(f"/programmes/{programme.code}/reports/open/", {"period": "2025Q3", "unit_code": "03037"})
    assert response.status_code == 404
    export = client.get(f"/programmes/{programme.code}/reports/?format=csv").content.decode("utf-8-sig")
    assert "03037" not in export
    assert ProgressReport.objects.get(pk=ta_van.pk).state == "approved"


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_api(client, bearer, intruder, programme, report):
    auth = bearer(intruder)
    ta_van = report("03037")
    assert client.get(f"/api/v1/reports/{ta_van.pk}", **auth).status_code == 404
    for action in ("submit", "approve", "unapprove", "return"):
        response = client.post(
            f"/api/v1/reports/{ta_van.pk}/{action}", {"reason": "x"}, content_type="application/json", **auth
        )
        assert response.status_code == 404, action
    listed = client.get(f"/api/v1/programmes/{programme.code}/reports", **auth).json()
    assert all(item["unit_code"] not in ("03037", "15") for item in listed["items"])
    values = client.get("/api/v1/data-values", {"unit": "03037"}, **auth).json()
    assert values["count"] == 0
    saved = client.post(
        "/api/v1/data-values",
        {"unit_code": "03037", "period": "2026", "values": {"thon_tong_so": 1}},
        content_type="application/json",
        **auth,
    )
    assert saved.status_code == 403
    assert not DataValue.objects.filter(unit__code="03037", period="2026").exists()
    task = Task.objects.get(programme=programme, code="1.3")
    codes = [a["unit_code"] for a in client.get(f"/api/v1/tasks/{task.pk}/assignments", **auth).json()]
    assert "03037" not in codes and "15" not in codes
    rates = client.get(f"/api/v1/programmes/{programme.code}/reporting-rates", {"period": "2025Q2"}, **auth).json()
    assert "Tỉnh Lào Cai" not in [r["label"] for r in rates]


def test_owner_positive_control(client, bearer, report):
    auth = bearer("xa.tavan")
    assert client.get(f"/api/v1/reports/{report('03037').pk}", **auth).json()["state"] == "approved"
    assert client.get("/api/v1/data-values", {"unit": "03037"}, **auth).json()["count"] > 0
