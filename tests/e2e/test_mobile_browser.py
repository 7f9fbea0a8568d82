"""End-to-end: the staff pages on a phone (issue 7, point 7).

At 390 × 844 CSS pixels (an ordinary phone held upright, touch, the page's own meta viewport), a
staff member signed in goes through the main pages: none scrolls sideways, the navigation is
collapsed behind a "Menu" button that opens on a tap, and the programme timeline is a task list
rather than a Gantt chart, which still shows at 1280 px.
"""

from __future__ import annotations

import re

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PROGRAMME = "/programmes/ctph-922-2024/"

# tests/test_no_english_left.py STAFF_PAGES, plus the timeline and the task list.
LIST_PAGES = [
    "/",
    "/my-work/",
    "/programmes/",
    PROGRAMME,
    PROGRAMME + "timeline/",
    PROGRAMME + "tasks/",
    PROGRAMME + "reports/",
    "/reviews/",
    "/reviews/ctph-922-2024/",
    "/indicators/",
    "/units/",
    "/villages/",
    "/agencies/",
    "/users/",
    "/audit/",
    "/tokens/",
    "/ethnic-groups/",
    "/languages/",
    "/legal-documents/",
    "/exchange/",
    "/exchange/?box=all",
    "/exchange/new/",
    "/inspections/plans/",
    "/inspections/findings/",
    "/emulation/sheets/",
    "/emulation/proposals/",
    "/notifications/",
    "/content/",
    "/content/new/",
    "/content/jobs/",
    "/translation/termbase/",
    "/translation/memory/",
    "/portal/feedback/",
    "/approvals/",
    "/account/password/",
]

# Detail pages, reached by following the first link of this kind on that page.
FOLLOW = [
    (PROGRAMME + "tasks/", "main table a[href^='/tasks/']"),  # a task
    ("/indicators/", "main table a[href^='/indicators/']"),  # an indicator's dashboard
    ("/exchange/?box=all", "main table a[href^='/exchange/']"),  # a request with its thread
    ("/inspections/plans/", "main table a[href^='/inspections/plans/']"),  # a plan with the visit form
    ("/inspections/findings/", "main a[href^='/inspections/findings/']"),
    ("/emulation/sheets/", "main table a[href^='/emulation/sheets/']"),
    ("/content/", "main table a[href^='/content/']"),
    ("/units/", "main table a[href^='/units/']"),
    ("/agencies/", "main table a[href^='/agencies/']"),
    ("/ethnic-groups/", "main table a[href^='/ethnic-groups/']"),
]
FOLLOW_FURTHER = {
    "/inspections/plans/": ["main a[href^='/inspections/visits/']"],  # a visit's checklist
    "/emulation/sheets/": ["main a[href^='/emulation/scorecards/']", "main a[href$='/ranking/']"],
    "/content/": ["+edit/", "main a[href^='/content/variants/']"],  # the editor (its form), the translation editor
}

MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1 && !el.closest('.table-scroll')) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
      wide.push(el.className ? name + '.' + String(el.className).trim().replace(/\\s+/g, '.') : name);
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide: wide.slice(0, 5)};
}"""


# The fields and buttons of a form that are lower than a thumb (44 px) or stick out of the screen.
SMALL_TARGETS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('main input, main select, main textarea, main button')) {
    const box = el.getBoundingClientRect();
    if (['hidden', 'checkbox', 'radio'].includes(el.type) || box.width === 0) continue;
    if (box.height < 44 || box.right > document.documentElement.clientWidth) out.push(el.name || el.id || el.tagName);
  }
  return out.length ? out : true;
}"""


def _phone(browser, ketnoi_server, **options):
    return browser.new_context(
        base_url=ketnoi_server.url, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, **options
    )


def _href(page, url: str, selector: str) -> str:
    page.goto(url)
    link = page.locator(selector).first
    assert link.count(), f"no {selector} on {url}"
    return link.get_attribute("href")


def _staff_pages(page) -> list[str]:
    """The list pages, the detail pages behind them, and a progress report the user may write."""
    pages = list(LIST_PAGES)
    for url, selector in FOLLOW:
        detail = _href(page, url, selector)
        pages.append(detail)
        for further in FOLLOW_FURTHER.get(url, []):
            pages.append(detail + further[1:] if further.startswith("+") else _href(page, detail, further))
    page.goto("/my-work/")
    reports = [a.get_attribute("href") for a in page.locator("main a[href^='/progress-reports/']").all()]
    for report in dict.fromkeys(reports):
        page.goto(report)
        if page.locator("#narrative").count():  # the report form (a draft)
            pages.append(report)
            break
    else:
        pytest.fail(f"no report form among {reports}")
    return pages


