"""End-to-end: information exchange, inspections, emulation, reviews and notifications in Chromium."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e


def test_request_sent_by_the_ministry_is_answered_by_the_province(browser, ketnoi_server):
    from playwright.sync_api import expect

    sender = browser.new_context(base_url=ketnoi_server.url)
    page = sender.new_page()
    login(page, "dieuphoi")
    page.goto("/exchange/new/")
    page.fill("#id_number_symbol", "301/BDTTG-TT")
    page.fill("#id_subject", "Đề nghị cung cấp số liệu đài truyền thanh xã")
    page.fill("#id_body", "Đề nghị Sở cung cấp số liệu trước hạn.")
    page.fill("#id_recipients", "SDTTG-15")
    page.fill("#id_due_date", (dt.date.today() + dt.timedelta(days=20)).isoformat())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_contain_text("Đề nghị cung cấp số liệu")
    request_url = page.url
    sender.close()

    recipient = browser.new_context(base_url=ketnoi_server.url)
    page = recipient.new_page()
    login(page, "tinh.laocai")
    page.goto("/exchange/")
    expect(page.locator("main")).to_contain_text("301/BDTTG-TT")
    page.goto(request_url)
    page.fill("#id_body", "Sở đã tổng hợp, gửi kèm báo cáo.")
    with page.expect_navigation():
        page.locator("form[action$='/reply/'] button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Sở đã tổng hợp, gửi kèm báo cáo.")
    recipient.close()


def test_inspection_finding_emulation_ranking_and_notifications(page):
    from playwright.sync_api import expect

    login(page, "dieuphoi")
    page.goto("/inspections/findings/")
    expect(page.locator("main")).to_contain_text("cụm loa")  # the demo finding in Xã Tả Van
    page.goto("/emulation/sheets/")
    sheet = page.locator("main table a[href^='/emulation/sheets/']").first
    with page.expect_navigation():
        sheet.click()
    ranking = page.locator("main a[href$='/ranking/']").first
    with page.expect_navigation():
        ranking.click()
    for province in ("Lào Cai", "Tuyên Quang", "Quảng Ngãi"):
        expect(page.locator("main")).to_contain_text(province)
    page.goto("/notifications/")
    expect(page.locator("main h1")).to_be_visible()


def test_coordinator_downloads_the_annual_review_as_docx(page, results_dir):
    login(page, "dieuphoi")
    page.goto("/reviews/ctph-922-2024/")
    link = page.locator("main a.button", has_text="DOCX").first
    with page.expect_download() as info:
        link.click()
    path = results_dir / "review.docx"
    info.value.save_as(path)
    import docx

    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "922/CTPH-BTTTT-UBDT" in text
