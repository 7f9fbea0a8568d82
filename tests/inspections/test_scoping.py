"""Tuyên Quang's officers can neither read nor change Lào Cai's inspections, through pages or the API."""

import datetime as dt

import pytest
from django.utils import timezone

from ketnoi.inspections import services
from ketnoi.inspections.models import Evidence, Finding, InspectionPlan, ItemResult, Visit
from ketnoi.programmes.models import Task

from .conftest import YEAR

INTRUDERS = ["xa.dongvan", "tinh.tuyenquang"]
PLAN_TITLE = "Kiểm tra thông tin cơ sở tỉnh Lào Cai năm 2026"
FINDING_TEXT = "Cụm loa thôn Lao Chải hỏng"


def _snapshot(finding):
    finding.refresh_from_db()
    return (
        Visit.objects.count(),
        ItemResult.objects.count(),
        Finding.objects.count(),
        Evidence.objects.count(),
        Task.objects.count(),
        finding.closed_at,
        finding.corrective_task_id,
    )


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_pages_hide_and_protect_lao_cais_inspections(login, intruder, laocai_plan, laocai_visit, laocai_finding, png):
    client = login(intruder)
    before = _snapshot(laocai_finding)
    assert PLAN_TITLE not in client.get("/inspections/plans/").content.decode()
    assert FINDING_TEXT not in client.get("/inspections/findings/").content.decode()
    assert client.get(f"/inspections/plans/{laocai_plan.pk}/").status_code == 404
    visit = client.post(f"/inspections/plans/{laocai_plan.pk}/visits/new/", {"unit": "03037", "date": f"{YEAR}-11-21"})
    assert visit.status_code == 404
    assert client.get(f"/inspections/visits/{laocai_visit.pk}/").status_code == 404
    checklist = client.post(f"/inspections/visits/{laocai_visit.pk}/", {"result_TT01": "compliant"})
    assert checklist.status_code == 404
    new_finding = client.post(
        f"/inspections/visits/{laocai_visit.pk}/findings/new/", {"severity": "low", "description": "Xâm nhập"}
    )
    assert new_finding.status_code == 404
    assert client.get(f"/inspections/findings/{laocai_finding.pk}/").status_code == 404
    assert client.post(f"/inspections/findings/{laocai_finding.pk}/evidence/", {"file": png()}).status_code == 404
    due = (timezone.localdate() + dt.timedelta(days=9)).isoformat()
    task = client.post(f"/inspections/findings/{laocai_finding.pk}/corrective-task/", {"due_date": due})
    assert task.status_code == 404
    assert client.post(f"/inspections/findings/{laocai_finding.pk}/close/").status_code == 404
    assert client.get(f"/inspections/evidence/{laocai_finding.evidence.get().pk}/").status_code == 404
    assert _snapshot(laocai_finding) == before


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_api_hides_and_protects_lao_cais_inspections(
    api, intruder, laocai_plan, laocai_visit, laocai_finding, programme
):
    call = api(intruder)
    before = _snapshot(laocai_finding)
    assert call("get", "/api/v1/inspections/plans").json()["count"] == 0
    assert call("get", "/api/v1/inspections/visits").json()["count"] == 0
    assert call("get", "/api/v1/inspections/findings").json()["count"] == 0
    assert call("get", f"/api/v1/inspections/plans/{laocai_plan.pk}").status_code == 404
    assert call("get", f"/api/v1/inspections/visits/{laocai_visit.pk}").status_code == 404
    assert call("get", f"/api/v1/inspections/findings/{laocai_finding.pk}").status_code == 404
    created = call(
        "post", "/api/v1/inspections/visits", {"plan_id": laocai_plan.pk, "unit": "03037", "date": f"{YEAR}-11-21"}
    )
    assert created.status_code == 404
    checklist = call(
        "post",
        f"/api/v1/inspections/visits/{laocai_visit.pk}/checklist",
        {"results": [{"item": "TT01", "result": "compliant"}]},
    )
    assert checklist.status_code == 404
    finding = call(
        "post",
        "/api/v1/inspections/findings",
        {"visit_id": laocai_visit.pk, "severity": "low", "description": "Xâm nhập"},
    )
    assert finding.status_code == 404
    due = (timezone.localdate() + dt.timedelta(days=9)).isoformat()
    base = f"/api/v1/inspections/findings/{laocai_finding.pk}"
    assert call("post", f"{base}/corrective-task", {"due_date": due}).status_code == 404
    assert call("post", f"{base}/close").status_code == 404
    plan = call(
        "post",
        "/api/v1/inspections/plans",
        {
            "programme": programme.code,
            "year": YEAR,
            "title": "Kế hoạch xâm nhập",
            "lead_agency": "SDTTG-15",
            "units": ["15"],
            "period_start": f"{YEAR}-01-01",
            "period_end": f"{YEAR}-12-31",
        },
    )
    assert plan.status_code == 403
    assert _snapshot(laocai_finding) == before
    assert not InspectionPlan.objects.filter(title="Kế hoạch xâm nhập").exists()


