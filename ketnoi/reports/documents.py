"""A review as an administrative document (Decree 30/2020/NĐ-CP): composed once, rendered as DOCX and PDF.

``compose`` turns a ``ReviewData`` into a ``ReviewDocument``: the header components, the body written in
Vietnamese from the figures, the signature block, the recipients and the appendix tables. The DOCX
(python-docx) and the PDF (WeasyPrint, template reports/review.html) both render that one object, so
the two files say the same thing. The document is Vietnamese whatever the interface language: it is
an official text, not part of the interface.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.orgs.models import Agency
from ketnoi.orgs.titles import signature

from .selectors import ANNUAL, FINAL, MIDTERM, IndicatorFigure, ReviewData, TaskRow

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
FORMATS = {"docx": DOCX_TYPE, "pdf": PDF_TYPE}
FONT = "Times New Roman"
# The PDF has one serif family, vendored (SIL OFL 1.1, fonts/OFL.txt): every Vietnamese glyph is in it, so
# no character falls back to another font, and the file looks the same on any machine (no system fonts).
PDF_FONT_FAMILY = "Noto Serif"
PDF_FONT_DIR = Path(__file__).resolve().parent / "fonts"
PDF_FONT_FACES = (  # (file, weight, style)
    ("noto-serif-vi-regular.ttf", "normal", "normal"),
    ("noto-serif-vi-bold.ttf", "bold", "normal"),
    ("noto-serif-vi-italic.ttf", "normal", "italic"),
    ("noto-serif-vi-bold-italic.ttf", "bold", "italic"),
)
PDF_FONTS = f'"{PDF_FONT_FAMILY}"'
MOTTO_COUNTRY = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DRAFTING_UNIT = "VP"  # the office (Văn phòng) is assumed to draft; change it in the DOCX if another unit did
KIND_SLUGS = {ANNUAL: "so-ket-nam", MIDTERM: "so-ket-giua-ky", FINAL: "tong-ket"}


# --- formatting --------------------------------------------------------------------------------


def fmt_number(value) -> str:
    """Vietnamese number: 1.234,5 (dot for thousands, comma for decimals); "—" when there is none."""
    if value is None:
        return "—"
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, fraction = f"{abs(value):.2f}".split(".")
    fraction = fraction.rstrip("0")
    text = f"{int(whole):,}".replace(",", ".") + ("," + fraction if fraction else "")
    return ("-" if value < 0 else "") + text


def parse_number(text: str) -> Decimal | None:
    """The inverse of fmt_number (for reading documents back)."""
    text = (text or "").strip().rstrip("%").strip()
    if text in ("", "—"):
        return None
    return Decimal(text.replace(".", "").replace(",", "."))


def fmt_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def place_date(place: str, day: dt.date) -> str:
    """ "Hà Nội, ngày 05 tháng 01 năm 2026": days below 10 and months 1–2 take a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _with_unit(value, unit_label: str) -> str:
    text = fmt_number(value)
    if value is None or not unit_label:
        return text
    return f"{text}{unit_label}" if unit_label == "%" else f"{text} {unit_label}"


def _in_sentence(name: str) -> str:
    """ "Tỉnh Lào Cai" inside a sentence is "tỉnh Lào Cai" (the unit type is not a proper name)."""
    for prefix in ("Tỉnh ", "Thành phố "):
        if name.startswith(prefix):
            return prefix.lower() + name[len(prefix) :]
    return name


def _join(names: list[str]) -> str:
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " và " + names[-1]


# --- the document --------------------------------------------------------------------------------


@dataclass
class Block:
    style: str  # h1 (I. …), h2 (1. …), p (paragraph), li ("- " item), note (bracketed, for the drafter)
    text: str


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    widths: list[int]  # relative widths
    total: list[str] | None = None


@dataclass
class ReviewDocument:
    parent_body: str
    issuing_body: str
    issuer_code: str
    number_line: str
    place_date: str
    doc_type: str
    summary: str
    body: list[Block]
    authority: list[str]
    signer_name: str
    recipients: list[str]
    appendix_title: list[str]
    appendix_note: str
    tables: list[Table]
    draft: bool
    filename_stem: str
    data: ReviewData = field(repr=False, default=None)

    def filename(self, fmt: str) -> str:
        return f"{self.filename_stem}.{fmt}"


