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
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
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


def csv_text(header, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return buffer.getvalue()


def xlsx_bytes(header, rows) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()

    def cells(row):
        out = []
        for value in safe_row(row):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never "f": openpyxl would make text starting with "=" a formula
            out.append(cell)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def tabular_response(filename: str, header: list[str], rows, file_format: str) -> HttpResponse:
    """CSV (UTF-8 with BOM so spreadsheet programs read Vietnamese) or XLSX, formula-safe."""
    if file_format == "xlsx":
        response = HttpResponse(xlsx_bytes(header, rows), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    response = HttpResponse("\ufeff" + csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