def test_a_central_plan_shows_each_province_only_its_own_part(
    api, login, users, programme, checklist, laocai_visit, laocai_finding
):
    plan = services.plan_create(
        user=users["dieuphoi"],
        programme=programme,
        year=YEAR,
        title="Kiểm tra liên ngành năm 2026",
        lead_agency=users["dieuphoi"].agency,
        units=["15", "08"],
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 12, 31),
    )
    laocai = services.visit_create(user=users["tinh.laocai"], plan=plan, unit="03037", date=dt.date(YEAR, 3, 3))
    services.finding_create(user=users["tinh.laocai"], visit=laocai, severity="low", description="Lào Cai riêng")
    own = services.visit_create(user=users["tinh.tuyenquang"], plan=plan, unit="00721", date=dt.date(YEAR, 3, 4))
    call = api("tinh.tuyenquang")
    body = call("get", f"/api/v1/inspections/plans/{plan.pk}").json()
    assert [u["code"] for u in body["units"]] == ["08"]
    visits = call("get", "/api/v1/inspections/visits", {"plan_id": plan.pk}).json()
    assert [v["id"] for v in visits["items"]] == [own.pk]
    page = login("tinh.tuyenquang").get(f"/inspections/plans/{plan.pk}/").content.decode()
    assert "Lào Cai riêng" not in page and "Xã Tả Van" not in page and "Đồng Văn" in page
    assert call("get", f"/api/v1/inspections/visits/{laocai.pk}").status_code == 404
    # recording a visit to Lào Cai under the shared plan is outside Tuyên Quang's area
    refused = call("post", "/api/v1/inspections/visits", {"plan_id": plan.pk, "unit": "03037", "date": f"{YEAR}-03-05"})
    assert refused.status_code == 403
    assert Visit.objects.filter(plan=plan).count() == 2


def test_owners_positive_control(api, login, users, laocai_plan, laocai_visit, laocai_finding):
    """The same URLs work for Lào Cai's officers (and read-only for its commune)."""
    province = login("tinh.laocai")
    assert PLAN_TITLE in province.get("/inspections/plans/").content.decode()
    assert FINDING_TEXT in province.get("/inspections/findings/").content.decode()
    assert province.get(f"/inspections/visits/{laocai_visit.pk}/").status_code == 200
    assert province.post(f"/inspections/visits/{laocai_visit.pk}/", {"result_TT01": "compliant"}).status_code == 302
    commune = api("xa.tavan")
    assert commune("get", f"/api/v1/inspections/findings/{laocai_finding.pk}").json()["severity"] == "high"
    assert login("xa.tavan").get(f"/inspections/evidence/{laocai_finding.evidence.get().pk}/").status_code == 200
    due = (timezone.localdate() + dt.timedelta(days=9)).isoformat()
    task = api("dieuphoi")(
        "post", f"/api/v1/inspections/findings/{laocai_finding.pk}/corrective-task", {"due_date": due}
    )
    assert task.status_code == 201