def _labels(data: ReviewData) -> dict[str, str]:
    start, end, year = data.programme_start.year, data.programme_end.year, int(data.period)
    if data.kind == ANNUAL:
        return {
            "title": f"Sơ kết năm {year}",
            "during": f"Năm {year}",
            "next": f"năm {year + 1}" if year < end else "giai đoạn tiếp theo",
        }
    if data.kind == MIDTERM:
        return {
            "title": f"Sơ kết giữa kỳ giai đoạn {start}–{year}",
            "during": f"Từ năm {start} đến hết năm {year}",
            "next": f"giai đoạn {year + 1}–{end}",
        }
    return {
        "title": f"Tổng kết giai đoạn {start}–{end}",
        "during": f"Giai đoạn {start}–{end}",
        "next": "giai đoạn tiếp theo",
    }


def _issuer(data: ReviewData, issuer_code: str | None, user) -> Agency:
    """The issuing body: the numbered review's; else the one asked for; else the user's agency when it
    is a party; else the first party (as it is on the document's date)."""
    current = [agency.code for party in data.parties for agency in party.current]
    if data.issued is not None:
        code = data.issued.issuer
    elif issuer_code:
        code = issuer_code.strip().upper()
        if code not in current:
            raise ValidationError(
                {
                    "issuer": _("%(issuer)r is not a current party of the programme (use one of: %(codes)s).")
                    % {"issuer": code, "codes": ", ".join(current)}
                }
            )
    else:
        user_agency = getattr(getattr(user, "agency", None), "code", None)
        code = user_agency if user_agency in current else current[0]
    return Agency.objects.select_related("parent").get(code=code)


def _signature(issuer: Agency, day: dt.date) -> tuple[list[str], str]:
    """The issuing body's signature block on the document's date: from its office holders then (the
    head, or the deputy who signs its reports under "KT."), never from the programme's original
    signers, whose bodies may no longer exist. No holder recorded: the head's title, an empty name."""
    block = signature(issuer, day)
    return block.lines, block.name


def _figure_sentence(figure: IndicatorFigure, year: str) -> str:
    name = f"Chỉ tiêu “{figure.name}”"
    if figure.value is None:
        target = f" (mục tiêu {_with_unit(figure.target, figure.unit_label)})" if figure.target is not None else ""
        return f"{name}: chưa có số liệu năm {year}{target}."
    value = _with_unit(figure.value, figure.unit_label)
    if figure.target is None:
        return f"{name}: đạt {value}; chưa giao mục tiêu năm {year}."
    baseline = f"; giá trị gốc {_with_unit(figure.baseline, figure.unit_label)}" if figure.baseline is not None else ""
    verdict = "đạt mục tiêu" if figure.met else "chưa đạt mục tiêu"
    return (
        f"{name}: đạt {value} so với mục tiêu {_with_unit(figure.target, figure.unit_label)}, "
        f"bằng {fmt_number(figure.achievement)}% mục tiêu{baseline} — {verdict}."
    )


def _province_sentence(figures: list[IndicatorFigure]) -> str:
    parts = []
    for figure in figures:
        if figure.value is None:
            parts.append(
                f"{figure.area_name} chưa có số liệu (mục tiêu {_with_unit(figure.target, figure.unit_label)})"
            )
        else:
            parts.append(
                f"{figure.area_name} đạt {_with_unit(figure.value, figure.unit_label)}/"
                f"{_with_unit(figure.target, figure.unit_label)} ({fmt_number(figure.achievement)}%)"
            )
    return "Theo địa phương có giao mục tiêu: " + "; ".join(parts) + "."


