"""End-to-end: a provincial officer maps bulletins per commune, hovers Tả Van and clicks through (issue 9.4)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

COMMUNES = Path(__file__).resolve().parents[1] / "data" / "maps" / "lao_cai_communes.geojson"


def test_officer_opens_the_map_hovers_a_commune_and_clicks_through(context, page, page_errors, ketnoi_server):
    from playwright.sync_api import expect

    out = ketnoi_server.run("import-boundaries", str(COMMUNES), "--level", "commune")
    assert "created" in out or "replaced" in out
    urls: list[str] = []
    violations: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)

    login(page, "tinh.laocai")
    page.goto("/maps/")
    page.select_option("#id_element", "ban_tin_dai_xa")
    page.fill("#id_period", "2025")
    page.select_option("#id_within", "15")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "element=ban_tin_dai_xa" in page.url and "within=15" in page.url

    ta_van = page.locator('svg.ketnoi-map a[data-code="03037"]')
    expect(ta_van).to_have_count(1)
    # The tooltip without JavaScript is the shape's <title>; the small script highlights the table row.
    expect(ta_van.locator("title")).to_have_text("Xã Tả Van: 72 bản tin")  # name, value, unit of measure
    ta_van.locator("path").hover()
    expect(page.locator('table.map-values tr[data-code="03037"]')).to_have_class("active")
    page.screenshot(path=str(Path(ketnoi_server.var_dir) / "map.png"))
    with page.expect_navigation():
        ta_van.locator("path").click()
    assert urlsplit(page.url).path == "/units/current/commune/03037/"
    expect(page.locator("h1")).to_contain_text("Tả Van")

    assert not page_errors, page_errors
    assert not violations, violations
    outside = [u for u in urls if urlsplit(u).scheme != "data" and urlsplit(u).hostname != "127.0.0.1"]
    assert urls and not outside, outside
