"""End-to-end: a provincial officer imports a digital-skills session from a spreadsheet, fixes the
row the import refused, and sees the commune's coverage of village heads rise (issue 9.7)."""

from __future__ import annotations

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

HEADER = "commune_code,session,course_code,start_date,village,trainers,ethnic_group,sex,age_band,role,count\n"


def test_officer_imports_a_session_fixes_a_row_and_sees_coverage_change(page, ketnoi_server, tmp_path, results_dir):
    from playwright.sync_api import expect

    login(page, "tinh.laocai")
    page.goto("/skills/coverage/?province=15&year=2025")
    row = page.locator('tr[data-commune="03037"]')
    expect(row).to_contain_text("3 / 3")  # the demo's two sessions trained 3 of Tả Van's 3 village heads
    page.goto("/skills/")
    expect(page.locator("main")).to_contain_text("TV-2025-01")
    with page.expect_navigation():
        page.locator('main a[href="/skills/import/"]').click()
    wrong = tmp_path / "lop-ta-van.csv"
    wrong.write_text(
        HEADER
        + "03037,TV-2025-03,DEMO-KNS-01,05/11/2025,Bản Không Có,Lò Văn Minh,Mông,male,40-59,village_head,1\n"
        + "03037,TV-2025-03,DEMO-KNS-01,05/11/2025,Bản Không Có,Lò Văn Minh,Mông,female,25-39,other,9\n",
        encoding="utf-8",
    )
    page.select_option("#id_kind", "sessions")
    page.set_input_files("#id_file", str(wrong))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    errors = page.locator(".errors")
    expect(errors).to_contain_text("lop-ta-van.csv")
    expect(errors).to_contain_text("Bản Không Có")
    fixed = tmp_path / "lop-ta-van.csv"
    fixed.write_text(wrong.read_text(encoding="utf-8").replace("Bản Không Có", "Bản Lao Chải"), encoding="utf-8")
    page.select_option("#id_kind", "sessions")
    page.set_input_files("#id_file", str(fixed))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".notice")).to_contain_text("lop-ta-van.csv")
    page.goto("/skills/coverage/?province=15&year=2025")
    expect(page.locator('tr[data-commune="03037"]')).to_contain_text("4 / 3")  # counted twice, capped at 100
    expect(page.locator('tr[data-commune="03037"]')).to_contain_text("100")
    page.goto("/skills/")
    with page.expect_navigation():
        page.locator("main a", has_text="TV-2025-03").click()
    expect(page.locator("main")).to_contain_text("Lò Văn Minh")
    expect(page.locator("main")).to_contain_text("Bản Lao Chải")
    page.screenshot(path=str(results_dir / "skills-session.png"), full_page=True)
