"""End-to-end: Debian Chromium driving a real `ketnoi serve` (see conftest.py for the server)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

TA_VAN = "/units/current/commune/03037/"


def _expect():
    from playwright.sync_api import expect

    return expect


def test_vietnamese_default_switch_to_english_and_find_commune_without_diacritics(page, page_errors, results_dir):
    expect = _expect()

    page.goto("/login/")
    assert page.locator("html").get_attribute("lang") == "vi"
    login(page, "xa.tavan")
    assert page.locator("html").get_attribute("lang") == "vi"

    # The language switcher in the header: a plain form posting to Django's set_language.
    page.select_option("select#language-select", "en")
    with page.expect_navigation():
        page.click("form.langswitch button[type=submit]")
    assert page.locator("html").get_attribute("lang") == "en"

    with page.expect_navigation():
        page.click("header nav a[href='/units/']")
    assert urlsplit(page.url).path == "/units/"
    assert page.locator("html").get_attribute("lang") == "en"

    page.fill("input#unit-q", "ta van")
    with page.expect_navigation():
        page.press("input#unit-q", "Enter")
    result = page.locator("#results").get_by_role("link", name="Xã Tả Van", exact=True)
    expect(result).to_be_visible()

    with page.expect_navigation():
        result.click()
    assert urlsplit(page.url).path == TA_VAN
    expect(page.locator("main h1")).to_have_text("Xã Tả Van")
    assert page.locator("html").get_attribute("lang") == "en"

    villages = page.locator("section[aria-labelledby=h-vil]")
    expect(page.locator("#h-vil")).to_be_visible()
    expect(villages.get_by_role("cell", name="Bản Lao Chải", exact=True)).to_be_visible()

    expect(page.locator("#h-pred")).to_have_count(1)
    assert page.locator("section[aria-labelledby=h-pred] li").count() >= 1

    page.screenshot(path=str(results_dir / "commune.png"), full_page=True)
    assert page_errors == []


def test_reading_works_without_javascript(browser, ketnoi_server):
    context = browser.new_context(base_url=ketnoi_server.url, locale="en-US", java_script_enabled=False)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        login(page, "xa.tavan")  # a plain form post

        response = page.goto("/units/?q=lao+cai")
        assert response.status == 200
        table = page.locator("#results table")
        assert "Lào Cai" in table.inner_text()
        assert table.get_by_role("link", name="Tỉnh Lào Cai", exact=True).count() == 1

        # Every reading page of the navigation renders server-side with a heading.
        for path in (
            "/",
            "/units/",
            TA_VAN,
            "/villages/",
            "/ethnic-groups/",
            "/languages/",
            "/agencies/",
            "/users/",
            "/tokens/",
        ):
            response = page.goto(path)
            assert response.status == 200, f"{path} answered {response.status}"
            assert page.locator("main h1").first.inner_text().strip(), f"{path} has no heading"

        # Searching is a plain GET form: submitting it without JavaScript works too.
        page.goto("/units/")
        page.fill("input#unit-q", "ta van")
        with page.expect_navigation():
            page.click("form.search button[type=submit]")
        assert page.locator("#results").get_by_role("link", name="Xã Tả Van", exact=True).count() == 1
    finally:
        context.close()


def test_no_request_leaves_the_server(context, page, page_errors):
    expect = _expect()
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))

    login(page, "xa.tavan")
    for path in ("/", "/units/", TA_VAN):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.goto("/api/v1/docs")
    page.wait_for_load_state("networkidle")
    # Swagger UI is served from the server's own static files and read the schema from it.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Kết Nối API")

    assert urls, "no requests were recorded"
    outside = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue
        if parts.scheme not in ("http", "https") or parts.hostname != "127.0.0.1":
            outside.append(url)
    assert outside == [], f"requests leaving 127.0.0.1: {outside}"
    assert page_errors == []


def test_commune_officer_cannot_reach_another_provinces_villages(ketnoi_server, page):
    village_id = int(
        ketnoi_server.shell(
            "from ketnoi.geo.models import Village; "
            "print(Village.objects.get(commune__structure='current', commune__code='03037', name='Bản Lao Chải').pk)"
        )
    )
    own_id = int(
        ketnoi_server.shell(
            "from ketnoi.geo.models import Village; "
            "print(Village.objects.get(commune__structure='current', commune__code='00721', name='Thôn Sủng Là').pk)"
        )
    )

    login(page, "xa.dongvan")  # commune officer of Xã Đồng Văn, Tuyên Quang

    response = page.goto(TA_VAN)  # Xã Tả Van, Lào Cai: the unit itself is public reference data
    assert response.status == 200
    villages = page.locator("section[aria-labelledby=h-vil]")
    assert villages.count() == 1
    text = villages.inner_text()
    assert "Bản Lao Chải" not in text
    assert "Bản Tả Van Mông" not in text
    assert page.locator(f"a[href='/villages/{village_id}/edit/']").count() == 0

    response = page.goto(f"/villages/{village_id}/edit/")
    assert response.status == 404
    assert "Bản Lao Chải" not in page.content()

    page.goto("/villages/")
    assert "Bản Lao Chải" not in page.locator("main").inner_text()

    # The same officer can edit a village of their own commune: the 404 above is scoping, not a broken page.
    response = page.goto(f"/villages/{own_id}/edit/")
    assert response.status == 200

    # The API (with the browser session) agrees.
    response = page.goto(f"/api/v1/villages/{village_id}")
    assert response.status == 404
    response = page.goto("/api/v1/villages?commune=03037")
    assert response.status == 200
    body = json.loads(page.locator("body").inner_text())
    assert body.get("count", len(body.get("items", []))) == 0, body


def test_page_assets_load(context, page):
    """Every stylesheet, script and image a page asks for answers 2xx/3xx (no unstyled pages)."""
    failed: list[str] = []
    context.on(
        "response",
        lambda response: failed.append(f"{response.status} {response.url}") if response.status >= 400 else None,
    )
    # A stylesheet answered with an HTML error page is blocked by Chromium (nosniff): no response event.
    context.on("requestfailed", lambda request: failed.append(f"{request.failure} {request.url}"))
    login(page, "xa.tavan")
    for path in ("/", "/units/", TA_VAN, "/api/v1/docs"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert failed == []
    # The stylesheet is applied: the skip link is moved off-screen until focused.
    page.goto(TA_VAN)
    box = page.locator("a.skip").bounding_box()
    assert box is None or box["x"] < 0


def test_wrong_password_then_change_it_from_the_menu(browser, ketnoi_server):
    """Issue 11.9 as an official meets it: a typo is refused with a clear message, the right password
    signs in, "Change password" in the header refuses a mismatch and then sets the new password."""
    expect = _expect()
    old, new = "Mat-khau-cu-2026", "Mat-khau-moi-Ha-Giang-2026"
    ketnoi_server.shell(
        "from ketnoi.orgs.services import user_create\n"
        f"user_create(username='doimatkhau', password={old!r}, full_name='Cán bộ đổi mật khẩu', validate=False)\n"
        "print('ok')"
    )
    context = browser.new_context(base_url=ketnoi_server.url)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", "doimatkhau")
    page.fill("#id_password", "sai-mat-khau")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator("main .errors")).to_be_visible()
    expect(page.locator("#id_username")).to_have_value("doimatkhau")  # what was typed stays
    login(page, "doimatkhau", old)

    with page.expect_navigation():
        page.locator("header a[href='/account/password/']").click()
    page.fill("#id_old_password", old)
    page.fill("#id_new_password1", new)
    page.fill("#id_new_password2", new + "x")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator("main .errors").first).to_be_visible()
    page.fill("#id_old_password", old)
    page.fill("#id_new_password1", new)
    page.fill("#id_new_password2", new)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/account/password/done/")
    with page.expect_navigation():
        page.locator("header form[action='/logout/'] button").click()
    login(page, "doimatkhau", new)
    context.close()
