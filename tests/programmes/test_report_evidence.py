"""A province's report beside its communes' roll-up; approval with a comment, one or many at once;
evidence files on a report; the print view (issue 7.2)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ketnoi.geo.models import AdminUnit
from ketnoi.indicators.models import DataElement
from ketnoi.indicators.services import data_values_save
from ketnoi.orgs.models import Agency
from ketnoi.orgs.services import token_create
from ketnoi.programmes import selectors, services
from ketnoi.programmes.models import ProgressReport, ReportEvidence, ReportSignoff, TaskAttachment

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _pdf(name="bien-ban-hop-thon.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _rows(rollup):
    return {row.element.code: row for row in rollup.rows}


# --- roll-up ------------------------------------------------------------------------------------


def test_a_province_report_rolls_up_its_communes_by_each_elements_rule(users, report, unit):
    lao_cai = report("15")
    rollup = selectors.report_rollup(lao_cai)
    assert rollup.level == "commune"
    rows = _rows(rollup)
    # Tả Van is Lào Cai's only assigned commune in the demo: 36 bulletins in 2025Q2; the province gave none.
    assert rows["ban_tin_dai_xa"].combined == Decimal(36) and rows["ban_tin_dai_xa"].own is None
    assert rows["ban_tin_dai_xa"].reported == 1 and rows["ban_tin_dai_xa"].expected == 1

    # A second commune of Lào Cai reports monthly (never assigned: it counts once it gives values);
    # its three months add up for the quarter (a flow) and the rule is a sum.
    other = (
        AdminUnit.objects.filter(structure="current", level="commune", province=unit("15"))
        .exclude(code="03037")
        .first()
    )
    for month, count in (("2025M04", 5), ("2025M05", 6), ("2025M06", 7)):
        data_values_save(user=users["dieuphoi"], unit=other, period=month, values={"ban_tin_dai_xa": count})
    data_values_save(user=users["tinh.laocai"], unit=unit("15"), period="2025Q2", values={"ban_tin_dai_xa": 4})
    rows = _rows(selectors.report_rollup(lao_cai))
    assert rows["ban_tin_dai_xa"].own == Decimal(4)  # the province's own bulletins, beside its communes'
    assert rows["ban_tin_dai_xa"].combined == Decimal(36 + 18)
    assert (rows["ban_tin_dai_xa"].reported, rows["ban_tin_dai_xa"].expected) == (2, 2)

    # An element combined by average is averaged, not added.
    DataElement.objects.filter(code="ban_tin_dai_xa").update(aggregation="average")
    assert _rows(selectors.report_rollup(lao_cai))["ban_tin_dai_xa"].combined == Decimal(27)
    assert selectors.report_rollup(report("03037")) is None  # a commune has no level below


def test_the_central_report_rolls_up_the_provinces(report):
    central = report("VN")
    rollup = selectors.report_rollup(central)
    assert rollup.level == "province"
    row = _rows(rollup)["ban_tin_dai_xa"]
    # No province gave its own count: each province stands for its communes (Lào Cai 36, Tuyên
    # Quang 28, Quảng Ngãi 20 in the demo's 2025Q2).
    assert row.own is None and row.combined == Decimal(36 + 28 + 20)
    assert row.reported == 3 and row.expected >= 3


def test_the_report_page_shows_the_rollup_beside_the_own_values(login, report):
    page = login("tinh.laocai").get(f"/progress-reports/{report('15').pk}/").content.decode()
    assert "Roll-up of the communes" in page and "Communes combined" in page
    assert "1 of 1" in page


def test_the_rollup_in_the_api(client, users, report):
    _token, key = token_create(user=users["tinh.laocai"], name="rollup")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = client.get(f"/api/v1/reports/{report('15').pk}/rollup", **auth).json()
    row = next(r for r in body["rows"] if r["element"] == "ban_tin_dai_xa")
    assert body["level"] == "commune" and row["combined"] == 36 and row["rule"] == "sum"
    answer = client.get(f"/api/v1/reports/{report('03037').pk}/rollup", **auth)
    assert answer.status_code == 422 and answer["Content-Type"].startswith("application/problem+json")


# --- approval with a comment, one or many --------------------------------------------------------


def test_an_approval_keeps_its_comment_in_the_history(login, report):
    dong_van = report("00721")
    client = login("tinh.tuyenquang")
    page = client.post(
        f"/progress-reports/{dong_van.pk}/", {"action": "approve", "comment": "Số liệu khớp biên bản."}, follow=True
    )
    assert ProgressReport.objects.get(pk=dong_van.pk).state == "approved"
    assert "Số liệu khớp biên bản." in page.content.decode()
    assert ReportSignoff.objects.filter(report=dong_van, action="approve").get().reason == "Số liệu khớp biên bản."


def test_a_too_long_comment_is_refused_and_kept(login, report):
    dong_van = report("00721")
    answer = login("tinh.tuyenquang").post(
        f"/progress-reports/{dong_van.pk}/", {"action": "approve", "comment": "x" * 501}
    )
    assert answer.status_code == 422 and "at most 500 characters" in answer.content.decode()
    assert ProgressReport.objects.get(pk=dong_van.pk).state == "submitted"


def _second_submitted_commune(users, programme, unit):
    """Tu Mơ Rông's draft, written and submitted (a commune of another province than Đồng Văn)."""
    draft = ProgressReport.objects.get(programme=programme, period="2025Q2", unit_key="23425")
    draft = services.report_save(user=users["xa.tumorong"], report=draft, narrative="Quý II.", version=draft.version)
    return services.report_submit(user=users["xa.tumorong"], report=draft)