def _counts_sentence(counts, lead: str) -> str:
    text = (
        f"{lead} {counts.total} nhiệm vụ: {counts.done} nhiệm vụ hoàn thành, {counts.in_progress} nhiệm vụ "
        f"đang thực hiện, {counts.not_started} nhiệm vụ chưa triển khai"
    )
    if counts.cancelled:
        text += f", {counts.cancelled} nhiệm vụ dừng thực hiện"
    return text + f"; {counts.overdue} nhiệm vụ quá hạn."


def _task_item(row: TaskRow) -> str:
    due = f", thời hạn {fmt_date(row.due_date)}" if row.due_date else ""
    return f"- {row.code} {row.title}: {row.status_label.lower()} (chủ trì: {row.lead}{due})."


def _pct(part: int, whole: int) -> str:
    return fmt_number(Decimal(100 * part) / whole) if whole else "—"


def _body(data: ReviewData, labels: dict[str, str]) -> list[Block]:
    blocks: list[Block] = []
    add = lambda style, text: blocks.append(Block(style, text))  # noqa: E731
    counts, year = data.counts, data.period
    original = [p.original.name for p in data.parties]
    national = [f for f in data.indicators if f.national]
    provincial = [f for f in data.indicators if not f.national]
    total = data.rates_total

    # I. Situation
    add("h1", "I. ĐẶC ĐIỂM TÌNH HÌNH")
    signed = f" ngày {fmt_date(data.signed_on)}" if data.signed_on else ""
    add(
        "p",
        f"Chương trình phối hợp số {data.number_symbol}{signed} giữa {_join(original)} ({data.programme_name}) "
        f"được triển khai trong giai đoạn {data.programme_start.year}–{data.programme_end.year}, gồm "
        f"{len(data.areas)} nội dung phối hợp; đến hết kỳ báo cáo có {counts.total} nhiệm vụ được giao thực hiện.",
    )
    for party in data.parties:
        if party.succeeded:
            add(
                "p",
                f"Sau khi sắp xếp lại tổ chức bộ máy, nhiệm vụ của {party.original.name} theo Chương trình do "
                f"{_join([a.name for a in party.current])} tiếp nhận và tiếp tục thực hiện.",
            )
    add(
        "p",
        f"Báo cáo được tổng hợp từ dữ liệu trên hệ thống Kết Nối tính đến ngày {fmt_date(data.as_of)}: tình trạng "
        f"thực hiện nhiệm vụ, số liệu {len(national)} chỉ tiêu so với mục tiêu và {total.expected} báo cáo định kỳ "
        f"của các cơ quan, địa phương ({total.submitted} báo cáo đã gửi).",
    )

    # II. Results
    add("h1", "II. KẾT QUẢ THỰC HIỆN")
    add("p", _counts_sentence(counts, f"{labels['during']}, các cơ quan đã triển khai"))
    for number, area in enumerate(data.areas, start=1):
        add("h2", f"{number}. {area.name}")
        if not area.tasks:
            add("p", "Chưa có nhiệm vụ nào của nội dung này đến hết kỳ báo cáo.")
        else:
            add("p", _counts_sentence(area.counts, "Nội dung này có"))
        for figure in [f for f in area.indicators if f.national]:
            add("p", _figure_sentence(figure, year))
            local = [f for f in area.indicators if not f.national and f.code == figure.code]
            if local:
                add("p", _province_sentence(local))
        for row in area.tasks:
            add("li", _task_item(row))
    if data.narratives:
        add("h2", f"{len(data.areas) + 1}. Báo cáo của các cơ quan, địa phương")
        for narrative in data.narratives:
            paragraphs = [part.strip() for part in narrative.text.split("\n") if part.strip()]
            add("p", f"{narrative.unit_name} ({narrative.agency_name}, kỳ {narrative.period}): {paragraphs[0]}")
            for part in paragraphs[1:]:
                add("p", part)

    # III. Assessment
    add("h1", "III. ĐÁNH GIÁ CHUNG")
    add("h2", "1. Ưu điểm")
    met = [f for f in national if f.met]
    measured = [f for f in national if f.met is not None]
    strengths = []
    if counts.done:
        strengths.append(f"- Đã hoàn thành {counts.done}/{counts.total} nhiệm vụ ({_pct(counts.done, counts.total)}%).")
    if met:
        strengths.append(
            f"- {len(met)}/{len(measured)} chỉ tiêu có số liệu đạt hoặc vượt mục tiêu: "
            + "; ".join(f"{f.name} ({fmt_number(f.achievement)}%)" for f in met)
            + "."
        )
    if total.expected and total.submitted == total.expected:
        strengths.append(
            f"- Các cơ quan, địa phương gửi đủ {total.submitted}/{total.expected} báo cáo định kỳ, "
            f"{total.on_time} báo cáo đúng hạn."
        )
    for item in strengths or ["- Dữ liệu của kỳ báo cáo chưa ghi nhận kết quả nổi bật."]:
        add("li", item)

    add("h2", "2. Tồn tại, hạn chế và nguyên nhân")
    overdue = [row for row in data.tasks if row.overdue]
    unmet = [f for f in national if f.met is False]
    unmet_local = [f for f in provincial if f.met is False]
    missing = [f for f in national if f.value is None]
    gaps = [
        r
        for r in data.rates
        if r.group == "level" and r.expected and (r.submitted < r.expected or r.on_time < r.submitted)
    ]
    shortcomings = []
    if overdue:
        shortcomings.append(
            f"- Còn {len(overdue)} nhiệm vụ quá hạn chưa hoàn thành: "
            + "; ".join(f"{row.code} (chủ trì: {row.lead})" for row in overdue)
            + "."
        )
    if counts.not_started:
        shortcomings.append(f"- {counts.not_started} nhiệm vụ chưa triển khai.")
    if unmet:
        shortcomings.append(
            f"- {len(unmet)} chỉ tiêu chưa đạt mục tiêu: "
            + "; ".join(f"{f.name} ({fmt_number(f.achievement)}% mục tiêu)" for f in unmet)
            + "."
        )
    if unmet_local:
        shortcomings.append(
            "- Ở cấp tỉnh, chưa đạt mục tiêu: "
            + "; ".join(f"{f.area_name} — {f.name} ({fmt_number(f.achievement)}%)" for f in unmet_local)
            + "."
        )
    if missing:
        shortcomings.append(
            f"- {len(missing)} chỉ tiêu chưa có số liệu năm {year}: " + "; ".join(f.name for f in missing) + "."
        )
    if total.expected and (total.submitted < total.expected or total.on_time < total.submitted):
        shortcomings.append(
            f"- Chế độ báo cáo chưa nghiêm: {total.submitted}/{total.expected} báo cáo đã gửi "
            f"({fmt_number(total.rate)}%), {total.submitted - total.on_time} báo cáo gửi chậm."
        )
    for item in shortcomings or ["- Dữ liệu của kỳ báo cáo không cho thấy tồn tại, hạn chế."]:
        add("li", item)
    if missing or gaps:
        add(
            "p",
            "Nguyên nhân: một phần do số liệu và báo cáo định kỳ của một số cơ quan, địa phương chưa được cập nhật "
            "đầy đủ, kịp thời trên hệ thống.",
        )
    add("note", "[Cơ quan soạn thảo bổ sung nguyên nhân khách quan, chủ quan.]")

    add("h2", "3. Bài học kinh nghiệm")
    lessons = []
    if overdue:
        lessons.append(
            "- Cần theo dõi sát tiến độ các nhiệm vụ có thời hạn và nhắc việc sớm với cơ quan chủ trì để tránh quá hạn."
        )
    if gaps or missing:
        lessons.append("- Báo cáo định kỳ đầy đủ, đúng hạn là điều kiện để đánh giá kết quả chính xác, kịp thời.")
    if not lessons:
        lessons.append("- Duy trì cơ chế phối hợp, chia sẻ số liệu thường xuyên giữa các bên.")
    for item in lessons:
        add("li", item)
    add("note", "[Cơ quan soạn thảo bổ sung bài học kinh nghiệm từ thực tiễn chỉ đạo, điều hành.]")

    # IV. Direction
    add("h1", f"IV. PHƯƠNG HƯỚNG, NHIỆM VỤ {labels['next'].upper()}")
    directions = []
    if overdue:
        directions.append(
            f"- Tập trung hoàn thành {len(overdue)} nhiệm vụ quá hạn: " + "; ".join(r.code for r in overdue) + "."
        )
    if counts.in_progress:
        directions.append(f"- Tiếp tục thực hiện {counts.in_progress} nhiệm vụ đang triển khai.")
    if counts.not_started:
        directions.append(f"- Khẩn trương triển khai {counts.not_started} nhiệm vụ chưa bắt đầu.")
    if unmet:
        directions.append(
            "- Có giải pháp nâng cao kết quả các chỉ tiêu chưa đạt: " + "; ".join(f.name for f in unmet) + "."
        )
    if data.next_targets:
        directions.append(
            f"- Phấn đấu đạt các mục tiêu năm {data.next_targets[0].period}: "
            + "; ".join(f"{f.name}: {_with_unit(f.target, f.unit_label)}" for f in data.next_targets)
            + "."
        )
    if data.kind == FINAL:
        directions.append("- Tổng kết, đánh giá toàn diện và đề xuất nội dung phối hợp giai đoạn tiếp theo.")
    for item in directions or ["- Duy trì kết quả đã đạt được."]:
        add("li", item)

    # V. Proposals
    add("h1", "V. KIẾN NGHỊ, ĐỀ XUẤT")
    proposals = []
    leads = sorted({row.lead for row in overdue})
    if leads:
        proposals.append(
            f"- Đề nghị {_join(leads)} ưu tiên nguồn lực hoàn thành các nhiệm vụ quá hạn do đơn vị chủ trì."
        )
    if gaps:
        proposals.append(
            f"- Đề nghị {_join([r.label for r in gaps])} thực hiện đầy đủ, đúng hạn chế độ báo cáo định kỳ."
        )
    provinces = sorted({_in_sentence(f.area_name) for f in unmet_local})
    if provinces:
        proposals.append(
            f"- Đề nghị Ủy ban nhân dân {_join(provinces)} chỉ đạo các cơ quan chuyên môn có giải pháp đạt mục tiêu "
            f"được giao."
        )
    for item in proposals:
        add("li", item)
    add("note", "[Cơ quan soạn thảo bổ sung kiến nghị với Chính phủ, các bộ, ngành và địa phương.]")
    return blocks


