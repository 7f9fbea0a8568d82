"""Periodic reports: bottom-up approval, locking, withdrawal, dual sign-off, optimistic locking, rates."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ketnoi.core.models import AuditEntry
from ketnoi.indicators.models import DataValue
from ketnoi.indicators.services import data_values_save
from ketnoi.orgs.models import Agency, User
from ketnoi.orgs.services import role_grant
from ketnoi.programmes import selectors, services
from ketnoi.programmes.models import ProgressReport, ReportSignoff


def agency(code):
    return Agency.objects.get(code=code)


def test_province_is_approved_only_after_all_its_communes(users, report):
    central = users["dieuphoi"]
    laocai = report("15")
    assert laocai.state == "submitted"
    # Lào Cai's only commune report (Tả Van) is approved in the demo, so Lào Cai can be approved.
    services.report_approve(user=central, report=laocai, agency=agency("BDTTG"))
    assert ProgressReport.objects.get(pk=laocai.pk).state == "approved"
    # Tuyên Quang: Đồng Văn is submitted but not approved → the province must wait.
    tq = services.report_open(
        user=users["tinh.tuyenquang"],
        programme=laocai.programme,
        period="2025Q2",
        frequency="quarterly",
        unit=laocai.unit.__class__.objects.get(structure="current", level="province", code="08"),
        agency=agency("SDTTG-08"),
    )
    tq = services.report_save(user=users["tinh.tuyenquang"], report=tq, narrative="Báo cáo tỉnh", version=tq.version)
    tq = services.report_submit(user=users["tinh.tuyenquang"], report=tq)
    with pytest.raises(ValidationError) as info:
        services.report_approve(user=central, report=tq, agency=agency("BDTTG"))
    assert "Xã Đồng Văn" in str(info.value)
    services.report_approve(user=users["tinh.tuyenquang"], report=report("00721"), agency=agency("SDTTG-08"))
    services.report_approve(user=central, report=tq, agency=agency("BDTTG"))
    assert ProgressReport.objects.get(pk=tq.pk).state == "approved"


def test_commune_reports_are_approved_by_their_own_province_only(users, report):
    with pytest.raises(PermissionDenied):
        services.report_approve(user=users["tinh.laocai"], report=report("00721"), agency=agency("SDTTG-15"))
    with pytest.raises(PermissionDenied):
        services.report_approve(user=users["xa.dongvan"], report=report("00721"), agency=agency("UBNDX-00721"))


def test_approval_locks_the_data_and_withdrawal_unlocks_with_a_reason(users, report, unit):
    ta_van = report("03037")
    assert ta_van.state == "approved"
    assert DataValue.objects.filter(unit__code="03037", period__startswith="2025Q2", locked=True).exists()
    with pytest.raises(ValidationError) as info:
        data_values_save(user=users["xa.tavan"], unit=unit("03037"), period="2025Q2", values={"ban_tin_dai_xa": 99})
    assert "locked" in str(info.value)
    with pytest.raises(ValidationError):
        services.report_unapprove(user=users["tinh.laocai"], report=ta_van, agency=agency("SDTTG-15"), reason="")
    services.report_unapprove(
        user=users["tinh.laocai"], report=ta_van, agency=agency("SDTTG-15"), reason="Số liệu quý II cần sửa"
    )
    ta_van.refresh_from_db()
    assert ta_van.state == "submitted"
    assert ReportSignoff.objects.filter(report=ta_van, action="unapprove", reason="Số liệu quý II cần sửa").exists()
    assert AuditEntry.objects.filter(model="programmes.reportsignoff", action="create").exists()
    data_values_save(user=users["xa.tavan"], unit=unit("03037"), period="2025Q2", values={"ban_tin_dai_xa": 40})


def test_withdrawal_is_refused_while_the_level_above_is_approved(users, report):
    services.report_approve(user=users["dieuphoi"], report=report("15"), agency=agency("BDTTG"))
    with pytest.raises(ValidationError) as info:
        services.report_unapprove(
            user=users["tinh.laocai"], report=report("03037"), agency=agency("SDTTG-15"), reason="sửa"
        )
    assert "above" in str(info.value)


def _party_officer(username, agency_code):
    user = User.objects.create_user(username, password="x" * 12, agency=agency(agency_code))
    role_grant(user=user, role="coordinator")
    return user


def test_central_report_needs_every_party_to_sign(users, report):
    central = report("VN")
    required = {a.code for a in services.required_signoff_agencies(central)}
    assert {"BDTTG", "BKHCN", "BVHTTDL"} <= required  # the 2024 parties as they are today
    services.report_save(user=users["dieuphoi"], report=central, narrative="Báo cáo chung", version=central.version)
    central = services.report_submit(user=users["dieuphoi"], report=ProgressReport.objects.get(pk=central.pk))
    for code in ("15", "00721", "23425"):
        ProgressReport.objects.filter(pk=report(code).pk).update(state="approved")
    ProgressReport.objects.filter(programme=central.programme, period="2025Q2", unit__level="province").update(
        state="approved"
    )
    services.report_approve(user=users["dieuphoi"], report=central, agency=agency("BDTTG"))
    assert ProgressReport.objects.get(pk=central.pk).state == "submitted"  # still waiting for the others
    for code in sorted(required - {"BDTTG"}):
        services.report_approve(user=_party_officer(f"ky.{code.lower()}", code), report=central, agency=agency(code))
    assert ProgressReport.objects.get(pk=central.pk).state == "approved"
    with pytest.raises(ValidationError):
        services.report_approve(
            user=users["dieuphoi"], report=ProgressReport.objects.get(pk=central.pk), agency=agency("UBND-15")
        )


def test_two_officers_saving_the_same_report_do_not_lose_an_update(users, report):
    draft = report("23425")
    version = draft.version
    services.report_save(user=users["xa.tumorong"], report=draft, narrative="Bản của người thứ nhất", version=version)
    with pytest.raises(services.StaleEdit) as info:
        services.report_save(
            user=users["xa.tumorong"], report=draft, narrative="Bản của người thứ hai", version=version
        )
    assert info.value.your_narrative == "Bản của người thứ hai"
    assert ProgressReport.objects.get(pk=draft.pk).narrative == "Bản của người thứ nhất"


def test_conflict_page_keeps_the_second_officers_text(login, report):
    draft = report("23425")
    client = login("xa.tumorong")
    first = client.post(
        f"/progress-reports/{draft.pk}/", {"action": "save", "version": draft.version, "narrative": "Văn bản A"}
    )
    assert first.status_code == 302
    second = client.post(
        f"/progress-reports/{draft.pk}/", {"action": "save", "version": draft.version, "narrative": "Văn bản B"}
    )
    html = second.content.decode()
    assert second.status_code == 409 and "Văn bản A" in html and "Văn bản B" in html


def test_api_conflict_is_409_with_both_texts(client, users, report):
    from ketnoi.orgs.services import token_create

    draft = report("23425")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users['xa.tumorong'], name='t')[1]}"}
    body = {"narrative": "Một", "version": draft.version}
    assert client.put(f"/api/v1/reports/{draft.pk}", body, content_type="application/json", **auth).status_code == 200
    body["narrative"] = "Hai"
    response = client.put(f"/api/v1/reports/{draft.pk}", body, content_type="application/json", **auth)
    assert response.status_code == 409
    assert response.json()["current_narrative"] == "Một" and response.json()["your_narrative"] == "Hai"


def test_submitted_reports_cannot_be_edited_and_empty_ones_not_submitted(users, report):
    with pytest.raises(ValidationError):
        services.report_save(
            user=users["xa.dongvan"], report=report("00721"), narrative="x", version=report("00721").version
        )
    draft = report("23425")
    ProgressReport.objects.filter(pk=draft.pk).update(narrative="")
    with pytest.raises(ValidationError):
        services.report_submit(user=users["xa.tumorong"], report=ProgressReport.objects.get(pk=draft.pk))


def test_reporting_rate_and_timeliness(programme, users):
    rates = {r.label: r for r in selectors.reporting_rates(programme=programme, period="2025Q2")}
    laocai = rates["Tỉnh Lào Cai"]
    assert (laocai.expected, laocai.submitted, laocai.on_time) == (2, 2, 1)  # Tả Van on time, province late
    quang_ngai = rates["Tỉnh Quảng Ngãi"]
    # expected = the units assigned (its commune, and the province through it), not the reports opened
    assert (quang_ngai.expected, quang_ngai.submitted, quang_ngai.rate) == (2, 0, 0.0)
    assert ProgressReport.objects.get(programme=programme, period="2025Q2", unit_key="03037").on_time is True
    assert ProgressReport.objects.get(programme=programme, period="2025Q2", unit_key="00721").due_date == dt.date(
        2025, 7, 5
    )


def test_report_export_contains_the_values(login, programme):
    client = login("tinh.laocai")
    text = client.get(f"/programmes/{programme.code}/reports/?period=2025Q2&format=csv").content.decode("utf-8-sig")
    from ketnoi.geo.models import AdminUnit
    from ketnoi.indicators.models import DataElement

    ta_van, dong_van = (AdminUnit.objects.get(structure="current", code=code).name for code in ("03037", "00721"))
    element = DataElement.objects.get(code="ban_tin_dai_xa")
    # Units and elements by their names, not their codes; only Lào Cai's communes.
    assert ta_van in text and element.name_vi in text and dong_van not in text
    assert "03037" not in text and "ban_tin_dai_xa" not in text
