"""Digital skills and IT access (issue 9.7): imports all or nothing with errors by row and field,
idempotent; coverage of village heads and prestigious persons against the target; scoped pages."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from ketnoi.core.importing import ImportFailed
from ketnoi.geo.models import AdminUnit, Village
from ketnoi.skills import selectors
from ketnoi.skills.importers import import_figures, import_sessions, import_targets
from ketnoi.skills.models import Participation, Session, Target

HEADER = (
    "commune_code,session,course_code,course_title,start_date,end_date,village,language_code,trainers,"
    "ethnic_group,sex,age_band,role,count\n"
)


@pytest.fixture
def tavan(db):
    commune = AdminUnit.objects.get(structure="current", level="commune", code="03037")
    villages = list(Village.objects.filter(commune=commune).order_by("name"))
    assert len(villages) >= 2
    return commune, villages


def _csv(text: str, name="lop.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _sessions(commune, village, *, count="2", ref="KNS-01"):
    common = (
        f"{commune.code},{ref},KNS-T1,Kỹ năng số cơ bản,10/03/2025,11/03/2025,{village.name},"
        "Tiếng Mông,Lò Văn A;Vàng Thị B,Mông"
    )
    return (
        HEADER
        + f"{common},male,40-59,village_head,{count}\n"
        + f"{common},female,25-39,prestigious,1\n"
        + f"{common},female,15-24,other,12\n"
    )


def test_a_session_file_is_imported_once_and_again_changes_nothing(users, tavan):
    commune, villages = tavan
    result = import_sessions(_csv(_sessions(commune, villages[0])), user=users["xa.tavan"])
    assert (result.rows, result.created, result.updated) == (3, 1, 0)
    session = Session.objects.get(commune=commune, reference="KNS-01")
    assert session.course.title == "Kỹ năng số cơ bản"
    assert sorted(t.full_name for t in session.trainers.all()) == ["Lò Văn A", "Vàng Thị B"]
    assert session.village == villages[0] and session.end_date == dt.date(2025, 3, 11)
    assert sum(p.count for p in session.participation.all()) == 15
    again = import_sessions(_csv(_sessions(commune, villages[0])), user=users["xa.tavan"])
    assert (again.created, again.updated) == (0, 0)
    changed = import_sessions(_csv(_sessions(commune, villages[0], count="3")), user=users["xa.tavan"])
    assert (changed.created, changed.updated) == (0, 1)
    assert Participation.objects.filter(session=session).count() == 3


def test_a_bad_file_writes_nothing_and_names_each_row_and_field(users, tavan):
    commune, villages = tavan
    text = _sessions(commune, villages[0]).replace(",12\n", ",mười hai\n").replace("village_head", "chief")
    text += f"{commune.code},KNS-01,KNS-T1,,12/03/2025,,,,,,male,40-59,other,1\n"  # disagrees with its session
    text += "01001,KNS-09,KNS-T1,,10/03/2025,,,,,,male,40-59,other,1\n"  # Hà Nội: outside the commune's area
    with pytest.raises(ImportFailed) as failed:
        import_sessions(_csv(text), user=users["xa.tavan"])
    found = {(e.row, e.field) for e in failed.value.errors}
    assert (2, "role") in found and (4, "count") in found
    assert (5, "start_date") in found and (5, "village") in found
    assert (6, "commune_code") in found
    assert not Session.objects.filter(commune=commune).exists()


def test_an_xlsx_file_is_read_like_the_csv(users, tavan):
    commune, villages = tavan
    book = Workbook()
    sheet = book.active
    for line in _sessions(commune, villages[1]).splitlines():
        sheet.append(line.split(","))
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("lop.xlsx", data.getvalue())
    assert import_sessions(upload, user=users["xa.tavan"]).created == 1


def test_figures_and_targets_feed_the_selectors_of_the_gap_index(users, tavan):
    commune, villages = tavan
    import_sessions(_csv(_sessions(commune, villages[0])), user=users["xa.tavan"])
    import_figures(
        _csv(
            "commune_code,year,prestigious_persons,households,households_smartphone,households_internet,coverage_4g,source\n"
            f'{commune.code},2025,4,500,410,250,"92,5",Báo cáo UBND xã 2025\n'
        ),
        user=users["xa.tavan"],
    )
    with pytest.raises(ImportFailed) as failed:  # a commune officer sets no provincial target
        import_targets(_csv("province_code,year,role,percent\n15,2030,village_head,80\n"), user=users["xa.tavan"])
    assert failed.value.errors[0].field == "province_code"
    import_targets(
        _csv(
            "province_code,year,role,percent,source\n15,2030,village_head,80,QĐ 1087/QĐ-TTg\n15,2030,prestigious,80,\n"
        ),
        user=users["tinh.laocai"],
    )
    coverage = selectors.digital_skills_coverage(commune, 2025)
    assert coverage["villages"] == len(villages)
    assert coverage["village_heads_trained"] == 2
    assert coverage["village_heads_share"] == (Decimal(200) / len(villages)).quantize(Decimal("0.1"))
    assert (coverage["prestigious_persons"], coverage["prestigious_trained"]) == (4, 1)
    assert coverage["prestigious_share"] == Decimal("25.0")
    assert (coverage["target_village_heads"], coverage["target_year"]) == (Decimal("80.00"), 2030)
    assert selectors.digital_skills_coverage(commune, 2024)["village_heads_trained"] == 0  # sessions of 2025
    access = selectors.it_access(commune, 2026)  # the latest figures up to the year
    assert access["year"] == 2025 and access["smartphone_share"] == Decimal("82.0")
    assert access["internet_share"] == Decimal("50.0") and access["coverage_4g"] == Decimal("92.50")
    assert selectors.it_access(commune, 2024) is None
    with pytest.raises(ImportFailed) as failed:
        import_figures(
            _csv("commune_code,year,households,households_smartphone\n03037,2025,100,120\n"), user=users["xa.tavan"]
        )
    assert (failed.value.errors[0].row, failed.value.errors[0].field) == (2, "households_smartphone")
    assert Target.objects.filter(province__code="15").count() == 2


def test_a_persons_journey_import_with_an_error_fix_and_see_coverage_change(login, tavan):
    commune, villages = tavan
    client = login("tinh.laocai")
    before = client.get("/skills/coverage/?province=15&year=2025")
    assert before.status_code == 200
    bad = _sessions(commune, villages[0]).replace(villages[0].name, "Bản Không Có")
    response = client.post("/skills/import/", {"kind": "sessions", "file": _csv(bad)})
    assert response.status_code == 422
    assert "Bản Không Có" in response.content.decode() and "row 2" in response.content.decode()
    assert not Session.objects.filter(commune=commune).exists()
    response = client.post("/skills/import/", {"kind": "sessions", "file": _csv(_sessions(commune, villages[0]))})
    assert response.status_code == 200 and "1 created" in response.content.decode()
    after = client.get("/skills/coverage/?province=15&year=2025")
    row = after.content.decode().split(f'data-commune="{commune.code}"')[1].split("</tr>")[0]
    assert f"2 / {len(villages)}" in row
    csv = client.get("/skills/coverage/?province=15&year=2025&format=csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    line = next(x for x in csv.content.decode("utf-8-sig").splitlines() if x.startswith(commune.code))
    assert line.split(",")[3] == "2"
    session = Session.objects.get(commune=commune)
    page = client.get(f"/skills/sessions/{session.pk}/")
    assert page.status_code == 200 and "Lò Văn A" in page.content.decode()
    assert client.get("/skills/").status_code == 200
    assert client.get(f"/skills/courses/{session.course_id}/").status_code == 200


def test_another_provinces_officer_gets_404_and_sees_nothing(login, users, tavan):
    commune, villages = tavan
    import_sessions(_csv(_sessions(commune, villages[0])), user=users["xa.tavan"])
    session = Session.objects.get(commune=commune)
    client = login("tinh.tuyenquang")
    assert client.get(f"/skills/sessions/{session.pk}/").status_code == 404
    assert client.get("/skills/coverage/?province=15&year=2025").status_code == 404
    assert session.reference not in client.get("/skills/").content.decode()
    assert session.reference not in client.get(f"/skills/courses/{session.course_id}/").content.decode()
    response = client.post("/skills/import/", {"kind": "sessions", "file": _csv(_sessions(commune, villages[0]))})
    assert response.status_code == 422 and "outside your area" in response.content.decode()


def test_those_without_data_entry_cannot_open_the_import(login):
    assert login("dichthuat").get("/skills/import/").status_code == 404


def test_a_named_participant_needs_consent_and_goes_with_a_subject_request(users, tavan):
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import connection

    from ketnoi.skills.models import Participant
    from ketnoi.skills.services import participant_add
    from ketnoi.subjects import subject_erase, subject_export

    commune, villages = tavan
    import_sessions(_csv(_sessions(commune, villages[0])), user=users["xa.tavan"])
    session = Session.objects.get(commune=commune)
    with pytest.raises(ValidationError) as refused:
        participant_add(
            user=users["xa.tavan"], session=session, full_name="Giàng A Páo", consent_on=None, consent_source=""
        )
    assert {"consent_on", "consent_source"} <= set(refused.value.message_dict)
    with pytest.raises(PermissionDenied):  # another province's officer cannot add to this session
        participant_add(
            user=users["tinh.tuyenquang"],
            session=session,
            full_name="Giàng A Páo",
            consent_on=dt.date(2025, 3, 10),
            consent_source="phiếu đồng ý",
        )
    participant_add(
        user=users["xa.tavan"],
        session=session,
        full_name="Giàng A Páo",
        contact="0912 111 222",
        role="village_head",
        consent_on=dt.date(2025, 3, 10),
        consent_source="phiếu đồng ý có chữ ký",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM skills_participant")
        assert "0912" not in cursor.fetchone()[0]  # encrypted at rest
    data = subject_export(actor=users["admin"], kind="contact", identifier="+84912111222")
    assert data["training"][0]["full_name"] == "Giàng A Páo" and data["training"][0]["session"] == "KNS-01"
    assert subject_erase(actor=users["admin"], kind="contact", identifier="0912111222")["training_erased"] == 1
    assert not Participant.objects.exists()
    assert sum(p.count for p in session.participation.all()) == 15  # the counts stay


def test_the_demo_data_loads_twice_the_same_and_is_marked(db):
    from ketnoi.skills.demo import load_demo_skills
    from ketnoi.skills.models import CommuneFigures, Course

    load_demo_skills()
    load_demo_skills()
    sessions = Session.objects.filter(commune__code="03037")
    assert sessions.count() == 2 and all(s.is_demo for s in sessions)
    assert Course.objects.get(code="DEMO-KNS-01").is_demo
    assert CommuneFigures.objects.get(commune__code="03037", year=2025).is_demo
    commune = AdminUnit.objects.get(structure="current", level="commune", code="03037")
    coverage = selectors.digital_skills_coverage(commune, 2025)
    assert (coverage["village_heads_trained"], coverage["prestigious_trained"], coverage["participants"]) == (3, 3, 47)
    assert coverage["prestigious_share"] == Decimal("50.0")


def test_the_coverage_report_takes_a_fixed_number_of_queries(login, users, tavan, django_assert_max_num_queries):
    from ketnoi.skills.demo import load_demo_skills

    load_demo_skills()
    client = login("tinh.laocai")
    with django_assert_max_num_queries(25):  # every commune of Lào Cai, not a query per commune
        response = client.get("/skills/coverage/?province=15&year=2025")
    assert response.status_code == 200
    assert (
        response.content.decode().count("data-commune=")
        == AdminUnit.objects.filter(structure="current", level="commune", province__code="15").count()
    )
    xlsx = client.get("/skills/coverage/?province=15&year=2025&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_api_gives_coverage_and_sessions_of_the_area_and_imports_all_or_nothing(client, users, tavan):
    from ketnoi.orgs.services import token_create

    commune, villages = tavan

    def bearer(name):
        return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users[name], name='t')[1]}"}

    officer = bearer("tinh.laocai")
    refused = client.post(
        "/api/v1/skills/import",
        {"kind": "sessions", "file": _csv(_sessions(commune, villages[0], count="hai"))},
        **officer,
    )
    assert refused.status_code == 422 and refused["Content-Type"].startswith("application/problem+json")
    assert any(e["row"] == 2 and e["field"] == "count" for e in refused.json()["errors"])
    done = client.post(
        "/api/v1/skills/import", {"kind": "sessions", "file": _csv(_sessions(commune, villages[0]))}, **officer
    )
    assert done.status_code == 200 and done.json()["created"] == 1
    rows = client.get("/api/v1/skills/coverage", {"province": "15", "year": 2025}, **officer).json()
    mine = next(r for r in rows if r["commune"] == commune.code)
    assert mine["village_heads_trained"] == 2 and mine["participants"] == 15
    listed = client.get("/api/v1/skills/sessions", **officer).json()
    assert [s["reference"] for s in listed["items"]] == ["KNS-01"] and listed["items"][0]["participants"] == 15
    other = bearer("tinh.tuyenquang")
    assert client.get("/api/v1/skills/coverage", {"province": "15", "year": 2025}, **other).status_code == 404
    assert client.get("/api/v1/skills/sessions", **other).json()["count"] == 0
    translator = bearer("dichthuat")
    assert client.post("/api/v1/skills/import", {"kind": "targets", "file": _csv("x")}, **translator).status_code == 403


def test_a_trainer_is_a_name_within_an_agency(users, tavan):
    from ketnoi.skills.models import Trainer

    commune, villages = tavan
    header = (
        "commune_code,session,course_code,course_title,start_date,trainers,trainer_agency,sex,age_band,role,count\n"
    )
    text = (
        header
        + f"{commune.code},A-1,KNS-T2,Bảo mật,01/04/2025,Lò Văn Minh,UBNDX-03037,male,25-39,other,3\n"
        + f"{commune.code},A-2,KNS-T2,,02/04/2025,Lò Văn Minh,SDTTG-15,male,25-39,other,3\n"
    )
    import_sessions(_csv(text), user=users["tinh.laocai"])
    trainers = Trainer.objects.filter(full_name="Lò Văn Minh")
    assert sorted(t.agency.code for t in trainers) == ["SDTTG-15", "UBNDX-03037"]
    import_sessions(_csv(text), user=users["tinh.laocai"])
    assert trainers.count() == 2
    with pytest.raises(ImportFailed) as failed:
        import_sessions(_csv(text.replace("SDTTG-15", "KHONG-CO")), user=users["tinh.laocai"])
    assert [(e.row, e.field) for e in failed.value.errors] == [(3, "trainer_agency")]