def test_no_staff_page_scrolls_sideways_at_390px(browser, ketnoi_server, results_dir):
    context = _phone(browser, ketnoi_server)
    page = context.new_page()
    login(page, "admin")
    pages = _staff_pages(page)
    assert len(pages) >= 45
    wide, small = {}, {}
    for url in pages:
        response = page.goto(url)
        assert response.status == 200, url
        measured = page.evaluate(MEASURE)
        # With a mobile viewport Chromium zooms out to fit a page that is too wide, so innerWidth
        # itself grows: it must stay the phone's width, and the page no wider than that.
        if measured["inner"] != PHONE["width"] or measured["scroll"] > measured["inner"]:
            wide[url] = measured
        if url.endswith("/edit/"):
            page.screenshot(path=str(results_dir / "mobile-390-content-editor.png"), full_page=True)
        if page.locator("#narrative").count() or url.endswith(("/new/", "/edit/")):
            small[url] = page.evaluate(SMALL_TARGETS)
    assert wide == {}
    assert len(small) >= 4  # the report form, the content editor, the new request and new content forms
    assert {url: found for url, found in small.items() if found is not True} == {}
    context.close()


def test_navigation_is_collapsed_and_opens_on_a_tap(browser, ketnoi_server, results_dir):
    from playwright.sync_api import expect

    context = _phone(browser, ketnoi_server)
    page = context.new_page()
    login(page, "dieuphoi")
    page.goto("/my-work/")
    programmes = page.locator("header.top nav a[href='/programmes/']")
    sign_out = page.locator("header.top form[action='/logout/'] button")
    menu = page.locator("header.top summary")
    expect(menu).to_be_visible()
    expect(menu).to_contain_text(re.compile("Trình đơn|Menu"))  # a visible label (Vietnamese once translated)
    expect(programmes).to_be_hidden()
    expect(sign_out).to_be_hidden()
    assert page.locator("header.top").bounding_box()["height"] <= 80  # one row, not a wall of links
    assert menu.bounding_box()["height"] >= 44  # a thumb-sized target
    menu.tap()
    expect(programmes).to_be_visible()
    expect(sign_out).to_be_visible()
    assert programmes.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(results_dir / "mobile-390-menu.png"), full_page=True)
    with page.expect_navigation():
        programmes.tap()
    assert page.url.endswith("/programmes/")
    expect(page.locator("header.top nav a[href='/programmes/']")).to_be_hidden()  # collapsed again
    # Keyboard: the button is focusable and opens with Enter.
    menu.focus()
    page.keyboard.press("Enter")
    expect(page.locator("header.top nav a[href='/programmes/']")).to_be_visible()
    context.close()

    # Without JavaScript too: the button is a <details> summary.
    context = _phone(browser, ketnoi_server, java_script_enabled=False)
    page = context.new_page()
    login(page, "dieuphoi")
    expect(page.locator("header.top nav a[href='/programmes/']")).to_be_hidden()
    page.locator("header.top summary").tap()
    expect(page.locator("header.top nav a[href='/programmes/']")).to_be_visible()
    context.close()

    # On a desktop the navigation is out in the open and there is no menu button.
    desktop = browser.new_context(base_url=ketnoi_server.url, viewport=DESKTOP)
    page = desktop.new_page()
    login(page, "dieuphoi")
    page.goto("/my-work/")
    expect(page.locator("header.top nav a[href='/programmes/']")).to_be_visible()
    expect(page.locator("header.top summary")).to_be_hidden()
    desktop.close()


def test_timeline_is_a_task_list_on_a_phone_and_a_gantt_on_a_desktop(browser, ketnoi_server, results_dir):
    from playwright.sync_api import expect

    context = _phone(browser, ketnoi_server)
    page = context.new_page()
    login(page, "dieuphoi")
    page.goto(PROGRAMME + "timeline/")
    expect(page.locator(".gantt")).to_be_hidden()
    items = page.locator(".timeline-list > li")
    expect(items.first).to_be_visible()
    assert items.count() == page.locator(".gantt-bar").count() > 1  # every task, once
    first = items.first.inner_text()
    assert "/20" in first  # its dates, dd/mm/yyyy
    assert page.locator(".timeline-list > li .status").count() == items.count()
    assert page.locator(".timeline-list > li.overdue .status.overdue").count() >= 1  # overdue marked
    assert page.locator(".timeline-list > li .agency").first.inner_text().strip()
    with page.expect_navigation():
        items.first.locator("a").first.tap()
    assert "/tasks/" in page.url
    page.go_back()
    page.screenshot(path=str(results_dir / "mobile-390-timeline.png"), full_page=True)
    context.close()

    desktop = browser.new_context(base_url=ketnoi_server.url, viewport=DESKTOP)
    page = desktop.new_page()
    login(page, "dieuphoi")
    page.goto(PROGRAMME + "timeline/")
    expect(page.locator(".gantt-bar").first).to_be_visible()
    expect(page.locator(".timeline-list")).to_be_hidden()
    desktop.close()


@pytest.mark.parametrize("width", [800, 1280])
def test_a_form_with_long_choices_fits_a_tablet_and_a_desktop(browser, ketnoi_server, width):
    """A select with a long option (a programme's full title) once made the new-request form 1575 px wide."""
    context = browser.new_context(base_url=ketnoi_server.url, viewport={"width": width, "height": 800})
    page = context.new_page()
    login(page, "admin")
    for url in ("/exchange/new/", "/content/new/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
    context.close()
