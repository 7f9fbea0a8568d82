"""The programme's spreadsheet exports, as provinces file them (issue 7.5).

An export is a Vietnamese document whatever the interface language, like the reviews and the print
view: headers are Vietnamese, codes are replaced by labels (a status by its name, a unit code by the
unit's name, an agency code by the agency's name as it is today, an element code by its name), numbers
are numbers and dates are dates. The files are written by ``core.exports`` (formula-safe, named
sheets, frozen header, widths).

The progress-report workbook has a first sheet with every report and value in one table (the same
rows as the CSV) and then one sheet per report laid out like the report form: its heading (programme,
agency, area, period, state, dates) and its data elements as rows with their values, beside the
roll-up of the units below for a province's or the central report.
"""

from __future__ import annotations

from django.utils import timezone, translation

from ketnoi.core.exports import Sheet, csv_response, workbook_response
from ketnoi.indicators.periods import period_label

from . import selectors
from .models import Recurrence, Task

YES, NO = "Có", "Không"
CENTRAL = "Trung ương"
REPORT_SHEETS_MAX = 250  # one sheet per report up to this many; the first sheet always has them all

TASK_HEADER = [
    "Mã nhiệm vụ",
    "Nội dung phối hợp",
    "Nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Ngày bắt đầu",
    "Thời hạn",
    "Định kỳ",
    "Sản phẩm",
    "Tình trạng",
    "Quá hạn",
    "Chỉ tiêu",
]

REPORT_HEADER = [
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


def _label(choice) -> str:
    """A choice's label in Vietnamese, capitalised as a cell begins: "Đang thực hiện"."""
    with translation.override("vi"):
        text = str(choice.label)
    return text[:1].upper() + text[1:]


def _agency_name(agency) -> str:
    """The agency as it is today (its successors if it was merged)."""
    current = agency.current_successors() or [agency]
    return "; ".join(a.name_vi for a in current)


def _unit_name(unit) -> str:
    if unit is None:
        return CENTRAL
    if unit.level == "commune" and getattr(unit, "province", None) is not None and unit.province_id != unit.pk:
        return f"{unit.name}, {unit.province.name}"
    return unit.name


def _yes_no(flag) -> str:
    return {True: YES, False: NO, None: ""}[flag]


# --- tasks -----------------------------------------------------------------------------------------


def task_rows(states) -> list[list]:
    rows = []
    for state in states:
        task = state.task
        rows.append(
            [
                task.code,
                task.content_area.name_vi,
                task.title_vi,
                _agency_name(task.lead_agency),
                "; ".join(_agency_name(a) for a in task.co_agencies.all()),
                task.start_date,
                task.due_date,
                _label(Recurrence(task.recurrence)),
                task.deliverable,
                _label(Task.Status(state.status)),
                _yes_no(bool(state.overdue)),
                "; ".join(i.name_vi for i in task.indicators.all()),
            ]
        )
    return rows


def task_export(programme, states, file_format: str):
    filename = f"nhiem-vu-{programme.code}"
    rows = task_rows(states)
    if file_format == "xlsx":
        return workbook_response(filename, [Sheet("Nhiệm vụ", TASK_HEADER, rows)])
    return csv_response(filename, TASK_HEADER, rows)


# --- progress reports ---------------------------------------------------------------------------


def _period(code: str) -> str:
    with translation.override("vi"):
        return period_label(code, "vi")


def _submitted(report):
    return timezone.localtime(report.submitted_at) if report.submitted_at else None


def report_rows(reports) -> list[list]:
    """One row per report and value (a report without values has one row with the value empty)."""
    rows = []
    for report in reports:
        base = [
            _period(report.period),
            _unit_name(report.unit),
            _agency_name(report.agency),
            _label(report.State(report.state)),
            report.due_date,
            _submitted(report),
            _yes_no(report.on_time),
        ]
        values = selectors.report_values(report)
        if not values:
            rows.append(base + ["", "", None])
        for value in values:
            rows.append(base + [value.element.name_vi, value.element.unit_label, value.value])
    return rows


def report_form_sheet(report, elements) -> Sheet:
    """One report as its form: the heading, then each data element with the report's value (and the
    roll-up of the units below for a province's or the central report)."""
    own = {v.element_id: v.value for v in selectors.report_values(report)}
    rollup = selectors.report_rollup(report)
    rolled = {row.element.pk: row for row in rollup.rows} if rollup else {}
    below = "xã" if rollup and rollup.level == "commune" else "tỉnh"
    header = ["STT", "Chỉ tiêu", "Đơn vị tính"]
    if report.unit_id is not None:
        header.append("Giá trị kỳ báo cáo")
    if rollup:
        header += [f"Tổng hợp các {below}", f"Số {below} có số liệu", f"Số {below} phải báo cáo"]
    rows = []
    for number, element in enumerate(elements, start=1):
        row = [number, element.name_vi, element.unit_label]
        if report.unit_id is not None:
            row.append(own.get(element.pk))
        if rollup:
            item = rolled.get(element.pk)
            row += [item.combined, item.reported, item.expected] if item else [None, None, None]
        rows.append(row)
    submitted = _submitted(report)
    preamble = [
        [f"BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHƯƠNG TRÌNH {report.programme.document.number_symbol}"],
        ["Cơ quan báo cáo", _agency_name(report.agency)],
        ["Địa bàn", _unit_name(report.unit)],
        ["Kỳ báo cáo", _period(report.period)],
        ["Trạng thái", _label(report.State(report.state))],
        ["Hạn gửi", report.due_date],
        ["Ngày gửi", submitted if submitted else "—"],
        [],
    ]
    unit = report.unit.name if report.unit_id else CENTRAL
    title = f"{_period(report.period).replace('/', '.')} {unit}"
    return Sheet(title, header, rows, preamble=preamble)


def report_export(programme, reports, file_format: str):
    filename = f"bao-cao-{programme.code}"
    reports = list(reports)
    rows = report_rows(reports)
    if file_format != "xlsx":
        return csv_response(filename, REPORT_HEADER, rows)
    sheets = [Sheet("Tổng hợp", REPORT_HEADER, rows)]
    elements = list(selectors.report_elements(programme))
    for report in reports[:REPORT_SHEETS_MAX]:
        sheets.append(report_form_sheet(report, elements))
    if len(reports) > REPORT_SHEETS_MAX:
        sheets[0].preamble = [
            [
                f"Có {len(reports)} báo cáo; {REPORT_SHEETS_MAX} báo cáo đầu có biểu riêng. "
                "Chọn một kỳ báo cáo để có biểu của các báo cáo còn lại."
            ]
        ]
    return workbook_response(filename, sheets)