def _tables(data: ReviewData) -> list[Table]:
    year = data.period
    figures = data.indicators
    indicator_rows = [
        [
            str(i),
            f.code,
            f.name,
            f.area_name,
            f.unit_label or "—",
            fmt_number(f.baseline),
            fmt_number(f.target),
            fmt_number(f.value),
            fmt_number(f.achievement),
            {True: "Đạt", False: "Chưa đạt", None: "—"}[f.met],
        ]
        for i, f in enumerate(figures, start=1)
    ]
    task_rows = [
        [str(i), row.code, row.title, row.area_code, row.lead, fmt_date(row.due_date), row.status_label]
        for i, row in enumerate(data.tasks, start=1)
    ]
    count_rows = [
        [
            area.code,
            area.name,
            str(area.counts.total),
            str(area.counts.done),
            str(area.counts.in_progress),
            str(area.counts.not_started),
            str(area.counts.cancelled),
            str(area.counts.overdue),
        ]
        for area in data.areas
    ]
    c = data.counts
    count_total = ["", "Tổng cộng", *[str(v) for v in (c.total, c.done, c.in_progress, c.not_started, c.cancelled)]]
    count_total.append(str(c.overdue))
    rate_rows = [
        [
            {"level": "Cấp", "area": "Địa bàn"}.get(r.group, ""),
            r.label,
            str(r.expected),
            str(r.submitted),
            str(r.on_time),
            fmt_number(r.rate),
            fmt_number(r.timeliness),
        ]
        for r in data.rates
    ]
    t = data.rates_total
    tables = [
        Table(
            f"Biểu 1. Kết quả chỉ tiêu so với mục tiêu năm {year}",
            [
                "STT",
                "Mã",
                "Chỉ tiêu",
                "Địa bàn",
                "Đơn vị tính",
                "Giá trị gốc",
                "Mục tiêu",
                "Thực hiện",
                "Tỷ lệ đạt (%)",
                "Đánh giá",
            ],
            indicator_rows,
            [4, 7, 30, 13, 6, 8, 8, 8, 8, 8],
        ),
        Table(
            "Biểu 2. Nhiệm vụ và tình trạng thực hiện",
            ["STT", "Mã", "Nhiệm vụ", "Nội dung", "Chủ trì", "Thời hạn", "Tình trạng"],
            task_rows,
            [4, 5, 40, 5, 24, 10, 12],
        ),
        Table(
            "Biểu 3. Tổng hợp nhiệm vụ theo nội dung phối hợp",
            ["Mã", "Nội dung", "Tổng số", "Hoàn thành", "Đang thực hiện", "Chưa triển khai", "Dừng", "Quá hạn"],
            count_rows,
            [5, 41, 9, 9, 10, 10, 7, 9],
            count_total,
        ),
        Table(
            "Biểu 4. Tỷ lệ báo cáo định kỳ",
            ["Theo", "Cơ quan, địa bàn", "Phải gửi", "Đã gửi", "Đúng hạn", "Tỷ lệ gửi (%)", "Tỷ lệ đúng hạn (%)"],
            rate_rows,
            [9, 35, 10, 10, 10, 12, 14],
            [
                "",
                t.label,
                str(t.expected),
                str(t.submitted),
                str(t.on_time),
                fmt_number(t.rate),
                fmt_number(t.timeliness),
            ],
        ),
    ]
    if data.series:
        years = [y.period for y in data.series[0].years]
        tables.append(
            Table(
                "Biểu 5. Kết quả chỉ tiêu toàn quốc qua các năm (thực hiện / mục tiêu)",
                ["Mã", "Chỉ tiêu", *years],
                [
                    [s.code, s.name, *[f"{fmt_number(y.value)} / {fmt_number(y.target)}" for y in s.years]]
                    for s in data.series
                ],
                [6, 34, *[10] * len(years)],
            )
        )
    return tables


