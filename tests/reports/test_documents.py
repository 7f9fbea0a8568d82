"""The review as DOCX and PDF: Decree 30 components and layout, and figures equal to review_data."""

import datetime as dt
import re
from pathlib import Path

import pytest
from docx.oxml.ns import qn

from ketnoi.reports import documents, services
from ketnoi.reports.documents import fmt_number, parse_number, place_date
from ketnoi.reports.selectors import review_data

from .conftest import TODAY
from .helpers import docx_of, docx_table, docx_text, pdf_font_names, pdf_pages, pdf_text

HEADINGS = [
    "I. ĐẶC ĐIỂM TÌNH HÌNH",
    "II. KẾT QUẢ THỰC HIỆN",
    "III. ĐÁNH GIÁ CHUNG",
    "1. Ưu điểm",
    "2. Tồn tại, hạn chế và nguyên nhân",
    "3. Bài học kinh nghiệm",
    "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026",
    "V. KIẾN NGHỊ, ĐỀ XUẤT",
]


@pytest.fixture
def issued(programme, users):
    return services.review_issue(
        user=users["dieuphoi"],
        programme=programme,
        period="2025",
        kind="annual",
        issuer="BDTTG",
        issued_on=dt.date(2026, 1, 5),
    )


@pytest.fixture
def data(programme, issued):
    return review_data(programme=programme, period="2025", kind="annual", today=TODAY)


@pytest.fixture
def document(data, users):
    return documents.compose(data, user=users["dieuphoi"], today=TODAY)


@pytest.fixture
def docx(document):
    return docx_of(documents.render_docx(document))


def test_place_and_date_line():
    assert place_date("Hà Nội", dt.date(2026, 1, 5)) == "Hà Nội, ngày 05 tháng 01 năm 2026"
    assert place_date("Hà Nội", dt.date(2024, 6, 4)) == "Hà Nội, ngày 04 tháng 6 năm 2024"
    assert place_date("Lào Cai", dt.date(2025, 2, 15)) == "Lào Cai, ngày 15 tháng 02 năm 2025"
    assert place_date("Hà Nội", dt.date(2025, 12, 31)) == "Hà Nội, ngày 31 tháng 12 năm 2025"


def test_vietnamese_numbers_round_trip():
    for text, value in (("1.234,5", "1234.5"), ("85", "85"), ("106,3", "106.3"), ("—", None)):
        assert str(parse_number(text)) == str(value) if value else parse_number(text) is None
        if value:
            assert fmt_number(parse_number(text)) == text


def test_docx_has_the_decree_30_components(docx):
    text = docx_text(docx)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "BỘ DÂN TỘC VÀ TÔN GIÁO" in text  # the issuing body as it is today (UBDT's successor)
    assert "Số: 01/BC-BDTTG" in text
    assert "Hà Nội, ngày 05 tháng 01 năm 2026" in text
    assert "BÁO CÁO" in text
    assert "Sơ kết năm 2025 thực hiện Chương trình phối hợp số 99/CTPH-BTTTT-UBDT" in text
    paragraphs = [p.text for p in docx.paragraphs]
    positions = [paragraphs.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    # No office holder of BDTTG is recorded: the head's title and an empty name line, and never the
    # programme's UBDT signer or a title of that body, which no longer exists.
    assert document_signature(docx) == ["BỘ TRƯỞNG", "", "", "", "", ""]
    assert "Y Vinh Tơr" not in text and "PHÓ CHỦ NHIỆM" not in text
    assert "Nơi nhận:" in text and "- Lưu: VT, VP." in text
    assert "(Kèm theo Báo cáo số 01/BC-BDTTG ngày 05/01/2026 của Bộ Dân tộc và Tôn giáo)" in text


def document_signature(docx) -> list[str]:
    """The lines of the signer's cell (the right cell of the recipients | signature table)."""
    table = next(t for t in docx.tables if t.rows[0].cells[0].paragraphs[0].text == "Nơi nhận:")
    return [p.text for p in table.rows[0].cells[1].paragraphs]


def test_signature_from_the_office_holders_of_the_issuing_body(programme, issued, users):
    from ketnoi.orgs.models import Agency, OfficeHolder

    bdttg, ubdt = Agency.objects.get(code="BDTTG"), Agency.objects.get(code="UBDT")
    OfficeHolder.objects.create(
        agency=ubdt, role="deputy", title="Phó Chủ nhiệm", full_name="Người Cũ", signs_reports=True
    )
    OfficeHolder.objects.create(agency=bdttg, role="head", title="Bộ trưởng", full_name="Người Đứng Đầu")
    OfficeHolder.objects.create(
        agency=bdttg, role="deputy", title="Thứ trưởng", full_name="Người Ký Thay", signs_reports=True
    )
    OfficeHolder.objects.create(  # left before the document's date: not the signer
        agency=bdttg,
        role="deputy",
        title="Thứ trưởng",
        full_name="Người Đã Nghỉ",
        signs_reports=True,
        valid_to=dt.date(2025, 12, 31),
    )
    data = review_data(programme=programme, period="2025", kind="annual", today=TODAY)
    document = documents.compose(data, user=users["dieuphoi"], today=TODAY)
    assert document.authority == ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"] and document.signer_name == "Người Ký Thay"
    lines = [line for line in document_signature(docx_of(documents.render_docx(document))) if line]
    assert lines == ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Người Ký Thay"]
    flat = " ".join(pdf_text(documents.render_pdf(document)).split())
    assert "KT. BỘ TRƯỞNG THỨ TRƯỞNG" in flat and "Người Ký Thay" in flat
    assert "Người Cũ" not in flat and "Người Đã Nghỉ" not in flat and "PHÓ CHỦ NHIỆM" not in flat


def test_docx_layout(docx):
    section = docx.sections[0]
    sizes = (section.page_width, section.page_height)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(length.mm) for length in sizes] == [210, 297]
    assert [round(length.mm) for length in margins] == [20, 20, 30, 15]
    normal = docx.styles["Normal"]
    fonts = normal.element.rPr.rFonts
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        assert fonts.get(qn(slot)) == "Times New Roman"
    assert normal.font.size.pt == 14
    # Page numbers: a PAGE field in the header, and a different (empty) first-page header.
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml
    place = next(p for t in docx.tables for c in t._cells for p in c.paragraphs if p.text.startswith("Hà Nội, ngày"))
    assert all(run.italic for run in place.runs)