def test_bulk_approval_approves_each_ticked_report_and_names_the_refused(users, programme, report, unit):
    central = users["dieuphoi"]
    tu_mo_rong = _second_submitted_commune(users, programme, unit)
    queue = selectors.approval_queue(user=central)
    lao_cai, tq_commune = report("15"), report("00721")
    assert lao_cai in queue and tu_mo_rong in queue
    result = services.reports_approve_bulk(user=central, reports=[lao_cai, tu_mo_rong], comment="Đạt yêu cầu.")
    assert {r.pk for r in result.approved} == {lao_cai.pk, tu_mo_rong.pk}
    assert set(ReportSignoff.objects.filter(reason="Đạt yêu cầu.").values_list("report_id", flat=True)) == {
        lao_cai.pk,
        tu_mo_rong.pk,
    }
    # One refused report does not undo the others, and says why.
    again = services.reports_approve_bulk(user=central, reports=[lao_cai], comment="")
    assert again.approved == [] and "Only a submitted report" in again.refused[0][1]
    assert ProgressReport.objects.get(pk=tq_commune.pk).state == "submitted"


def test_the_approval_queue_page_approves_the_ticked_reports(login, users, programme, report, unit):
    client = login("dieuphoi")
    tu_mo_rong = _second_submitted_commune(users, programme, unit)
    page = client.get("/approvals/").content.decode()
    assert f'value="{tu_mo_rong.pk}"' in page and f'value="{report("15").pk}"' in page
    assert f'value="{report("00721").pk}"' not in page  # Tuyên Quang has its own approver
    # Nothing ticked: an error, and the comment typed is still there.
    answer = client.post("/approvals/", {"comment": "Đã kiểm tra."})
    assert answer.status_code == 422 and "Tick the reports" in answer.content.decode()
    assert "Đã kiểm tra." in answer.content.decode()
    answer = client.post(
        "/approvals/", {"report": [tu_mo_rong.pk, report("15").pk], "comment": "Đã kiểm tra."}, follow=True
    )
    assert "2 reports approved." in answer.content.decode()
    assert ProgressReport.objects.filter(pk__in=[tu_mo_rong.pk, report("15").pk], state="approved").count() == 2