def compose(data: ReviewData, *, issuer_code: str | None = None, user=None, today: dt.date | None = None):
    """The review as a Decree 30 document: numbered and dated if it was issued, otherwise a draft."""
    labels = _labels(data)
    issuer = _issuer(data, issuer_code, user)
    parent = issuer.parent
    parent_body = parent.name_vi.upper() if parent and parent.kind != Agency.Kind.GOVERNMENT_BODY else ""
    issued = data.issued
    day = issued.issued_on if issued else (today or timezone.localdate())
    number = f"Số: {issued.number:02d}/BC-{issued.issuer}" if issued else f"Số:      /BC-{issuer.code}"
    authority, signer_name = _signature(issuer, day)
    recipients = []
    for party in data.parties:
        for agency in party.current:
            if agency.code != issuer.code:
                recipients.append(f"- {agency.name} (để phối hợp);")
    recipients.append("- Lãnh đạo " + ("Bộ" if issuer.kind == Agency.Kind.MINISTRY else "cơ quan") + ";")
    if any(r.group == "area" and r.label != "Trung ương" for r in data.rates):
        recipients.append("- UBND các tỉnh, thành phố có nhiệm vụ;")
    recipients.append(f"- Lưu: VT, {DRAFTING_UNIT}.")
    number_text = number.removeprefix("Số: ").strip()
    note_number = number_text if issued else f"…/BC-{issuer.code}"
    return ReviewDocument(
        parent_body=parent_body,
        issuing_body=issuer.name_vi.upper(),
        issuer_code=issuer.code,
        number_line=number,
        place_date=place_date(data.place, day),
        doc_type="BÁO CÁO",
        summary=f"{labels['title']} thực hiện Chương trình phối hợp số {data.number_symbol} "
        f"giữa {_join([p.original.name for p in data.parties])}",
        body=_body(data, labels),
        authority=authority,
        signer_name=signer_name,
        recipients=recipients,
        appendix_title=["PHỤ LỤC", "SỐ LIỆU KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH"],
        appendix_note=f"(Kèm theo Báo cáo số {note_number} ngày {fmt_date(day)} của {issuer.name_vi})",
        tables=_tables(data),
        draft=issued is None,
        filename_stem=f"bao-cao-{KIND_SLUGS[data.kind]}-{data.programme_code}-{data.period}",
        data=data,
    )


