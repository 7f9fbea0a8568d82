"""End-to-end (issue 8.9): a citizen sends feedback on the portal and is given a reference number;
the commune officer answers it from the inbox; the citizen, not signed in, looks the reference up
and reads the answer."""

from __future__ import annotations

import re

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

MESSAGE = "Loa ở thôn Hầu Thào bị rè từ tuần trước, bà con không nghe rõ bản tin."
ANSWER = "Xã đã cử kỹ thuật viên thay loa ở thôn Hầu Thào vào thứ Ba."


def test_citizen_feedback_answered_by_the_commune_and_looked_up_by_reference(browser, ketnoi_server, results_dir):
    from playwright.sync_api import expect

    citizen = browser.new_context(base_url=ketnoi_server.url, locale="vi-VN")
    citizen.set_default_timeout(15_000)
    page = citizen.new_page()
    page.goto("/p/vi/gop-y/")
    page.fill("#id_message", MESSAGE)
    page.fill("#id_contact", "0912 345 678")
    page.fill("#id_commune", "Tả Van")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    success = page.locator(".success")
    expect(success).to_be_visible()
    reference = success.locator("strong").inner_text().strip()
    assert re.fullmatch(r"GY-\d{4}-\d{6}-[A-Z0-9]{3}", reference), reference

    officer = browser.new_context(base_url=ketnoi_server.url, locale="vi-VN")
    officer.set_default_timeout(15_000)
    staff = officer.new_page()
    login(staff, "xa.tavan")
    staff.goto("/inbox/")
    with staff.expect_navigation():
        staff.get_by_role("link", name=reference).click()
    expect(staff.locator("main")).to_contain_text(MESSAGE)
    expect(staff.locator("main")).not_to_contain_text("0912 345 678")  # the contact is masked
    expect(staff.locator("main")).to_contain_text("+84 91")
    staff.fill("#answer", ANSWER)
    with staff.expect_navigation():
        staff.locator("form:has(input[name=action][value=answer]) button[type=submit]").click()
    expect(staff.locator("main")).to_contain_text(ANSWER)
    staff.screenshot(path=str(results_dir / "inbox-feedback-answered.png"), full_page=True)
    officer.close()

    page.goto("/p/vi/gop-y/tra-cuu/")
    page.fill("#ref", reference)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    result = page.locator(".result")
    expect(result).to_contain_text(reference)
    expect(result.locator(".answer")).to_have_text(ANSWER)
    expect(page.locator("main")).not_to_contain_text("0912")
    page.screenshot(path=str(results_dir / "inbox-lookup.png"), full_page=True)
    citizen.close()