def test_bulk_approval_in_the_api_refuses_what_is_not_in_the_queue(client, users, programme, report, unit):
    _token, key = token_create(user=users["tinh.tuyenquang"], name="bulk")
    mine, not_mine = report("00721"), report("03037")
    answer = client.post(
        "/api/v1/reports/approve",
        json.dumps({"reports": [mine.pk, not_mine.pk, 10**12], "comment": "OK"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    body = answer.json()
    assert answer.status_code == 200 and body["approved"] == [mine.pk]
    assert {r["id"] for r in body["refused"]} == {not_mine.pk, 10**12}
    assert ProgressReport.objects.get(pk=not_mine.pk).state == "approved"  # untouched (already approved)


# --- evidence files -------------------------------------------------------------------------------


def test_a_file_chosen_in_the_editor_is_attached_when_saving_with_the_text(login, report):
    draft = report("23425")
    client = login("xa.tumorong")
    answer = client.post(
        f"/progress-reports/{draft.pk}/",
        {
            "action": "save",
            "version": draft.version,
            "narrative": "Đã họp 9 thôn.",
            "evidence": _pdf(),
            "evidence_note": "Biên bản họp thôn",
        },
    )
    assert answer.status_code == 302
    (evidence,) = ReportEvidence.objects.filter(report=draft)
    assert evidence.original_name == "bien-ban-hop-thon.pdf" and evidence.description == "Biên bản họp thôn"
    assert ProgressReport.objects.get(pk=draft.pk).narrative == "Đã họp 9 thôn."
    download = client.get(f"/progress-reports/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_a_refused_file_keeps_the_typed_text_and_names_the_file(login, report):
    draft = report("23425")
    client = login("xa.tumorong")
    fake = SimpleUploadedFile("anh.pdf", b"MZ\x90\x00 a program")
    answer = client.post(
        f"/progress-reports/{draft.pk}/",
        {"action": "save", "version": draft.version, "narrative": "Văn bản mới.", "evidence": fake},
    )
    page = answer.content.decode()
    assert answer.status_code == 422 and "anh.pdf is not an accepted type" in page
    assert 'id="evidence-error"' in page and "Văn bản mới." in page
    assert not ReportEvidence.objects.filter(report=draft).exists()
    # The text was saved before the file was looked at; saving again is not a false conflict.
    stored = ProgressReport.objects.get(pk=draft.pk)
    assert stored.narrative == "Văn bản mới." and f'name="version" value="{stored.version}"' in page


def test_removing_a_file_saves_the_text_typed_beside_it(login, users, report, django_capture_on_commit_callbacks):
    draft = report("23425")
    evidence = services.report_evidence_add(user=users["xa.tumorong"], report=draft, upload=_pdf())
    stored_name = evidence.file.name
    draft.refresh_from_db()
    client = login("xa.tumorong")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/progress-reports/{draft.pk}/",
            {"version": draft.version, "narrative": "Sửa lại.", "remove_evidence": str(evidence.pk)},
        )
    assert answer.status_code == 302
    assert not ReportEvidence.objects.filter(pk=evidence.pk).exists()
    assert not evidence.file.storage.exists(stored_name)
    assert ProgressReport.objects.get(pk=draft.pk).narrative == "Sửa lại."


def test_evidence_follows_the_reports_scope_and_state(client, login, users, report):
    draft = report("23425")
    evidence = services.report_evidence_add(user=users["xa.tumorong"], report=draft, upload=_pdf())
    assert login("xa.tavan").get(f"/progress-reports/evidence/{evidence.pk}/").status_code == 404
    assert login("tinh.laocai").get(f"/progress-reports/evidence/{evidence.pk}/").status_code == 404
    assert login("dieuphoi").get(f"/progress-reports/evidence/{evidence.pk}/").status_code == 200
    submitted = report("00721")
    with pytest.raises(Exception) as info:
        services.report_evidence_add(user=users["xa.dongvan"], report=submitted, upload=_pdf())
    assert "only while the report is a draft or returned" in str(info.value)
    _token, key = token_create(user=users["xa.tumorong"], name="evidence")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    listed = client.get(f"/api/v1/reports/{draft.pk}/evidence", **auth).json()
    assert [e["name"] for e in listed] == ["bien-ban-hop-thon.pdf"]
    created = client.post(f"/api/v1/reports/{draft.pk}/evidence", {"file": _pdf("anh.pdf")}, **auth)
    assert created.status_code == 201 and created.json()["name"] == "anh.pdf"
    refused = client.post(f"/api/v1/reports/{submitted.pk}/evidence", {"file": _pdf()}, **auth)
    assert refused.status_code == 404  # Đồng Văn's report is outside Tu Mơ Rông's area


def test_task_attachments_download_where_the_task_is_visible(login, users, programme):
    task = programme.tasks.order_by("pk").first()
    attachment = services.task_attachment_add(user=users["dieuphoi"], task=task, upload=_pdf("ke-hoach.pdf"))
    client = login("xa.tavan")
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert f"/tasks/attachments/{attachment.pk}/" in page
    download = client.get(f"/tasks/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert login("xa.tavan").get("/tasks/attachments/999999/").status_code == 404
    assert TaskAttachment.objects.count() == 1


# --- print view -----------------------------------------------------------------------------------


def test_the_print_view_is_an_a4_document_with_header_and_signature(login, users, report):
    lao_cai = report("15")
    page = login("tinh.laocai").get(f"/progress-reports/{lao_cai.pk}/print/").content.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page and "Độc lập - Tự do - Hạnh phúc" in page
    assert "print.css" in page and "<nav" not in page  # no navigation, only a link back on screen
    assert "Quý 2/2025" in page  # Vietnamese, though this client's interface is English
    assert "NGƯỜI LẬP BÁO CÁO" in page and "GIÁM ĐỐC" in page  # a provincial department's head
    assert Agency.objects.get(code="SDTTG-15").name_vi.upper() in page
    assert "Tổng hợp số liệu của các xã" in page


def test_the_print_view_of_a_draft_has_an_empty_signature(login, report):
    draft = report("23425")
    answer = login("xa.tumorong").get(f"/progress-reports/{draft.pk}/print/")
    assert answer.status_code == 200 and "(Ký, ghi rõ họ tên, đóng dấu)" in answer.content.decode()
    assert "TM. ỦY BAN NHÂN DÂN" in answer.content.decode()  # a commune committee signs for the committee


def test_the_print_view_signs_with_the_office_holder_of_the_day(login, report):
    from ketnoi.orgs.models import OfficeHolder

    lao_cai = report("15")
    department = Agency.objects.get(code="SDTTG-15")
    OfficeHolder.objects.create(agency=department, role="head", title="Giám đốc", full_name="Người Giám Đốc")
    OfficeHolder.objects.create(
        agency=department, role="deputy", title="Phó Giám đốc", full_name="Người Phó Giám Đốc", signs_reports=True
    )
    page = login("tinh.laocai").get(f"/progress-reports/{lao_cai.pk}/print/").content.decode()
    assert "KT. GIÁM ĐỐC" in page and "PHÓ GIÁM ĐỐC" in page and "Người Phó Giám Đốc" in page
    assert "Người Giám Đốc<" not in page


def test_behind_nginx_the_download_is_an_x_accel_redirect_after_the_scope_check(login, users, report, settings):
    settings.DOWNLOAD_ACCEL_PREFIX = "/_protected/"
    draft = report("23425")
    evidence = services.report_evidence_add(user=users["xa.tumorong"], report=draft, upload=_pdf())
    answer = login("dieuphoi").get(f"/progress-reports/evidence/{evidence.pk}/")
    assert answer.status_code == 200
    assert answer["X-Accel-Redirect"] == "/_protected/" + evidence.file.name
    assert answer["Content-Type"] == evidence.content_type
    assert "attachment" in answer["Content-Disposition"] and evidence.original_name in answer["Content-Disposition"]
    assert answer.content == b""  # nginx sends the bytes
    assert login("xa.tavan").get(f"/progress-reports/evidence/{evidence.pk}/").status_code == 404
    evidence.file.storage.delete(evidence.file.name)
    assert login("dieuphoi").get(f"/progress-reports/evidence/{evidence.pk}/").status_code == 404


class _FullDisk:
    """A file on a disk that fills up: the first bytes are written, then ENOSPC."""

    def __init__(self, real):
        self.real = real

    def write(self, data):
        self.real.write(data[:10])
        raise OSError(28, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def full_disk(monkeypatch):
    import django.core.files.storage.filesystem as filesystem

    real_fdopen = filesystem.os.fdopen
    monkeypatch.setattr(filesystem.os, "fdopen", lambda *a, **k: _FullDisk(real_fdopen(*a, **k)))


def test_disk_full_during_an_upload_says_so_and_leaves_nothing_half_written(login, users, report, settings, full_disk):
    draft = report("23425")
    client = login("xa.tumorong")
    answer = client.post(
        f"/progress-reports/{draft.pk}/",
        {"action": "save", "version": draft.version, "narrative": "Có minh chứng.", "evidence": _pdf()},
    )
    assert answer.status_code == 507
    assert "The server's disk is full, so nothing was saved." in answer.content.decode()
    assert not ReportEvidence.objects.filter(report=draft).exists()
    media = settings.MEDIA_ROOT
    assert not [path for path in media.rglob("*") if path.is_file()], "a partial file was left on disk"


def test_disk_full_in_the_api_is_a_507_problem(client, users, report, settings, full_disk):
    draft = report("23425")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users['xa.tumorong'], name='t')[1]}"}
    answer = client.post(f"/api/v1/reports/{draft.pk}/evidence", {"file": _pdf("anh.pdf")}, **auth)
    assert answer.status_code == 507
    assert answer["Content-Type"].startswith("application/problem+json")
    assert answer.json()["detail"].startswith("The server's disk is full")
    assert not ReportEvidence.objects.filter(report=draft).exists()
    assert not [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]
