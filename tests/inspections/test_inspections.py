"""Inspection and supervision: checklist data, plans, visits, checklist results, findings, corrective tasks."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ketnoi.core.models import AuditEntry
from ketnoi.inspections import selectors, services
from ketnoi.inspections.loaders import load_checklist, load_default_checklist
from ketnoi.inspections.models import ChecklistItem, Evidence, Finding, InspectionPlan, ItemResult, Visit
from ketnoi.programmes.models import Task, TaskAssignment
from ketnoi.programmes.services import assignment_set_status

from .conftest import YEAR


def _counts():
    return (
        InspectionPlan.objects.count(),
        Visit.objects.count(),
        ItemResult.objects.count(),
        Finding.objects.count(),
        Evidence.objects.count(),
        Task.objects.count(),
        AuditEntry.objects.filter(model__startswith="inspections.").count(),
    )


# --- checklist data -----------------------------------------------------------------------


def test_default_checklist_loads_vietnamese_items_idempotently(db):
    template = load_default_checklist()
    texts = list(template.items.values_list("text", flat=True))
    assert 6 <= len(texts) <= 10
    assert any("Đài truyền thanh xã hoạt động" in t for t in texts)
    assert any("tiếng dân tộc" in t for t in texts)
    assert any("752/QĐ-TTg" in t and "đúng đối tượng" in t for t in texts)
    again = load_checklist()
    assert again == {"templates": 1, "created": 0, "updated": 0}
    assert ChecklistItem.objects.filter(template=template).count() == len(texts)


def test_a_broken_checklist_file_writes_nothing(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "template_code,template_name,item_code,order,item_text\nx,Mẫu X,A1,1,Mục một\nx,Mẫu X,,2,Thiếu mã\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        load_checklist(path)
    assert "row 3" in caught.value.messages[0]
    assert not ChecklistItem.objects.filter(code="A1").exists()


# --- plans and visits ---------------------------------------------------------------------


def test_plan_is_created_and_audited(laocai_plan):
    assert [p.unit.code for p in laocai_plan.planned_units.all()] == ["15"]
    entry = AuditEntry.objects.get(model="inspections.inspectionplan", object_pk=str(laocai_plan.pk))
    assert entry.action == "create" and entry.scope_province_id == laocai_plan.lead_agency.unit.province_id


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"units": []}, "units", "Choose at least one province or commune"),
        ({"units": ["15", "99999"]}, "units", "Unknown unit code 99999."),
        ({"period_start": dt.date(YEAR - 1, 12, 1)}, "period_start", f"within {YEAR}"),
        ({"period_end": dt.date(YEAR, 1, 1), "period_start": dt.date(YEAR, 2, 1)}, "period_end", "ends before"),
        ({"year": 2040}, "year", "outside the programme period"),
        ({"title": " "}, "title", "Write the title"),
    ],
)
def test_plan_bad_input_is_refused_and_nothing_written(users, programme, overrides, field, message):
    values = {
        "user": users["tinh.laocai"],
        "programme": programme,
        "year": YEAR,
        "title": "Kế hoạch",
        "lead_agency": users["tinh.laocai"].agency,
        "units": ["15"],
        "period_start": dt.date(YEAR, 1, 1),
        "period_end": dt.date(YEAR, 12, 31),
        **overrides,
    }
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        services.plan_create(**values)
    assert any(message in m for m in caught.value.message_dict[field])
    assert _counts() == before


def test_a_province_cannot_plan_inspections_of_another(users, programme):
    with pytest.raises(PermissionDenied):
        services.plan_create(
            user=users["tinh.laocai"],
            programme=programme,
            year=YEAR,
            title="Kiểm tra Tuyên Quang",
            lead_agency=users["tinh.laocai"].agency,
            units=["15", "08"],
            period_start=dt.date(YEAR, 1, 1),
            period_end=dt.date(YEAR, 12, 31),
        )
    assert not InspectionPlan.objects.filter(title="Kiểm tra Tuyên Quang").exists()


def test_visit_uses_the_default_checklist(laocai_visit, checklist):
    assert laocai_visit.template == checklist and laocai_visit.unit.code == "03037"


def test_visit_bad_input(users, laocai_plan):
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        services.visit_create(user=users["dieuphoi"], plan=laocai_plan, unit="00721", date=dt.date(YEAR, 5, 1))
    assert "not among the units of this plan" in caught.value.message_dict["unit"][0]
    with pytest.raises(ValidationError) as caught:
        services.visit_create(user=users["tinh.laocai"], plan=laocai_plan, unit="03037", date=dt.date(YEAR + 1, 1, 2))
    assert "outside the plan's period" in caught.value.message_dict["date"][0]
    with pytest.raises(ValidationError) as caught:
        services.visit_create(user=users["tinh.laocai"], plan=laocai_plan, unit="12345678", date=dt.date(YEAR, 5, 1))
    assert "Unknown unit code" in caught.value.message_dict["unit"][0]
    assert _counts() == before


def test_checklist_results_all_or_nothing(users, laocai_visit):
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        services.visit_record_checklist(
            user=users["tinh.laocai"],
            visit=laocai_visit,
            results={"TT01": ("compliant", ""), "TT02": ("not_compliant", ""), "TT99": ("compliant", "")},
        )
    errors = caught.value.message_dict
    assert "say what was found" in errors["TT02"][0] and "Unknown checklist item TT99." in errors["results"]
    assert _counts() == before
    services.visit_record_checklist(
        user=users["tinh.laocai"],
        visit=laocai_visit,
        results={"TT01": ("not_compliant", "Loa thôn Lao Chải hỏng"), "TT02": ("compliant", "")},
    )
    services.visit_record_checklist(
        user=users["tinh.laocai"], visit=laocai_visit, results={"TT02": ("not_applicable", "")}
    )
    results = {r.item.code: r.result for r in laocai_visit.results.select_related("item")}
    assert results == {"TT01": "not_compliant", "TT02": "not_applicable"}
    assert AuditEntry.objects.filter(model="inspections.itemresult", action="update").count() == 1
    with pytest.raises(PermissionDenied):  # commune officers read, they do not record
        services.visit_record_checklist(user=users["xa.tavan"], visit=laocai_visit, results={})


# --- findings and corrective tasks --------------------------------------------------------


def test_finding_with_evidence(laocai_finding):
    evidence = laocai_finding.evidence.get()
    assert evidence.content_type == "image/png" and evidence.original_name == "anh-loa.png"
    assert AuditEntry.objects.filter(model="inspections.evidence", object_pk=str(evidence.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"severity": "urgent"}, "severity", "Choose a severity"),
        ({"description": ""}, "description", "Describe the finding."),
        ({"evidence": [SimpleUploadedFile("loa.png", b"GIF89a not a png")]}, "file", "loa.png is not an accepted type"),
        ({"evidence": [SimpleUploadedFile("rong.pdf", b"")]}, "file", "rong.pdf is empty."),
    ],
)
def test_finding_bad_input_is_refused_and_nothing_written(users, laocai_visit, png, overrides, field, message):
    values = {"user": users["tinh.laocai"], "visit": laocai_visit, "severity": "low", "description": "Mô tả"}
    values.update(overrides)
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        services.finding_create(**values)
    assert any(message in m for m in caught.value.message_dict[field])
    assert _counts() == before


def test_corrective_task_is_a_programme_task_assigned_to_the_visited_unit(users, laocai_finding, programme):
    due = timezone.localdate() + dt.timedelta(days=30)
    # an inspector of another province cannot add a corrective task for Lào Cai's finding
    with pytest.raises(PermissionDenied):
        services.finding_create_corrective_task(user=users["tinh.tuyenquang"], finding=laocai_finding, due_date=due)
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        services.finding_create_corrective_task(
            user=users["dieuphoi"], finding=laocai_finding, due_date=timezone.localdate() - dt.timedelta(days=1)
        )
    assert "is in the past" in caught.value.message_dict["due_date"][0]
    assert _counts() == before

    task = services.finding_create_corrective_task(user=users["dieuphoi"], finding=laocai_finding, due_date=due)
    laocai_finding.refresh_from_db()
    assert laocai_finding.corrective_task == task
    assert task.programme == programme and task.due_date == due
    assert task.content_area == programme.content_areas.order_by("-order", "-code").first()
    assert task.lead_agency.code == "UBNDX-03037"
    assignment = TaskAssignment.objects.get(task=task)
    assert assignment.unit.code == "03037" and laocai_finding.corrective_assignment == assignment
    with pytest.raises(ValidationError) as caught:
        services.finding_create_corrective_task(user=users["dieuphoi"], finding=laocai_finding, due_date=due)
    assert "already has corrective task" in caught.value.message_dict["finding"][0]

    # closed only once the assignment is done
    with pytest.raises(ValidationError) as caught:
        services.finding_close(user=users["tinh.laocai"], finding=laocai_finding)
    assert "can be closed once it is done" in caught.value.messages[0]
    assignment_set_status(user=users["xa.tavan"], assignment=assignment, status="in_progress")
    with pytest.raises(ValidationError):
        services.finding_close(user=users["tinh.laocai"], finding=laocai_finding)
    assignment_set_status(user=users["xa.tavan"], assignment=assignment, status="done", note="Đã thay loa")
    services.finding_close(user=users["tinh.laocai"], finding=laocai_finding)
    laocai_finding.refresh_from_db()
    assert laocai_finding.closed_at is not None and laocai_finding.closed_by == users["tinh.laocai"]


def test_a_finding_without_corrective_task_cannot_be_closed(users, laocai_finding):
    with pytest.raises(ValidationError) as caught:
        services.finding_close(user=users["tinh.laocai"], finding=laocai_finding)
    assert "Create the corrective task first" in caught.value.messages[0]


def test_corrective_task_goes_into_a_chosen_content_area(users, laocai_finding, programme):
    first = programme.content_areas.order_by("order", "code").first()
    task = services.finding_create_corrective_task(
        user=users["dieuphoi"],
        finding=laocai_finding,
        due_date=timezone.localdate() + dt.timedelta(days=5),
        content_area=first,
        title="Sửa cụm loa thôn Lao Chải",
    )
    assert task.content_area == first and task.title_vi == "Sửa cụm loa thôn Lao Chải"


def _finding(users, visit, severity, text):
    return services.finding_create(user=users["tinh.laocai"], visit=visit, severity=severity, description=text)


def test_open_findings_put_overdue_corrective_actions_first(users, laocai_visit):
    low_late = _finding(users, laocai_visit, "low", "Bảng tin chưa cập nhật")
    critical = _finding(users, laocai_visit, "critical", "Phát nội dung chưa kiểm duyệt")
    medium_on_time = _finding(users, laocai_visit, "medium", "Thiếu sổ theo dõi")
    done = _finding(users, laocai_visit, "high", "Đã khắc phục")
    soon = timezone.localdate() + dt.timedelta(days=20)
    for finding in (medium_on_time, done):
        services.finding_create_corrective_task(user=users["dieuphoi"], finding=finding, due_date=soon)
    today = timezone.localdate()
    services.finding_create_corrective_task(  # created ten days ago with a deadline three days ago
        user=users["dieuphoi"],
        finding=low_late,
        due_date=today - dt.timedelta(days=3),
        today=today - dt.timedelta(days=10),
    )
    done.refresh_from_db()
    assignment_set_status(user=users["xa.tavan"], assignment=done.corrective_assignment, status="done")
    services.finding_close(user=users["tinh.laocai"], finding=done)
    rows = selectors.open_findings_for_user(user=users["tinh.laocai"])
    assert [r.finding.pk for r in rows] == [low_late.pk, critical.pk, medium_on_time.pk]
    assert rows[0].overdue and not rows[2].overdue and rows[1].task is None


def test_finding_counts_by_severity_and_state_per_unit(users, laocai_plan, laocai_visit, programme):
    _finding(users, laocai_visit, "high", "A")
    _finding(users, laocai_visit, "high", "B")
    low = _finding(users, laocai_visit, "low", "C")
    province_visit = services.visit_create(
        user=users["tinh.laocai"], plan=laocai_plan, unit="15", date=dt.date(YEAR, 6, 1)
    )
    _finding(users, province_visit, "critical", "D")
    services.finding_create_corrective_task(
        user=users["dieuphoi"], finding=low, due_date=timezone.localdate() + dt.timedelta(days=3)
    )
    low.refresh_from_db()
    assignment_set_status(user=users["xa.tavan"], assignment=low.corrective_assignment, status="done")
    services.finding_close(user=users["tinh.laocai"], finding=low)

    counts = selectors.finding_counts(programme=programme, year=YEAR)
    commune = counts["03037"]
    assert commune.by_severity == {"low": 1, "medium": 0, "high": 2, "critical": 0}
    assert commune.open_by_severity == {"low": 0, "medium": 0, "high": 2, "critical": 0}
    assert (commune.open, commune.closed, commune.total) == (2, 1, 3)
    assert counts["15"].by_severity["critical"] == 1 and counts["15"].open == 1
    only_commune = selectors.finding_counts(programme=programme, year=YEAR, unit=laocai_visit.unit)
    assert set(only_commune) == {"03037"}
    whole_province = selectors.finding_counts(programme=programme, year=YEAR, unit=province_visit.unit)
    assert set(whole_province) == {"03037", "15"}
    assert selectors.finding_counts(programme=programme, year=YEAR - 1) == {}


# --- pages and API ------------------------------------------------------------------------


def test_pages_plan_visit_checklist_finding(login, users, programme, checklist, png):
    client = login("tinh.laocai")
    response = client.post(
        "/inspections/plans/new/",
        {
            "programme": programme.pk,
            "year": YEAR,
            "title": "Kiểm tra quý IV",
            "lead_agency": "SDTTG-15",
            "units": "03037",
            "period_start": f"{YEAR}-10-01",
            "period_end": f"{YEAR}-12-31",
        },
    )
    assert response.status_code == 302, response.content.decode()
    plan = InspectionPlan.objects.get(title="Kiểm tra quý IV")
    assert "Xã Tả Van" in client.get(f"/inspections/plans/{plan.pk}/").content.decode()
    response = client.post(
        f"/inspections/plans/{plan.pk}/visits/new/", {"unit": "03037", "date": f"{YEAR}-11-02", "team": "Đoàn 1"}
    )
    assert response.status_code == 302
    visit = Visit.objects.get(plan=plan)
    page = client.get(f"/inspections/visits/{visit.pk}/").content.decode()
    assert "Đài truyền thanh xã hoạt động" in page
    refused = client.post(f"/inspections/visits/{visit.pk}/", {"result_TT01": "not_compliant", "note_TT01": ""})
    assert refused.status_code == 422 and "say what was found" in refused.content.decode()
    assert not visit.results.exists()
    saved = client.post(f"/inspections/visits/{visit.pk}/", {"result_TT01": "not_compliant", "note_TT01": "Hỏng loa"})
    assert saved.status_code == 302 and visit.results.get().note == "Hỏng loa"
    response = client.post(
        f"/inspections/visits/{visit.pk}/findings/new/",
        {"severity": "medium", "description": "Loa hỏng", "files": [png()]},
    )
    assert response.status_code == 302
    finding = Finding.objects.get(visit=visit)
    detail = client.get(f"/inspections/findings/{finding.pk}/").content.decode()
    assert "anh-loa.png" in detail and "Create the corrective task" in detail
    download = client.get(f"/inspections/evidence/{finding.evidence.get().pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")
    assert "Loa hỏng" in client.get("/inspections/findings/").content.decode()
    bad = client.post(
        f"/inspections/findings/{finding.pk}/evidence/", {"file": SimpleUploadedFile("x.jpg", b"not a jpeg")}
    )
    assert bad.status_code == 422 and "x.jpg is not an accepted type" in bad.content.decode()
    assert finding.evidence.count() == 1

    coordinator = login("dieuphoi")
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    response = coordinator.post(f"/inspections/findings/{finding.pk}/corrective-task/", {"due_date": due})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.corrective_task is not None
    refused = coordinator.post(f"/inspections/findings/{finding.pk}/close/")
    assert refused.status_code == 422 and "can be closed once it is done" in refused.content.decode()


def test_api_plan_visit_checklist_finding_task(api, users, programme, checklist):
    province = api("tinh.laocai")
    created = province(
        "post",
        "/api/v1/inspections/plans",
        {
            "programme": programme.code,
            "year": YEAR,
            "title": "Kiểm tra API",
            "lead_agency": "SDTTG-15",
            "units": ["15"],
            "period_start": f"{YEAR}-01-01",
            "period_end": f"{YEAR}-12-31",
        },
    )
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    visit = province(
        "post", "/api/v1/inspections/visits", {"plan_id": plan_id, "unit": "03037", "date": f"{YEAR}-09-09"}
    )
    assert visit.status_code == 201 and visit.json()["checklist"] == "default"
    visit_id = visit.json()["id"]
    bad = province(
        "post",
        f"/api/v1/inspections/visits/{visit_id}/checklist",
        {"results": [{"item": "TT01", "result": "maybe"}]},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "TT01"
    good = province(
        "post",
        f"/api/v1/inspections/visits/{visit_id}/checklist",
        {"results": [{"item": "TT03", "result": "not_compliant", "note": "Báo phát chậm 2 tuần"}]},
    )
    assert good.status_code == 200 and good.json()["results"][0]["item"] == "TT03"
    finding = province(
        "post",
        "/api/v1/inspections/findings",
        {"visit_id": visit_id, "severity": "critical", "description": "Ấn phẩm cấp sai đối tượng", "item": "TT03"},
    )
    assert finding.status_code == 201 and finding.json()["state"] == "open"
    finding_id = finding.json()["id"]
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    outsider = api("tinh.tuyenquang")
    refused = outsider("post", f"/api/v1/inspections/findings/{finding_id}/corrective-task", {"due_date": due})
    assert refused.status_code == 404
    # the provincial inspector who recorded the finding creates its corrective task
    task = province("post", f"/api/v1/inspections/findings/{finding_id}/corrective-task", {"due_date": due})
    assert task.status_code == 201, task.content
    body = task.json()["corrective_task"]
    assert body["assigned_to"]["code"] == "03037" and body["status"] == "not_started"
    closing = province("post", f"/api/v1/inspections/findings/{finding_id}/close")
    assert closing.status_code == 422 and "once it is done" in closing.json()["detail"]
    listed = province("get", "/api/v1/inspections/findings", {"state": "open"}).json()
    assert [f["id"] for f in listed["items"]] == [finding_id]
    assert province("get", f"/api/v1/inspections/plans/{plan_id}").json()["units"][0]["code"] == "15"


def test_api_bad_plan_is_a_problem_and_writes_nothing(api, programme):
    before = _counts()
    response = api("tinh.laocai")(
        "post",
        "/api/v1/inspections/plans",
        {
            "programme": programme.code,
            "year": YEAR,
            "title": "Sai",
            "lead_agency": "SDTTG-15",
            "units": ["0000000"],
            "period_start": f"{YEAR}-05-01",
            "period_end": f"{YEAR}-04-01",
        },
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == {"units", "period_end"}
    assert _counts() == before
