"""Office holders as data: the signature block of an agency's documents is the agency as it is on the
document's date and the holder of its office then (issue 7.5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ketnoi.orgs import services
from ketnoi.orgs.models import Agency, OfficeHolder
from ketnoi.orgs.titles import signature

DAY = dt.date(2026, 1, 5)


@pytest.fixture
def bdttg(db):
    return Agency.objects.get(code="BDTTG")


@pytest.fixture
def ubdt(db):
    return Agency.objects.get(code="UBDT")


def _holder(agency, title, name, role="head", start=None, end=None, signs=False):
    return OfficeHolder.objects.create(
        agency=agency, role=role, title=title, full_name=name, valid_from=start, valid_to=end, signs_reports=signs
    )


def test_no_holder_recorded_gives_the_title_and_an_empty_name(bdttg):
    block = signature(bdttg, DAY)
    assert block.lines == ["BỘ TRƯỞNG"] and block.name == "" and block.holder is None


def test_a_body_that_no_longer_exists_signs_as_its_successor(ubdt, bdttg):
    _holder(ubdt, "Bộ trưởng, Chủ nhiệm", "Người Của Ủy Ban Cũ", start=dt.date(2021, 4, 8))
    _holder(bdttg, "Bộ trưởng", "Người Đứng Đầu Mới", start=dt.date(2025, 3, 1))
    block = signature(ubdt, DAY)
    assert block.agency == bdttg
    assert block.lines == ["BỘ TRƯỞNG"] and block.name == "Người Đứng Đầu Mới"


def test_the_holder_of_the_day_and_a_deputy_signing_for_the_head(bdttg):
    _holder(bdttg, "Bộ trưởng", "Người Tiền Nhiệm", start=dt.date(2025, 3, 1), end=dt.date(2025, 12, 31))
    _holder(bdttg, "Bộ trưởng", "Người Đương Nhiệm", start=dt.date(2026, 1, 1))
    assert signature(bdttg, dt.date(2025, 6, 1)).name == "Người Tiền Nhiệm"
    assert signature(bdttg, DAY).name == "Người Đương Nhiệm"
    _holder(bdttg, "Thứ trưởng", "Người Ký Báo Cáo", role="deputy", start=dt.date(2025, 3, 1), signs=True)
    block = signature(bdttg, DAY)
    assert block.lines == ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"] and block.name == "Người Ký Báo Cáo"


def test_a_collegial_committee(db):
    committee = Agency.objects.filter(kind=Agency.Kind.COMMUNE_COMMITTEE, valid_to__isnull=True).first()
    assert signature(committee, DAY).lines == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    _holder(committee, "Phó Chủ tịch", "Người Phó", role="deputy", signs=True)
    block = signature(committee, DAY)
    assert block.lines == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] and block.name == "Người Phó"


def test_recording_holders_is_scoped_and_checked(users, bdttg, ubdt):
    with pytest.raises(PermissionDenied):  # a provincial officer changes no central agency
        services.office_holder_add(
            user=users["tinh.laocai"], agency=bdttg, role="head", title="Bộ trưởng", full_name="Ai Đó"
        )
    with pytest.raises(ValidationError, match="no longer exists after 28/02/2025"):
        services.office_holder_add(
            user=users["dieuphoi"],
            agency=ubdt,
            role="head",
            title="Bộ trưởng",
            full_name="Ai Đó",
            valid_from=dt.date(2025, 6, 1),
        )
    with pytest.raises(ValidationError) as refused:
        services.office_holder_add(user=users["dieuphoi"], agency=bdttg, role="boss", title=" ", full_name="")
    assert set(refused.value.message_dict) == {"role", "title", "full_name"}
    holder = services.office_holder_add(
        user=users["dieuphoi"], agency=bdttg, role="head", title="Bộ  trưởng", full_name="Người Mới"
    )
    assert holder.title == "Bộ trưởng"  # normalised at the boundary
    assert not OfficeHolder.objects.exclude(pk=holder.pk).exists()


def test_agency_page_records_and_ends_a_holder(login, bdttg):
    client = login("dieuphoi")
    page = client.get("/agencies/BDTTG/").content.decode()
    assert "Record an office holder" in page and "(no holder recorded: the name line is left empty)" in page
    form = {
        "action": "add_holder",
        "role": "deputy",
        "title": "Thứ trưởng",
        "full_name": "Người Ký",
        "valid_from": "01/03/2025",
        "signs_reports": "1",
    }
    assert client.post("/agencies/BDTTG/", form).status_code == 302
    holder = OfficeHolder.objects.get(agency=bdttg)
    assert (holder.role, holder.valid_from, holder.signs_reports) == ("deputy", dt.date(2025, 3, 1), True)
    page = client.get("/agencies/BDTTG/").content.decode()
    assert "KT. BỘ TRƯỞNG / THỨ TRƯỞNG" in page and "Người Ký" in page
    bad = client.post("/agencies/BDTTG/", {**form, "valid_from": "32/13/2025"})
    assert bad.status_code == 422 and "32/13/2025 is not a date" in bad.content.decode()
    ended = client.post("/agencies/BDTTG/", {"action": "end_holder", "holder": holder.pk, "valid_to": "31/12/2025"})
    assert ended.status_code == 302
    holder.refresh_from_db()
    assert holder.valid_to == dt.date(2025, 12, 31)


def test_agency_page_is_read_only_for_others(login, bdttg):
    client = login("tinh.laocai")
    assert "Record an office holder" not in client.get("/agencies/BDTTG/").content.decode()
    form = {"action": "add_holder", "role": "head", "title": "Bộ trưởng", "full_name": "Ai Đó"}
    assert client.post("/agencies/BDTTG/", form).status_code == 403
    assert not OfficeHolder.objects.exists()
