"""End-to-end: the coordination programme as its users work with it in Chromium."""

from __future__ import annotations

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

PROGRAMME = "/programmes/ctph-922-2024/"


def test_coordinator_follows_the_programme_to_an_overdue_task(page, page_errors, results_dir):
    from playwright.sync_api import expect

    login(page, "dieuphoi")
    page.goto(PROGRAMME)
    expect(page.locator("main h1")).to_contain_text("2024")
    expect(page.locator("main")).to_contain_text("922/CTPH-BTTTT-UBDT")
    expect(page.locator("main")).to_contain_text("Bộ Dân tộc và Tôn giáo")  # UBDT's successor today
    with page.expect_navigation():
        page.get_by_role("link", name="Timeline").or_(page.get_by_role("link", name="Tiến độ")).first.click()
    expect(page.locator(".gantt-bar").first).to_be_visible()
    page.screenshot(path=str(results_dir / "timeline.png"), full_page=True)
    overdue = page.locator(".gantt-bar.overdue")
    assert overdue.count() >= 1
    page.goto(PROGRAMME + "tasks/?status=overdue")
    first = page.locator("main table tbody tr td a").first
    with page.expect_navigation():
        first.click()
    expect(page.locator("main .status.overdue")).to_be_visible()
    page.fill("#c-body", "Đề nghị đẩy nhanh tiến độ.")
    with page.expect_navigation():
        page.locator("form:has(#c-body) button[type=submit]").click()
    expect(page.locator(".comments")).to_contain_text("Đề nghị đẩy nhanh tiến độ.")
    assert page_errors == []


def test_commune_writes_and_submits_then_central_approves(browser, ketnoi_server, results_dir):
    from playwright.sync_api import expect

    officer = browser.new_context(base_url=ketnoi_server.url)
    page = officer.new_page()
    login(page, "xa.tumorong")
    page.goto("/my-work/")
    report_link = page.locator("main ul li a[href^='/progress-reports/']").first
    expect(report_link).to_be_visible()
    expect(page.locator("main")).to_contain_text("Quý 2/2025")
    with page.expect_navigation():
        report_link.click()
    narrative = "Quý II: đài xã phát 20 bản tin; tiếp nhận 5 phản ánh, đã trả lời 3."
    page.fill("#narrative", narrative)
    page.fill("#v-ban_tin_dai_xa", "hai mươi")  # a slip: words, not a number
    with page.expect_navigation():
        page.locator("button[name=action][value=submit]").click()  # "Save and submit"
    # Refused: the error sits beside its field, everything typed is still there, nothing was sent.
    expect(page.locator("#v-ban_tin_dai_xa-error")).to_be_visible()
    expect(page.locator("#v-ban_tin_dai_xa")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#v-ban_tin_dai_xa")).to_have_value("hai mươi")
    expect(page.locator("#narrative")).to_have_value(narrative)
    page.fill("#v-ban_tin_dai_xa", "20")
    with page.expect_navigation():
        page.locator("button[name=action][value=submit]").click()
    # Submitted in one step (no "someone else edited this"): the narrative is shown read-only.
    expect(page.locator("main")).to_contain_text("Quý II: đài xã phát 20 bản tin")
    expect(page.locator("#narrative")).to_have_count(0)
    report_url = page.url
    officer.close()

    central = browser.new_context(base_url=ketnoi_server.url)
    page = central.new_page()
    login(page, "dieuphoi")
    page.goto(report_url)
    with page.expect_navigation():
        page.locator("form:has(input[value=approve]) button").click()
    page.screenshot(path=str(results_dir / "report-approved.png"), full_page=True)
    history = page.locator("main ul").last
    expect(history).to_contain_text("Bộ Dân tộc và Tôn giáo")
    central.close()


def test_evidence_print_and_bulk_approval(browser, ketnoi_server, results_dir):
    """A commune officer attaches evidence (a wrong file first), prints the report and submits; the
    approver ticks it in the queue and approves it with a comment."""
    from playwright.sync_api import expect

    officer = browser.new_context(base_url=ketnoi_server.url)
    page = officer.new_page()
    login(page, "xa.tumorong")
    page.goto("/my-work/")
    with page.expect_navigation():  # a report the calendar says is due, opened with one click
        page.get_by_role("button", name="Bắt đầu báo cáo").first.click()
    report_url = page.url
    page.fill("#narrative", "Quý II: họp 9 thôn, biên bản kèm theo.")
    page.set_input_files(
        "#evidence", files=[{"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": b"MZ not a pdf"}]
    )
    with page.expect_navigation():
        page.locator("#evidence-note").press("Enter")  # Enter saves (the form's first button), never "Remove"
    expect(page.locator("#evidence-error")).to_contain_text("bien-ban.pdf")
    expect(page.locator("#narrative")).to_have_value("Quý II: họp 9 thôn, biên bản kèm theo.")
    page.set_input_files(
        "#evidence", files=[{"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n%%EOF\n"}]
    )
    page.fill("#evidence-note", "Biên bản họp thôn")
    with page.expect_navigation():
        page.locator("button[name=action][value=save]").last.click()
    expect(page.locator("ul.evidence")).to_contain_text("bien-ban.pdf")
    expect(page.locator("ul.evidence")).to_contain_text("Biên bản họp thôn")
    with page.expect_download() as download:
        page.locator("ul.evidence a").first.click()
    assert download.value.suggested_filename == "bien-ban.pdf"
    with page.expect_navigation():
        page.get_by_role("link", name="Bản in (A4)").click()
    expect(page.locator("body")).to_contain_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    expect(page.locator("body")).to_contain_text("NGƯỜI LẬP BÁO CÁO")
    expect(page.locator("nav")).to_have_count(0)
    page.emulate_media(media="print")
    expect(page.locator(".screen-only")).to_be_hidden()  # the link back is not printed
    page.screenshot(path=str(results_dir / "report-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.goto(report_url)
    with page.expect_navigation():
        page.locator("button[name=action][value=submit]").click()
    expect(page.locator("#narrative")).to_have_count(0)
    officer.close()

    central = browser.new_context(base_url=ketnoi_server.url)
    page = central.new_page()
    login(page, "dieuphoi")
    page.goto("/my-work/")
    with page.expect_navigation():
        page.get_by_role("link", name="Duyệt nhiều báo cáo cùng lúc").click()
    report_id = report_url.rstrip("/").rsplit("/", 1)[-1]
    with page.expect_navigation():
        page.get_by_role("button", name="Duyệt các báo cáo đã chọn").click()  # nothing ticked yet
    expect(page.locator(".errors")).to_contain_text("đánh dấu")
    page.fill("#bulk-comment", "Đủ minh chứng.")
    page.check(f"#pick-{report_id}")
    with page.expect_navigation():
        page.get_by_role("button", name="Duyệt các báo cáo đã chọn").click()
    expect(page.locator("main")).to_contain_text("Đã duyệt 1 báo cáo.")
    expect(page.locator(f"#pick-{report_id}")).to_have_count(0)
    page.goto(report_url)
    expect(page.locator("main")).to_contain_text("Đủ minh chứng.")
    central.close()
