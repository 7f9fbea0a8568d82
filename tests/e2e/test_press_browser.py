"""End-to-end: a provincial officer confirms the distributor's delivery file and the press coverage of
Tả Văn changes (issue 9.6). Asserts on numbers and element ids, so it holds in every interface language."""

from __future__ import annotations

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

HEADER = "year,publication,recipient,issue,issue_date,copies,delivered_on,received\n"


def test_officer_imports_a_delivery_file_fixes_a_row_and_sees_the_coverage_change(
    page, page_errors, ketnoi_server, tmp_path, results_dir
):
    from playwright.sync_api import expect

    login(page, "tinh.laocai")
    page.goto("/press/coverage/?year=2025&province=15")
    row = page.locator("#coverage tbody tr", has_text="03037")
    cells = row.locator("td")
    # the demo: 104 + 52 issues ordered for Tả Văn's two recipients, 8 confirmed
    expect(cells.nth(3)).to_have_text("156")
    expect(cells.nth(4)).to_have_text("8")
    before = cells.nth(5).inner_text()

    page.goto("/press/")
    with page.expect_navigation():
        page.locator("main a[href='/press/import/']").click()
    wrong = tmp_path / "phat-hanh.csv"
    wrong.write_text(
        HEADER
        + "2025,dan-toc-phat-trien,LC-DEMO-001,009,26/01/2025,1,29/01/2025,\n"
        + "2025,dan-toc-phat-trien,LC-DEMO-001,010,29/01/2025,1,01/02/2025,\n"
        + "2025,nhan-dan-dttsmn,LC-DEMO-001-P,001,06/01/2025,nhiều,10/01/2025,\n",
        encoding="utf-8",
    )
    page.set_input_files("#id_file", str(wrong))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    errors = page.locator(".errors")
    expect(errors).to_contain_text("phat-hanh.csv")
    expect(errors).to_contain_text("copies")
    page.goto("/press/coverage/?year=2025&province=15")
    expect(page.locator("#coverage tbody tr", has_text="03037").locator("td").nth(4)).to_have_text("8")

    wrong.write_text(wrong.read_text(encoding="utf-8").replace(",nhiều,", ",1,"), encoding="utf-8")
    page.goto("/press/import/")
    page.set_input_files("#id_file", str(wrong))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".notice")).to_contain_text("phat-hanh.csv")
    expect(page.locator(".notice")).to_contain_text("3")

    page.goto("/press/coverage/?year=2025&province=15")
    cells = page.locator("#coverage tbody tr", has_text="03037").locator("td")
    expect(cells.nth(4)).to_have_text("11")
    assert cells.nth(5).inner_text() != before  # the delivery rate moved
    page.screenshot(path=str(results_dir / "press-coverage.png"), full_page=True)
    assert page_errors == []
