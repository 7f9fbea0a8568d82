"""The map page and its exports, scoped to the user's area; the value source agrees with the indicators."""

import csv
import io
from decimal import Decimal
from pathlib import Path

from defusedxml import ElementTree

from ketnoi.indicators.models import DataElement
from ketnoi.indicators.selectors import element_total
from ketnoi.maps import selectors
from ketnoi.maps.importers import import_boundaries

SVG = "{http://www.w3.org/2000/svg}"
COMMUNES = Path(__file__).resolve().parents[1] / "data" / "maps" / "lao_cai_communes.geojson"
QUERY = "/maps/?element=ban_tin_dai_xa&period=2025&level=commune"


def _svg(response) -> str:
    html = response.content.decode()
    return html[html.index("<svg") : html.index("</svg>") + 6]


def test_provincial_officer_sees_only_the_province_as_symbols(login):
    response = login("tinh.laocai").get(QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Content-Security-Policy" in response.headers
        and "style-src 'self'" in response.headers["Content-Security-Policy"]
    )
    svg = ElementTree.fromstring(_svg(response))
    links = svg.findall(f".//{SVG}a")
    assert len(links) == 99  # Lào Cai's communes, placed at their coordinates
    assert all(a.get("href").startswith("/units/current/commune/") for a in links)
    assert "/units/current/commune/03037/" in html
    assert "/units/current/commune/00721/" not in html  # Tuyên Quang's Đồng Văn
    # Tả Van: 36 bulletins in each of two quarters; the table says so the Vietnamese way too.
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert any(t.startswith("Xã Tả Van: 72") for t in titles)
    assert 'tr data-code="03037"' in html and "Circle area is proportional" in html
    assert "<style" not in _svg(response) and " style=" not in html


def test_another_province_is_not_offered_and_refused(login):
    response = login("tinh.laocai").get(QUERY + "&within=08")
    assert response.status_code == 400
    assert "/units/current/commune/00721/" not in response.content.decode()
    assert login("tinh.laocai").get("/maps/map.svg?element=ban_tin_dai_xa&period=2025&within=08").status_code == 400


def test_commune_officer_sees_the_own_commune_only(login):
    html = login("xa.tavan").get(QUERY).content.decode()
    assert html.count('<a href="/units/current/commune/') == 2  # the shape and the table row
    assert "/units/current/commune/03037/" in html


def test_with_boundaries_the_page_draws_a_choropleth(login, db):
    import_boundaries(COMMUNES)
    response = login("tinh.laocai").get(QUERY + "&within=15&method=fixed&breaks=10%3B+50")
    assert response.status_code == 200
    svg = ElementTree.fromstring(_svg(response))
    paths = svg.findall(f".//{SVG}a/{SVG}path")
    assert len(paths) == 4  # the four imported communes are shapes …
    assert "95 units could not be placed" in response.content.decode()  # … and the other 95 are counted
    legend = [t.text for t in svg.iter(f"{SVG}text")]
    assert "≤ 10 (0)" in legend and "> 50 (1)" in legend


def test_bad_input_is_a_clear_400_not_a_500(login):
    client = login("tinh.laocai")
    response = client.get(QUERY + "&method=fixed&breaks=abc")
    assert response.status_code == 400 and "is not a number" in response.content.decode()
    assert client.get("/maps/?element=nope&period=2025").status_code == 400
    assert "Not a period" in client.get("/maps/?element=ban_tin_dai_xa&period=20x5").content.decode()
    assert client.get("/maps/").status_code == 200  # the empty form


def test_svg_and_csv_exports(login):
    client = login("tinh.laocai")
    svg = client.get("/maps/map.svg?element=ban_tin_dai_xa&period=2025&level=commune&within=15")
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
    assert svg["Content-Disposition"] == 'attachment; filename="ban_tin_dai_xa-2025-commune-15.svg"'
    root = ElementTree.fromstring(svg.content)
    assert root.tag == f"{SVG}svg" and len(root.findall(f".//{SVG}a")) == 99
    response = client.get("/maps/values.csv?element=ban_tin_dai_xa&period=2025&level=commune&within=15")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Code", "Unit", "Value", "Class"] and len(rows) == 100
    assert ["03037", "Xã Tả Van"] == rows[[r[0] for r in rows].index("03037")][:2]
    assert client.get("/maps/values.csv?period=2025").status_code == 400


def test_map_values_agree_with_the_indicators_selectors(db, unit):
    for code in ("ban_tin_dai_xa", "thon_tong_so"):
        element = DataElement.objects.get(code=code)
        communes = [unit("03037"), unit("00721"), unit("02647")]
        provinces = [unit("15"), unit("08")]
        values = selectors.map_values(element, period="2025", units=communes + provinces)
        for u in communes + provinces:
            assert values.get(u.pk) == element_total(element, period="2025", unit=u)
    element = DataElement.objects.get(code="ban_tin_dai_xa")
    assert selectors.map_values(element, period="2025Q1", units=[unit("03037")]) == {unit("03037").pk: Decimal(36)}


def test_national_coordinator_gets_every_commune_of_the_country(login):
    response = login("dieuphoi").get(QUERY)
    assert response.status_code == 200
    assert _svg(response).count("<a ") == 3321


def test_province_level_for_the_country_uses_the_province_roll_up(login, unit):
    response = login("dieuphoi").get("/maps/?element=ban_tin_dai_xa&period=2025&level=province&classes=3")
    assert response.status_code == 200
    svg = ElementTree.fromstring(_svg(response))
    assert len(svg.findall(f".//{SVG}a")) == 34
    assert "/units/current/province/15/" in _svg(response)
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    element = DataElement.objects.get(code="ban_tin_dai_xa")
    lao_cai = element_total(element, period="2025", unit=unit("15"))
    assert any(t.startswith(f"{unit('15').name}: {int(lao_cai)}") for t in titles)