# --- DOCX ------------------------------------------------------------------------------------------


def _docx_fonts(rpr) -> None:
    """Times New Roman for every script slot, the complex-script one too (so Thai text has a font)."""
    from docx.oxml.ns import qn

    fonts = rpr.get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)


def _docx_rule(cell, indent_mm: float):
    """A short centred line under a heading: an empty paragraph with a bottom border, indented both sides."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    paragraph = cell.add_paragraph()
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    fmt.left_indent = Mm(indent_mm)
    fmt.right_indent = Mm(indent_mm)
    return paragraph


def _docx_line(container, text: str, *, size=13, bold=False, italic=False, align="center", first=False, after=0):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = container.paragraphs[0] if first else container.add_paragraph()
    paragraph.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    return paragraph


def _docx_widths(table, widths_mm: list[float]) -> None:
    from docx.shared import Mm

    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)


def _docx_page_number(section) -> None:
    """PAGE field centred in the header; the first page has its own empty header (no number on page 1)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "2"), ("end", None)):
        run = paragraph.add_run()
        run.font.size = Pt(13)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == "PAGE":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = " PAGE "
            run._r.append(instruction)
        else:
            run.text = text


def render_docx(document: ReviewDocument) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    _docx_page_number(section)

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    rpr = normal.element.get_or_add_rPr()
    _docx_fonts(rpr)
    size_cs = OxmlElement("w:szCs")
    size_cs.set(qn("w:val"), "28")
    rpr.append(size_cs)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:bidi"), "th-TH")
    rpr.append(lang)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    core = doc.core_properties
    core.title = f"{document.doc_type} {document.summary}"
    core.language = "vi-VN"
    core.author = document.issuing_body

    # Components 1–4: issuing body | national title and motto; number | place and date.
    header = doc.add_table(rows=2, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.cell(0, 0), header.cell(0, 1)
    first = True
    if document.parent_body:
        _docx_line(left, document.parent_body, size=13, first=True)
        first = False
    _docx_line(left, document.issuing_body, size=13, bold=True, first=first)
    _docx_rule(left, 19)
    _docx_line(right, MOTTO_COUNTRY, size=13, bold=True, first=True)
    _docx_line(right, MOTTO, size=14, bold=True)
    _docx_rule(right, 17)
    _docx_line(header.cell(1, 0), document.number_line, size=13, first=True)
    _docx_line(header.cell(1, 1), document.place_date, size=14, italic=True, first=True)
    for cell in (header.cell(1, 0), header.cell(1, 1)):
        cell.paragraphs[0].paragraph_format.space_before = Pt(6)
    _docx_widths(header, [62, 103])

    # Component 5: type and summary.
    _docx_line(doc, document.doc_type, size=14, bold=True).paragraph_format.space_before = Pt(18)
    _docx_line(doc, document.summary, size=14, bold=True, after=12)
    _docx_rule(doc._body, 60)

    # Component 6: body.
    for block in document.body:
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
        paragraph.paragraph_format.space_after = Pt(6)
        if block.style == "h1":
            paragraph.paragraph_format.space_before = Pt(6)
            paragraph.paragraph_format.keep_with_next = True
        if block.style == "h2":
            paragraph.paragraph_format.keep_with_next = True
        run = paragraph.add_run(block.text)
        run.bold = block.style in ("h1", "h2")
        run.italic = block.style == "note"

    # Components 7 and 9: recipients | signature.
    signature = doc.add_table(rows=1, cols=2)
    recipients, signer = signature.cell(0, 0), signature.cell(0, 1)
    _docx_line(recipients, "Nơi nhận:", size=12, bold=True, italic=True, align="left", first=True)
    for line in document.recipients:
        _docx_line(recipients, line, size=11, align="left")
    first = True
    for line in document.authority:
        _docx_line(signer, line, size=14, bold=True, first=first)
        first = False
    for _blank in range(4):
        _docx_line(signer, "", size=14)
    _docx_line(signer, document.signer_name, size=14, bold=True)
    _docx_widths(signature, [80, 85])
    signature.rows[0].cells[0].paragraphs[0].paragraph_format.space_before = Pt(12)
    signature.rows[0].cells[1].paragraphs[0].paragraph_format.space_before = Pt(12)

    # Appendix on its own page.
    brk = doc.add_paragraph().add_run()
    brk.add_break(WD_BREAK.PAGE)
    for line in document.appendix_title:
        _docx_line(doc, line, size=14, bold=True)
    _docx_line(doc, document.appendix_note, size=13, italic=True, after=12)
    for table in document.tables:
        _docx_line(doc, table.caption, size=13, bold=True, align="left", after=6).paragraph_format.keep_with_next = True
        grid = doc.add_table(rows=1, cols=len(table.columns))
        grid.style = doc.styles["Table Grid"]
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, title in zip(grid.rows[0].cells, table.columns, strict=True):
            _docx_line(cell, title, size=11, bold=True, first=True)
        header_row = grid.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header_row.append(repeat)
        for values in table.rows + ([table.total] if table.total else []):
            cells = grid.add_row().cells
            bold = values is table.total
            for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
                align = "left" if index in _text_columns(table) else "center"
                _docx_line(cell, value, size=11, bold=bold, align=align, first=True)
        total_width = sum(table.widths)
        _docx_widths(grid, [165 * w / total_width for w in table.widths])
        _docx_line(doc, "", size=6)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


NAME_COLUMNS = {"Chỉ tiêu", "Nhiệm vụ", "Nội dung", "Chủ trì", "Cơ quan, địa bàn", "Địa bàn"}
CODE_COLUMNS = {"STT", "Mã"}


def _text_columns(table: Table) -> set[int]:
    return {i for i, title in enumerate(table.columns) if title in NAME_COLUMNS}


def _code_columns(table: Table) -> set[int]:
    """Numbers and codes: narrow columns that do not wrap, so the width goes to the names."""
    return {i for i, title in enumerate(table.columns) if title in CODE_COLUMNS}


# --- PDF -------------------------------------------------------------------------------------------


def render_html(document: ReviewDocument) -> str:
    return render_to_string(
        "reports/review.html",
        {
            "doc": document,
            "fonts": PDF_FONTS,
            "font_faces": [
                {"url": (PDF_FONT_DIR / name).as_uri(), "weight": weight, "style": style}
                for name, weight, style in PDF_FONT_FACES
            ],
            "font_family": PDF_FONT_FAMILY,
            "motto_country": MOTTO_COUNTRY,
            "motto": MOTTO,
            "tables": [
                {
                    "table": table,
                    "text_columns": _text_columns(table),
                    "code_columns": _code_columns(table),
                    "pct": [100 * w / sum(table.widths) for w in table.widths],
                }
                for table in document.tables
            ],
        },
    )


class PdfUnavailable(ValidationError):
    """WeasyPrint cannot run here (its Pango libraries are missing): DOCX still works."""


def render_pdf(document: ReviewDocument) -> bytes:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one line per layout step otherwise
    try:
        from weasyprint import HTML
    except OSError as exc:  # libpango / libpangoft2 not installed on this machine
        raise PdfUnavailable(
            {
                "format": _(
                    "PDF output needs the Pango libraries (Debian: libpango-1.0-0 libpangoft2-1.0-0); "
                    "download the DOCX instead. (%(error)s)"
                )
                % {"error": exc}
            }
        ) from None

    return HTML(string=render_html(document), base_url=None).write_pdf()


def render(document: ReviewDocument, fmt: str) -> bytes:
    if fmt == "docx":
        return render_docx(document)
    if fmt == "pdf":
        return render_pdf(document)
    raise ValidationError({"format": _("Unknown format %(format)r: use docx or pdf.") % {"format": fmt}})
