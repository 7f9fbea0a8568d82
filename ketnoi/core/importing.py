"""Reading tabular import files (CSV or XLSX) safely, with errors that name file, row and field.

Importers read the whole file first, validate every row, and only then write everything in one
transaction, so a bad file leaves nothing behind.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .text import fold, normalize_text

MAX_ERRORS_REPORTED = 50
XLSX_MAX_EXPANSION = 20  # an XLSX may unpack to at most 20x its size limit (zip-bomb guard)


@dataclass(frozen=True)
class RowError:
    filename: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.filename]
        if self.row is not None:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.field:
            parts.append(_("field %(field)s") % {"field": self.field})
        return ", ".join(parts) + ": " + self.message

    def as_dict(self) -> dict:
        return {"file": self.filename, "row": self.row, "field": self.field, "message": self.message}


class ImportFailed(Exception):
    """Raised with every problem found; nothing of the file has been written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors[:MAX_ERRORS_REPORTED]
        self.total = len(errors)
        super().__init__(self.summary())

    def summary(self) -> str:
        lines = [str(e) for e in self.errors]
        if self.total > len(self.errors):
            lines.append(_("… and %(n)s more problems") % {"n": self.total - len(self.errors)})
        return "\n".join(lines)


@dataclass
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "")


@dataclass
class Table:
    filename: str
    columns: list[str]
    rows: list[Row]


def limit_errors(filename: str, row: int, model, values: dict, *, columns: dict | None = None) -> list[RowError]:
    """The values of one row beyond the model's column limits (max_length, integer range), each named
    by its column in the file (``columns`` maps a model field to a file column where they differ)."""
    from .validation import field_limit_errors

    columns = columns or {}
    return [
        RowError(filename, row, columns.get(name, name), message)
        for name, messages in field_limit_errors(model, values).items()
        for message in messages
    ]


def _size_of(source) -> int:
    if isinstance(source, str | Path):
        return os.path.getsize(source)
    size = getattr(source, "size", None)
    if size is not None:
        return size
    position = source.tell()
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


def _read_bytes(source) -> bytes:
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    source.seek(0)
    data = source.read()
    return data if isinstance(data, bytes) else data.encode("utf-8")


def _header_key(name: str) -> str:
    return fold(normalize_text(name)).replace(" ", "_")


def read_table(
    source,
    *,
    filename: str | None = None,
    required: list[str],
    optional: list[str] = (),
    max_bytes: int | None = None,
    max_rows: int | None = None,
    multiline: tuple[str, ...] = (),
) -> Table:
    """Read a CSV (UTF-8) or XLSX file into normalised rows, or raise ImportFailed.

    A line break inside a value is refused except in the ``multiline`` columns: in a CSV file it is
    the sign of a quote left open, which would merge the following rows into one value."""
    filename = filename or os.path.basename(str(getattr(source, "name", source)))
    max_bytes = max_bytes or settings.IMPORT_MAX_BYTES
    max_rows = max_rows or settings.IMPORT_MAX_ROWS

    def fail(message, row=None, field_name=None):
        raise ImportFailed([RowError(filename, row, field_name, message)])

    size = _size_of(source)
    if size > max_bytes:
        fail(_("the file is %(size)s bytes; the limit is %(limit)s bytes") % {"size": size, "limit": max_bytes})
    if size == 0:
        fail(_("the file is empty"))
    data = _read_bytes(source)
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx" or data[:4] == b"PK\x03\x04":
        raw_rows = _xlsx_rows(data, filename, max_bytes)
    elif suffix in {".csv", ".txt", ".tsv", ""}:
        raw_rows = _csv_rows(data, filename)
    else:
        fail(_("unsupported file type %(suffix)s: use CSV (UTF-8) or XLSX") % {"suffix": suffix})

    try:
        header = next(raw_rows)
    except StopIteration:
        fail(_("the file has no header row"))
    columns = [_header_key(str(h or "")) for h in header]
    missing = [name for name in required if name not in columns]
    if missing:
        fail(
            _("missing column(s) %(missing)s; the file has %(found)s")
            % {"missing": ", ".join(missing), "found": ", ".join(c for c in columns if c) or "-"},
            row=1,
        )
    known = set(required) | set(optional)
    rows: list[Row] = []
    broken: list[RowError] = []
    for number, raw in enumerate(raw_rows, start=2):
        values = {}
        for index, name in enumerate(columns):
            if name not in known:
                continue
            cell = "" if index >= len(raw) or raw[index] is None else str(raw[index])
            if name not in multiline and ("\n" in cell or "\r" in cell):
                broken.append(
                    RowError(
                        filename,
                        number,
                        name,
                        _("a line break inside the value (is a quote left open?): %(start)s…")
                        % {"start": cell.splitlines()[0][:40] if cell.strip() else ""},
                    )
                )
            values[name] = normalize_text(cell, collapse_spaces=name not in multiline)
        if not any(values.values()):
            continue  # blank line
        rows.append(Row(number=number, values=values))
        if len(rows) > max_rows:
            fail(_("more than %(limit)s rows") % {"limit": max_rows}, row=number)
    if broken:
        raise ImportFailed(broken)
    if not rows:
        fail(_("the file has no data rows"))
    return Table(filename=filename, columns=columns, rows=rows)


