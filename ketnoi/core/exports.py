"""Spreadsheet exports (CSV, XLSX) that cannot carry a live formula (issue 11.4).

Text typed by a user (a task title, a finding, a village name) that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is read as a formula by spreadsheet programs ("CSV injection"):
``=HYPERLINK("http://…", "click")`` or ``=cmd|' /C calc'!A0``. Every export goes through
``tabular_response``, which writes such text so it stays text:

- CSV: the cell gets a leading apostrophe (``'=1+1``), the form spreadsheet programs show as text;
- XLSX: the cell is written as a string cell, never as a formula, and also gets the apostrophe, so the
  file saved again as CSV by a spreadsheet program stays harmless.

Numbers stay numbers: an int, float or Decimal is written as a number (a negative number is not text),
and so is text that is only a number ("-12", "+84 912 345 678" is not: it has spaces).

Files that provinces use as they are (issue 7.5): a workbook has named sheets (``Sheet``), the header
row is frozen and bold, every column has a width from its content, dates are date cells shown
dd/mm/yyyy, and a sheet may start with title lines above its table (the layout of a report form).
CSV is UTF-8 with a BOM, dates dd/mm/yyyy. The callers give labels, not codes, and Vietnamese headers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)([eE][+-]?\d+)?$")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """The value as it is safe to put in a spreadsheet cell."""
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def safe_row(row) -> list:
    return [neutralise(value) for value in row]


def _csv_value(value):
    if isinstance(value, Decimal) and value.is_finite():
        return format(value.normalize(), "f")  # 8.0000 is written 8, 1250.50 is 1250.5
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return value


def csv_text(header, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow([_csv_value(value) for value in safe_row(row)])
    return buffer.getvalue()


SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
WIDTH_MIN, WIDTH_MAX = 8, 60
WIDTH_SAMPLE = 1000  # widths are taken from the header and the first rows


@dataclass
class Sheet:
    """One sheet of a workbook: its name, optional title lines above the table, the header and the rows."""

    title: str
    header: list[str]
    rows: Iterable[list]
    preamble: list[list] = field(default_factory=list)  # lines above the table (a report form's heading)
    widths: list[float] | None = None  # in characters; from the content when not given


def sheet_title(text: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\."""
    base = _SHEET_FORBIDDEN.sub("-", str(text)).strip().strip("'") or "Sheet"
    base = base[:SHEET_NAME_MAX]
    taken = {t.lower() for t in taken}
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        number += 1
    return name


def _display_length(value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, bool | int | float | Decimal):
        return len(f"{value:,}") if not isinstance(value, bool) else 5
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_widths(header, rows) -> list[float]:
    """Each column as wide as its longest value (header included), between 8 and 60 characters."""
    widths = [_display_length(title) for title in header]
    for row in rows[:WIDTH_SAMPLE]:
        for index, value in enumerate(row):
            if index < len(widths):
                widths[index] = max(widths[index], _display_length(value))
    return [min(max(width + 2, WIDTH_MIN), WIDTH_MAX) for width in widths]


def _naive(value: dt.datetime) -> dt.datetime:
    """XLSX has no time zones: an aware time is written as the local wall-clock time."""
    if value.tzinfo is None:
        return value
    from django.utils import timezone

    return timezone.localtime(value).replace(tzinfo=None)


def _cells(sheet, row, font=None, alignment=None):
    from openpyxl.cell import WriteOnlyCell

    out = []
    for value in safe_row(row):
        if isinstance(value, dt.datetime):
            value = _naive(value)
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never "f": openpyxl would make text starting with "=" a formula
        elif isinstance(value, dt.datetime):
            cell.number_format = "dd/mm/yyyy hh:mm"
        elif isinstance(value, dt.date):
            cell.number_format = "dd/mm/yyyy"
        elif isinstance(value, float | Decimal) and value != int(value):
            cell.number_format = "#,##0.##"
        elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            cell.number_format = "#,##0"
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        out.append(cell)
    return out


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    """An XLSX workbook: named sheets, bold frozen header row, column widths, numbers and dates typed."""
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook(write_only=True)
    bold, title_font = Font(bold=True), Font(bold=True, size=13)
    wrap = Alignment(wrap_text=True, vertical="top")
    taken: list[str] = []
    for spec in sheets:
        name = sheet_title(spec.title, taken)
        taken.append(name)
        sheet = workbook.create_sheet(name)
        rows = list(spec.rows)
        # Label and value lines above the table count for the widths; a one-cell title line spills over.
        pairs = [line for line in spec.preamble if len(line) > 1]
        widths = spec.widths or column_widths(spec.header, pairs + rows)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        header_row = len(spec.preamble) + 1
        sheet.freeze_panes = f"A{header_row + 1}"  # the header stays in view when scrolling

        for number, line in enumerate(spec.preamble):
            sheet.append(_cells(sheet, line, font=title_font if number == 0 else bold))
        sheet.append(_cells(sheet, spec.header, font=bold, alignment=wrap))
        for row in rows:
            sheet.append(_cells(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(header, rows, title: str = "Sheet") -> bytes:
    return workbook_bytes([Sheet(title, list(header), rows)])


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """CSV, UTF-8 with a byte-order mark so spreadsheet programs (Excel) read Vietnamese."""
    response = HttpResponse("\ufeff" + csv_text(header, rows), content_type="text/csv; charset=utf-8")
    return _attachment(response, f"{filename}.csv")


def workbook_response(filename: str, sheets: list[Sheet]) -> HttpResponse:
    return _attachment(HttpResponse(workbook_bytes(sheets), content_type=XLSX_TYPE), f"{filename}.xlsx")


def tabular_response(filename: str, header: list[str], rows, file_format: str, *, title: str = "") -> HttpResponse:
    """CSV (UTF-8 with BOM) or XLSX (one sheet named ``title``), formula-safe."""
    if file_format == "xlsx":
        return workbook_response(filename, [Sheet(title or filename, list(header), rows)])
    return csv_response(filename, header, rows)
