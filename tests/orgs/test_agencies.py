import datetime as dt

from ketnoi.orgs.models import Agency
from ketnoi.orgs.selectors import agency_search


def test_cema_is_followed_to_the_ministry_of_ethnic_and_religious_affairs(db):
    cema = Agency.objects.get(code="UBDT")
    assert cema.valid_to == dt.date(2025, 2, 28)
    successors = cema.current_successors(day=dt.date(2026, 1, 1))
    assert [a.code for a in successors] == ["BDTTG"]
    assert cema.current_successors(day=dt.date(2024, 6, 4)) == [cema]


def test_mic_has_2025_successors(db):
    mic = Agency.objects.get(code="BTTTT")
    codes = {a.code for a in mic.current_successors(day=dt.date(2026, 1, 1))}
    assert {"BKHCN", "BVHTTDL"} <= codes


def test_every_current_province_and_commune_has_its_peoples_committee(db):
    assert Agency.objects.filter(kind="provincial_committee").count() == 34
    assert Agency.objects.filter(kind="commune_committee").count() == 3321
    committee = Agency.objects.get(code="UBNDX-03037")
    assert committee.unit.code == "03037" and committee.name_vi == "Ủy ban nhân dân xã Tả Van"


def test_agency_search_ignores_diacritics(db):
    assert Agency.objects.get(code="BDTTG") in agency_search(query="bo dan toc va ton giao")
    assert agency_search(query="uy ban dan toc").filter(code="UBDT").exists()