def _csv_rows(data: bytes, filename: str):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFailed(
            [
                RowError(
                    filename,
                    line,
                    None,
                    _('the file is not UTF-8 encoded (byte 0x%(byte)02x); save it as "CSV UTF-8"')
                    % {"byte": data[exc.start]},
                )
            ]
        ) from None
    if "\x00" in text:
        raise ImportFailed([RowError(filename, None, None, _("the file contains NUL bytes; is it really CSV?"))])
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # strict: a quote left open is an error, not a value running to the end of the file.
    reader = csv.reader(io.StringIO(text, newline=""), dialect, strict=True)
    header: list[str] = []
    records, last_line = 0, 0
    try:
        for record in reader:
            if not records:
                header = record
            records += 1
            last_line = reader.line_num
            yield record
    except csv.Error as exc:
        # The broken record starts on the line after the last good one; name its column by the
        # delimiters before the first quote on that line.
        lines = text.splitlines()
        start = last_line + 1
        first = lines[start - 1] if 0 < start <= len(lines) else ""
        column = None
        if '"' in first:
            index = first[: first.index('"')].count(dialect.delimiter)
            column = _header_key(header[index]) if index < len(header) else None
        raise ImportFailed(
            [
                RowError(
                    filename,
                    records + 1,
                    column,
                    _("malformed CSV (%(e)s): a quote opened on line %(line)s is not closed properly")
                    % {"e": exc, "line": start},
                )
            ]
        ) from None


def _xlsx_rows(data: bytes, filename: str, max_bytes: int):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFailed([RowError(filename, None, None, _("not a valid XLSX file"))]) from None
    if unpacked > max_bytes * XLSX_MAX_EXPANSION:
        raise ImportFailed([RowError(filename, None, None, _("the XLSX file unpacks to an unsafe size"))])
    import openpyxl  # uses defusedxml when installed: no external entities, no entity expansion

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ImportFailed(
            [RowError(filename, None, None, _("not a readable XLSX file: %(e)s") % {"e": exc})]
        ) from None
    sheet = workbook.worksheets[0]
    rows_read = 0
    try:
        for values in sheet.iter_rows(values_only=True):
            rows_read += 1
            yield ["" if v is None else _cell_text(v) for v in values]
    except ImportFailed:
        raise
    except Exception as exc:  # damaged or hostile sheet XML (entities are refused by defusedxml)
        raise ImportFailed(
            [RowError(filename, rows_read + 1, None, _("not a readable XLSX sheet: %(e)s") % {"e": exc})]
        ) from None
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def import_page(request, form_class, importers: dict, template: str):
    """The page of a file import: a form with ``kind`` (a key of ``importers``) and ``file``; on a
    good POST the importer runs, all rows or none. 422 when the form or the file is refused, so the
    page shows every row and field error and nothing was written."""
    from django.shortcuts import render

    form = form_class(request.POST or None, request.FILES or None)
    errors, result = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = importers[form.cleaned_data["kind"]](upload, user=request.user, filename=upload.name)
        except ImportFailed as exc:
            errors = exc
    failed = errors is not None or (request.method == "POST" and not form.is_valid())
    context = {"form": form, "errors": errors, "result": result}
    return render(request, template, context, status=422 if failed else 200)