def test_docx_tables_equal_the_data(docx, data):
    indicator_rows = docx_table(docx, "STT", "Mã")
    assert len(indicator_rows) == len(data.indicators)
    for row, figure in zip(indicator_rows, data.indicators, strict=True):
        assert row[1] == figure.code and row[3] == figure.area_name
        assert parse_number(row[5]) == figure.baseline
        assert parse_number(row[6]) == figure.target
        assert parse_number(row[7]) == figure.value
        assert parse_number(row[8]) == figure.achievement
        assert row[9] == {True: "Đạt", False: "Chưa đạt", None: "—"}[figure.met]

    count_rows = docx_table(docx, "Mã", "Nội dung")
    for row, area in zip(count_rows, data.areas, strict=False):
        c = area.counts
        assert [int(v) for v in row[2:]] == [c.total, c.done, c.in_progress, c.not_started, c.cancelled, c.overdue]
    total = count_rows[-1]
    c = data.counts
    assert total[1] == "Tổng cộng"
    assert [int(v) for v in total[2:]] == [c.total, c.done, c.in_progress, c.not_started, c.cancelled, c.overdue]

    tasks = next(
        [[cell.text for cell in r.cells] for r in t.rows[1:]]
        for t in docx.tables
        if [cell.text for cell in t.rows[0].cells][:3] == ["STT", "Mã", "Nhiệm vụ"]
    )
    assert [(r[1], r[6]) for r in tasks] == [(t.code, t.status_label) for t in data.tasks]

    rates = docx_table(docx, "Theo", "Cơ quan, địa bàn")
    by_label = {r[1]: [int(r[2]), int(r[3]), int(r[4])] for r in rates}
    for rate in data.rates:
        assert by_label[rate.label] == [rate.expected, rate.submitted, rate.on_time]
    t = data.rates_total
    assert by_label["Tổng số"] == [t.expected, t.submitted, t.on_time]


def test_docx_body_states_the_counts(docx, data):
    text = docx_text(docx)
    c = data.counts
    assert (
        f"Năm 2025, các cơ quan đã triển khai {c.total} nhiệm vụ: {c.done} nhiệm vụ hoàn thành, "
        f"{c.in_progress} nhiệm vụ đang thực hiện, {c.not_started} nhiệm vụ chưa triển khai; "
        f"{c.overdue} nhiệm vụ quá hạn." in text
    )
    assert f"Còn {c.overdue} nhiệm vụ quá hạn chưa hoàn thành: 1.1" in text  # a shortcoming from the data
    assert "Chỉ tiêu “Xã có đài truyền thanh”: đạt 7 xã so với mục tiêu 10 xã, bằng 70% mục tiêu" in text
    assert "Tỉnh Lào Cai đạt 4 xã/5 xã (80%)" in text
    assert "Lào Cai đã hoàn thành lắp đặt 4 đài truyền thanh." in text  # an approved report's narrative
    assert "Tuyên Quang báo cáo chậm" not in text  # a report that is not approved is not quoted
    assert "nhiệm vụ của Ủy ban Dân tộc theo Chương trình do Bộ Dân tộc và Tôn giáo tiếp nhận" in text


