"""Exports provinces use as they are (issue 7.5): the files are read back with openpyxl and csv."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from ketnoi.core.exports import Sheet, csv_text, sheet_title, workbook_bytes
from ketnoi.programmes import selectors
from ketnoi.programmes.models import Programme, ProgressReport, Task

STATUS_CODES = {choice.value for choice in Task.Status}
STATE_CODES = {choice.value for choice in ProgressReport.State}


@pytest.fixture
def programme(db):
    return Programme.objects.get(code="ctph-922-2024")


def _book(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _assert_sheet_is_usable(sheet, header_row: int):
    """Frozen below the header, a bold header, and a width on every column of it."""
    assert sheet.freeze_panes == f"A{header_row + 1}"
    header = [cell for cell in sheet[header_row] if cell.value is not None]
    assert header and all(cell.font.bold for cell in header)
    for cell in header:
        width = sheet.column_dimensions[cell.column_letter].width
        assert width and 8 <= width <= 60, (cell.value, width)


def test_task_workbook(login, programme):
    book = _book(login("dieuphoi").get(f"/programmes/{programme.code}/tasks/?format=xlsx"))
    assert book.sheetnames == ["Nhiệm vụ"]
    sheet = book["Nhiệm vụ"]
    _assert_sheet_is_usable(sheet, 1)
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["Mã nhiệm vụ", "Nội dung phối hợp", "Nhiệm vụ", "Cơ quan chủ trì"]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    task = Task.objects.select_related("content_area", "lead_agency").get(programme=programme, code="1.1")
    row = rows["1.1"]
    # Codes replaced by labels: the content area, the lead agency as it is today, the status.
    assert row["Nội dung phối hợp"] == task.content_area.name_vi
    today = task.lead_agency.current_successors() or [task.lead_agency]
    assert row["Cơ quan chủ trì"] == "; ".join(a.name_vi for a in today)
    assert row["Cơ quan chủ trì"] != task.lead_agency.code
    statuses = {r["Tình trạng"] for r in rows.values()}
    assert statuses and not statuses & STATUS_CODES
    assert statuses <= {"Chưa triển khai", "Đang thực hiện", "Hoàn thành", "Đã hủy"}
    assert {r["Quá hạn"] for r in rows.values()} <= {"Có", "Không"}
    # Dates are dates (shown dd/mm/yyyy), not text.
    due_cells = [r[header.index("Thời hạn")] for r in sheet.iter_rows(min_row=2) if r[header.index("Thời hạn")].value]
    assert due_cells and all(isinstance(c.value, dt.datetime) and c.number_format == "dd/mm/yyyy" for c in due_cells)


def test_task_csv_is_utf8_with_bom_and_vietnamese(login, programme):
    response = login("dieuphoi").get(f"/programmes/{programme.code}/tasks/?format=csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows and all(row["Tình trạng"] not in STATUS_CODES for row in rows)
    due = [row["Thời hạn"] for row in rows if row["Thời hạn"]]
    assert due and all(dt.datetime.strptime(day, "%d/%m/%Y") for day in due)


def test_report_workbook_has_one_sheet_per_report_form(login, users, programme):
    reports = list(selectors.reports_for_user(user=users["tinh.laocai"], programme=programme, period="2025Q2"))
    book = _book(login("tinh.laocai").get(f"/programmes/{programme.code}/reports/?period=2025Q2&format=xlsx"))
    assert reports and len(book.sheetnames) == 1 + len(reports)
    assert book.sheetnames[0] == "Tổng hợp"

    summary = book["Tổng hợp"]
    _assert_sheet_is_usable(summary, 1)
    header = [cell.value for cell in summary[1]]
    assert header == [
        "Kỳ báo cáo",
        "Địa bàn",
        "Cơ quan báo cáo",
        "Trạng thái",
        "Hạn gửi",
        "Ngày gửi",
        "Đúng hạn",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Giá trị",
    ]
    lines = list(summary.iter_rows(min_row=2, values_only=True))
    assert {line[0] for line in lines} == {"Quý 2/2025"}
    assert not {line[3] for line in lines} & STATE_CODES
    assert all(line[1] != r.unit_key for line in lines for r in reports)  # unit names, not codes

    elements = list(selectors.report_elements(programme))
    checked = 0
    for report in reports:
        unit = report.unit.name if report.unit_id else "Trung ương"
        sheet = book[next(name for name in book.sheetnames[1:] if name.endswith(unit[:20]) or unit in name)]
        assert sheet["A1"].value.startswith("BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHƯƠNG TRÌNH 922/CTPH-BTTTT-UBDT")
        facts = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, max_row=7, max_col=2, values_only=True)}
        assert facts["Kỳ báo cáo"] == "Quý 2/2025"
        assert facts["Trạng thái"] not in STATE_CODES
        assert isinstance(facts["Hạn gửi"], dt.datetime)
        assert sheet.column_dimensions["A"].width >= len("Cơ quan báo cáo")  # the labels above fit
        header_row = next(i for i, row in enumerate(sheet.iter_rows(values_only=True), 1) if row[0] == "STT")
        _assert_sheet_is_usable(sheet, header_row)
        header = [cell.value for cell in sheet[header_row]]
        assert header[:3] == ["STT", "Chỉ tiêu", "Đơn vị tính"]
        body = list(sheet.iter_rows(min_row=header_row + 1, values_only=True))
        # Every element of the form is a row, in the form's order, with the report's own value.
        assert [row[1] for row in body] == [e.name_vi for e in elements]
        if report.unit_id is not None:
            own = {v.element.name_vi: v.value for v in selectors.report_values(report)}
            column = header.index("Giá trị kỳ báo cáo")
            for row in body:
                if row[1] in own:
                    assert isinstance(row[column], int | float) and Decimal(str(row[column])) == own[row[1]]
                    checked += 1
                else:
                    assert row[column] is None
        if report.unit_id is not None and report.unit.level == "province":
            assert "Tổng hợp các xã" in header  # the communes' roll-up beside the province's own values
    assert checked  # at least one value was compared


def test_report_csv_has_a_bom_and_labels(login, programme):
    response = login("tinh.laocai").get(f"/programmes/{programme.code}/reports/?period=2025Q2&format=csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows and all(row["Trạng thái"] not in STATE_CODES for row in rows)
    values = [row["Giá trị"] for row in rows if row["Giá trị"]]
    assert values and all(not value.endswith(".0000") for value in values)  # 8, not 8.0000


def test_sheet_names_are_valid_and_unique():
    assert sheet_title("Quý 2/2025 Xã [Tả] Van?") == "Quý 2-2025 Xã -Tả- Van-"
    assert len(sheet_title("x" * 40)) == 31
    assert sheet_title("Tả Van", ["tả van"]) == "Tả Van (2)"
    long = sheet_title("y" * 40, ["y" * 31])
    assert len(long) == 31 and long.endswith(" (2)")


def test_workbook_writes_numbers_dates_and_title_lines():
    content = workbook_bytes(
        [
            Sheet(
                "Biểu",
                ["Chỉ tiêu", "Giá trị", "Ngày"],
                [["Số xã", Decimal("1250.50"), dt.date(2025, 6, 30)], ["Số thôn", 7, None]],
                preamble=[["BÁO CÁO"], ["Địa bàn", "Tỉnh Lào Cai"], []],
            )
        ]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Biểu"]
    assert sheet["A1"].value == "BÁO CÁO" and sheet["A1"].font.bold
    assert sheet.freeze_panes == "A5"  # three title lines and the header stay in view
    assert [c.value for c in sheet[4]] == ["Chỉ tiêu", "Giá trị", "Ngày"]
    assert sheet["B5"].data_type == "n" and sheet["B5"].value == 1250.5 and sheet["B6"].value == 7
    assert sheet["C5"].value == dt.datetime(2025, 6, 30) and sheet["C5"].number_format == "dd/mm/yyyy"
    assert csv_text(["n"], [[Decimal("8.0000")], [dt.date(2025, 6, 30)]]).splitlines() == ["n", "8", "30/06/2025"]
