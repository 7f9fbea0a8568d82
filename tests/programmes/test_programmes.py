"""Programme 922 as preloaded, tasks, dependencies, evidence-based status, exports."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ketnoi.indicators.models import Indicator, Target
from ketnoi.indicators.services import data_values_save
from ketnoi.orgs.models import Agency
from ketnoi.programmes import selectors, services
from ketnoi.programmes.models import LegalDocument, Task, TaskAttachment


def test_programme_922_is_preloaded_with_its_document_parties_and_areas(programme):
    assert programme.document.number_symbol == "922/CTPH-BTTTT-UBDT"
    assert programme.document.issued_on == dt.date(2024, 6, 4) and programme.place == "Hà Nội"
    assert programme.content_areas.count() == 6
    assert programme.tasks.count() >= 20
    parties = {p.agency.code: p for p in programme.parties.all()}
    assert set(parties) == {"BTTTT", "UBDT"}
    assert parties["UBDT"].signer_name == "Nông Thị Hà"
    # The parties are followed through the 2025 reorganisation.
    assert [a.code for a in parties["UBDT"].agency.current_successors(day=dt.date(2026, 1, 1))] == ["BDTTG"]
    bases = set(programme.legal_bases.values_list("number_symbol", flat=True))
    assert {"752/QĐ-TTg", "47/NQ-CP", "57-KL/TW"} <= bases


def test_legal_register_keeps_replacements(db):
    old = LegalDocument.objects.get(number_symbol="52/2016/QĐ-TTg")
    assert old.replaced_by.number_symbol == "49/2024/NĐ-CP" and old.status == "replaced"


def test_every_task_has_a_lead_agency_and_dates_or_recurrence(programme):
    for task in programme.tasks.all():
        assert task.lead_agency_id
        assert task.due_date or task.recurrence, task.code


def test_dependency_cycles_are_refused_and_nothing_changes(users, programme):
    tasks = list(programme.tasks.order_by("code")[:3])
    a, b, c = tasks
    services.task_set_dependencies(user=users["dieuphoi"], task=b, depends_on=[a])
    services.task_set_dependencies(user=users["dieuphoi"], task=c, depends_on=[b])
    with pytest.raises(ValidationError) as info:
        services.task_set_dependencies(user=users["dieuphoi"], task=a, depends_on=[c])
    assert "cycle" in str(info.value)
    assert list(a.depends_on.all()) == [] or c not in a.depends_on.all()
    with pytest.raises(ValidationError):
        services.task_set_dependencies(user=users["dieuphoi"], task=a, depends_on=[a])


def test_task_creation_validates_dates_and_needs_a_manager(users, programme):
    area = programme.content_areas.first()
    lead = Agency.objects.get(code="BDTTG")
    with pytest.raises(ValidationError) as info:
        services.task_create(
            user=users["dieuphoi"],
            programme=programme,
            content_area=area,
            code="9.9",
            title_vi="Sai ngày",
            lead_agency=lead,
            start_date=dt.date(2026, 5, 1),
            due_date=dt.date(2026, 4, 1),
        )
    assert "due_date" in info.value.message_dict
    with pytest.raises(ValidationError):
        services.task_create(
            user=users["dieuphoi"],
            programme=programme,
            content_area=area,
            code="9.9",
            title_vi="Ngoài kỳ",
            lead_agency=lead,
            due_date=dt.date(2035, 1, 1),
        )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.task_create(
            user=users["xa.tavan"],
            programme=programme,
            content_area=area,
            code="9.9",
            title_vi="Không có quyền",
            lead_agency=lead,
        )
    assert not Task.objects.filter(programme=programme, code="9.9").exists()
    task = services.task_create(
        user=users["dieuphoi"],
        programme=programme,
        content_area=area,
        code="9.9",
        title_vi="Nhiệm vụ bổ sung",
        lead_agency=lead,
        due_date=dt.date(2027, 12, 31),
    )
    assert task.added_on is not None  # amendments keep their date; the audit log keeps the history


def test_status_is_derived_from_indicator_evidence(users, programme, unit):
    task = Task.objects.get(programme=programme, code="5.4")  # measured by radio coverage indicators
    indicator = Indicator.objects.get(code="ty_le_thon_co_dai_xa")
    assert indicator in task.indicators.all()
    for ind in task.indicators.all():
        Target.objects.update_or_create(
            indicator=ind, unit_key="VN", period="2025", disaggregation="", defaults={"target_value": 30}
        )
    state = selectors.task_state(task, today=dt.date(2025, 12, 1))
    assert state.status == Task.Status.DONE  # the demo communes meet a 30% coverage target
    for ind in task.indicators.all():
        Target.objects.filter(indicator=ind, unit_key="VN", period="2025").update(target_value=99)
    state = selectors.task_state(task, today=dt.date(2025, 12, 1))
    assert state.status == Task.Status.IN_PROGRESS and all(r.value is not None for r in state.evidence)


def test_overdue_tasks_come_first_in_my_work(users):
    work = selectors.my_work(user=users["dieuphoi"], today=dt.date(2026, 11, 26))
    overdue = [s.overdue for s in work.tasks]
    assert any(overdue) and overdue == sorted(overdue, reverse=True)
    laocai = selectors.my_work(user=users["tinh.laocai"], today=dt.date(2026, 11, 26))
    assert any(a.unit.code in ("15", "03037") for a in laocai.assignments)
    assert all(a.unit.province.code == "15" for a in laocai.assignments)
    assert not any(r.unit_key == "00721" for r in laocai.reports_to_approve)
    tuyenquang = selectors.my_work(user=users["tinh.tuyenquang"], today=dt.date(2026, 11, 26))
    assert [r.unit_key for r in tuyenquang.reports_to_approve] == ["00721"]
    assert [r.unit_key for r in selectors.my_work(user=users["xa.tumorong"]).reports_to_write] == ["23425"]


def test_attachments_are_checked_by_size_and_real_type(users, programme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    task = programme.tasks.first()
    fake = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError) as info:
        services.task_attachment_add(user=users["dieuphoi"], task=task, upload=fake)
    assert "bao-cao.pdf" in str(info.value)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as info:
        services.task_attachment_add(user=users["dieuphoi"], task=task, upload=big)
    assert "the limit is" in str(info.value)
    assert not TaskAttachment.objects.filter(task=task).exists()
    good = services.task_attachment_add(
        user=users["dieuphoi"], task=task, upload=SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.7\n%test")
    )
    assert good.content_type == "application/pdf"


def test_task_pages_and_exports(login, programme):
    client = login("xa.tavan")
    page = client.get(f"/programmes/{programme.code}/").content.decode()
    assert "922/CTPH-BTTTT-UBDT" in page and "Bộ Dân tộc và Tôn giáo" in page  # today's successor shown
    assert client.get(f"/programmes/{programme.code}/timeline/").status_code == 200
    csv_text = client.get(f"/programmes/{programme.code}/tasks/?format=csv").content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("Mã nhiệm vụ,Nội dung phối hợp,Nhiệm vụ") and len(lines) == programme.tasks.count() + 1
    xlsx = client.get(f"/programmes/{programme.code}/tasks/?format=xlsx&status=overdue")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Mã nhiệm vụ" and all(row[10] == "Có" for row in rows[1:]) and len(rows) > 1


def test_task_page_comment_and_status(login, programme):
    client = login("xa.tavan")
    task = Task.objects.get(programme=programme, code="1.3")
    response = client.post(f"/tasks/{task.pk}/", {"action": "comment", "body": "Đã phát 36 bản tin."})
    assert response.status_code == 302
    assignment = task.assignments.get(unit__code="03037")
    client.post(
        f"/tasks/{task.pk}/", {"action": "assignment_status", "assignment": assignment.pk, "status": "in_progress"}
    )
    assignment.refresh_from_db()
    assert assignment.status == "in_progress"
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "Đã phát 36 bản tin." in page and "Xã Tả Van" in page and "Xã Đồng Văn" not in page


def test_api_lists_tasks_and_refuses_cycles(client, users, programme):
    from ketnoi.orgs.services import token_create

    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users['dieuphoi'], name='t')[1]}"}
    tasks = client.get(f"/api/v1/programmes/{programme.code}/tasks", {"page_size": 100}, **auth).json()
    assert tasks["count"] == programme.tasks.count()
    assert {"code", "status", "overdue", "lead_agency"} <= set(tasks["items"][0])
    a, b = programme.tasks.order_by("code")[:2]
    client.put(f"/api/v1/tasks/{b.pk}/dependencies", {"depends_on": [a.code]}, content_type="application/json", **auth)
    response = client.put(
        f"/api/v1/tasks/{a.pk}/dependencies", {"depends_on": [b.code]}, content_type="application/json", **auth
    )
    assert response.status_code == 422 and "cycle" in response.json()["detail"]


def test_data_entry_validation_rules(users, unit):
    officer = users["xa.tavan"]
    with pytest.raises(ValidationError) as info:
        data_values_save(
            user=officer, unit=unit("03037"), period="2026", values={"thon_tong_so": 5, "thon_co_dai_xa": 7}
        )
    assert "cannot exceed" in str(info.value)
    with pytest.raises(ValidationError):
        data_values_save(user=officer, unit=unit("03037"), period="2026Q5", values={"thon_tong_so": 5})
    with pytest.raises(ValidationError) as info:
        data_values_save(user=officer, unit=unit("03037"), period="2026", values={"thon_tong_so": "mười"})
    assert "thon_tong_so" in info.value.message_dict
    with pytest.raises(ValidationError):
        data_values_save(user=officer, unit=unit("03037"), period="2026", values={"thon_tong_so": 2.5})
    from ketnoi.indicators.models import DataValue

    assert not DataValue.objects.filter(period="2026", unit__code="03037").exists()