def test_pdf_says_the_same_with_diacritics_intact(document, data):
    content = documents.render_pdf(document)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    flat = " ".join(text.split())
    assert "Độc lập - Tự do - Hạnh phúc" in flat
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "Số: 01/BC-BDTTG" in flat
    assert "Hà Nội, ngày 05 tháng 01 năm 2026" in flat
    for heading in ("I. ĐẶC ĐIỂM TÌNH HÌNH", "II. KẾT QUẢ THỰC HIỆN", "V. KIẾN NGHỊ, ĐỀ XUẤT"):
        assert heading in flat
    c = data.counts
    assert f"triển khai {c.total} nhiệm vụ: {c.done} nhiệm vụ hoàn thành" in flat
    radio = next(f for f in data.indicators if f.code == "t-radio" and f.national)
    assert f"đạt {fmt_number(radio.value)} xã so với mục tiêu {fmt_number(radio.target)} xã" in flat
    reach = next(f for f in data.indicators if f.code == "t-reach")
    assert f"bằng {fmt_number(reach.achievement)}% mục tiêu" in flat
    pages = pdf_pages(content)
    assert len(pages) >= 2
    assert pages[1].split()[-1] == "2"  # the page number (drawn last, in the top margin) of page 2 …
    assert pages[2].split()[-1] == "3"
    assert pages[0].split()[-1] != "1"  # … and none on page 1


def test_draft_has_no_number_and_uses_only_the_vendored_serif(programme, users):
    data = review_data(programme=programme, period="2024", kind="annual", today=TODAY)
    document = documents.compose(data, today=TODAY)
    assert document.draft and document.number_line.startswith("Số:") and "/BC-BKHCN" in document.number_line
    assert "Hà Nội, ngày 05 tháng 01 năm 2026" == document.place_date
    html = documents.render_html(document)
    families = set(re.findall(r"font-family:\s*([^;]+);", html))
    assert families == {'"Noto Serif"'}  # one family, no list of fallbacks
    faces = re.findall(r'src: url\("file://([^"]+)"\)', html)
    assert len(faces) == 4 and all(Path(face).is_file() for face in faces)  # vendored, not the system's
    assert "http" not in html.replace("http-equiv", "")  # nothing fetched from outside
    assert pdf_text(documents.render_pdf(document)).count("BÁO CÁO") >= 1


def test_pdf_embeds_exactly_one_serif_family(document):
    """Every glyph (bold headings, italic place and date, Vietnamese tone marks) comes from Noto Serif:
    no per-glyph fallback to another font."""
    names = pdf_font_names(documents.render_pdf(document))
    families = {re.sub(r"(-(Regular|Bold|Italic))+$", "", name) for name in names}
    assert families == {"Noto-Serif"}, names
    assert names == {"Noto-Serif", "Noto-Serif-Bold", "Noto-Serif-Italic", "Noto-Serif-Bold-Italic"}


def test_tables_give_their_width_to_names_not_codes(document):
    for table in document.tables:
        codes = [w for title, w in zip(table.columns, table.widths, strict=True) if title in documents.CODE_COLUMNS]
        names = [w for title, w in zip(table.columns, table.widths, strict=True) if title in documents.NAME_COLUMNS]
        assert names, table.caption
        if codes:
            assert max(names) >= 3 * max(codes), table.caption  # the main name column is the widest
    html = documents.render_html(document)
    assert html.count('class="code"') >= len(document.data.tasks)  # codes do not wrap


def test_final_review(programme):
    data = review_data(programme=programme, period="2030", kind="final", today=TODAY)
    document = documents.compose(data, issuer_code="BVHTTDL", today=TODAY)
    docx = docx_of(documents.render_docx(document))
    text = docx_text(docx)
    assert "Tổng kết giai đoạn 2024–2030 thực hiện Chương trình phối hợp số 99/CTPH-BTTTT-UBDT" in text
    assert "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH" in text
    assert "Biểu 5. Kết quả chỉ tiêu toàn quốc qua các năm (thực hiện / mục tiêu)" in text
    assert document.filename("docx") == "bao-cao-tong-ket-ctph-99-test-2030.docx"


def test_an_issuer_that_is_not_a_current_party_is_refused(programme):
    from django.core.exceptions import ValidationError

    data = review_data(programme=programme, period="2025", today=TODAY)
    with pytest.raises(ValidationError, match="'UBDT' is not a current party"):
        documents.compose(data, issuer_code="UBDT")
