"""End-to-end: an editor writes a Vietnamese article; a translator translates it into Thai using a memory
suggestion and a termbase hit; QA blocks a forbidden term until it is fixed; a reviewer approves; it is
published; the public Thai page shows it (screenshot kept in test-results/)."""

from __future__ import annotations

import re

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

MEMORY_VI = "Cán bộ văn hóa xã được tập huấn biên tập bản tin."
MEMORY_TH = "เจ้าหน้าที่วัฒนธรรมระดับตำบลได้รับการอบรมการเรียบเรียงข่าว"
TERM_VI = "Đồng bào dân tộc thiểu số được tiếp cận thông tin chính sách."
FORBIDDEN_TH = "ชาวเขาได้เข้าถึงข้อมูลนโยบาย"
GOOD_TH = "ชนกลุ่มน้อยทางชาติพันธุ์ได้เข้าถึงข้อมูลนโยบาย"
TITLE_VI = "Tập huấn biên tập bản tin cho cán bộ xã"
TITLE_TH = "การอบรมการเรียบเรียงข่าวสำหรับเจ้าหน้าที่ตำบล"

SETUP = f"""
from ketnoi.translation import memory
from ketnoi.translation.models import Term
from ketnoi.translation.services import termbase_write
from ketnoi.people.models import Language
memory.add(source_text={MEMORY_VI!r}, target_text={MEMORY_TH!r}, source_lang="vi", target_lang="th")
vi, th = Language.objects.get(bcp47="vi"), Language.objects.get(bcp47="th")
concept = Term.objects.filter(language=vi, text="đồng bào dân tộc thiểu số").first().concept
termbase_write([{{"code": concept.code, "domain": concept.domain, "terms": [
    {{"language": th, "text": "ชนกลุ่มน้อยทางชาติพันธุ์", "status": "preferred"}},
    {{"language": th, "text": "ชาวเขา", "status": "forbidden"}},
]}}])
print("ok")
"""


def _unit_section(page, source_fragment):
    """The editor's section whose SOURCE paragraph holds the fragment (suggestions may quote it too)."""
    source = page.locator("p[lang='vi']", has_text=source_fragment)
    return page.locator("section.unit").filter(has=source).first


def _pick(select, name_fragment):
    option = select.locator("option", has_text=name_fragment).first
    select.select_option(option.get_attribute("value"))


def _transition(page, item_url, action):
    page.goto(item_url)
    with page.expect_navigation():
        page.locator(f"form[action$='/transition/'] button[value={action}]").click()


def test_article_from_vietnamese_draft_to_the_public_thai_page(browser, ketnoi_server, results_dir):
    from playwright.sync_api import expect

    assert ketnoi_server.shell(SETUP) == "ok"

    def session(username):
        context = browser.new_context(base_url=ketnoi_server.url)
        page = context.new_page()
        login(page, username)
        return context, page

    # 1. The editor writes the Vietnamese article, adds Thai and assigns the job.
    context, page = session("bientap")
    page.goto("/content/new/")
    page.select_option("#id_kind", "news")
    page.fill("#id_title", TITLE_VI)
    page.fill("#id_body", f"<p>{MEMORY_VI} {TERM_VI}</p>")
    with page.expect_navigation():
        page.locator("main form.form button[type=submit]:not([name=preview])").click()
    item_url = page.url
    assert re.search(r"/content/\d+/$", item_url), page.locator("main").inner_text()[:800]
    page.select_option("#add-lang", "th")
    with page.expect_navigation():
        page.locator("form[action$='/variants/'] button[type=submit]").click()
    assign = page.locator("form[action$='/job/']").last
    _pick(assign.locator("select[name=translator]"), "Phạm Dịch Thuật")  # full names in the pickers
    _pick(assign.locator("select[name=reviewer]"), "Vũ Thẩm Định")
    with page.expect_navigation():
        assign.locator("button[type=submit]").click()
    editor_url = page.locator("main a[href^='/content/variants/']").last.get_attribute("href")
    _transition(page, item_url, "submit")
    context.close()

    # 2. The editorial board appraises, the coordinator approves the source.
    context, page = session("thamdinh")
    _transition(page, item_url, "appraise")
    context.close()
    context, page = session("dieuphoi")
    _transition(page, item_url, "approve")
    context.close()

    # 3. The translator uses the memory suggestion, sees the termbase hit, and first writes the forbidden term.
    context, page = session("dichthuat")
    page.goto(editor_url)
    memory_unit = _unit_section(page, MEMORY_VI)
    expect(memory_unit.locator(".suggestions")).to_contain_text("100%")
    memory_unit.locator(".suggestions button[value=use]").first.click()
    expect(_unit_section(page, MEMORY_VI).locator("textarea")).to_have_value(MEMORY_TH)
    term_unit = _unit_section(page, "dân tộc thiểu số được tiếp cận")
    expect(term_unit.locator(".terms")).to_contain_text("ชนกลุ่มน้อยทางชาติพันธุ์")
    term_unit.locator("textarea").fill(FORBIDDEN_TH)
    term_unit.locator("button[value=save]").click()
    expect(_unit_section(page, "dân tộc thiểu số được tiếp cận").locator(".findings")).to_contain_text("ชาวเขา")
    title_unit = _unit_section(page, TITLE_VI)
    title_unit.locator("textarea").fill(TITLE_TH)
    title_unit.locator("button[value=save]").click()
    expect(_unit_section(page, TITLE_VI).locator("textarea")).to_have_value(TITLE_TH)
    context.close()

    # 4. The reviewer cannot approve while QA blocks; the translator fixes the term; the reviewer approves.
    context, page = session("thamdinh")
    page.goto(editor_url)
    with page.expect_navigation():
        page.locator("form[action$='/approve/'] button[value=approve]").click()
    expect(page.locator("main")).to_contain_text("ชาวเขา")
    context.close()
    context, page = session("dichthuat")
    page.goto(editor_url)
    term_unit = _unit_section(page, "dân tộc thiểu số được tiếp cận")
    term_unit.locator("textarea").fill(GOOD_TH)
    term_unit.locator("textarea").press(
        "Control+Enter"
    )  # the keyboard save (static/ketnoi/editor.js, no inline script)
    expect(_unit_section(page, "dân tộc thiểu số được tiếp cận").locator("textarea")).to_have_value(GOOD_TH)
    context.close()
    context, page = session("thamdinh")
    page.goto(editor_url)
    with page.expect_navigation():
        page.locator("form[action$='/approve/'] button[value=approve]").click()
    expect(page.locator("form[action$='/approve/'] button[value=reopen]")).to_be_visible()
    context.close()

    # 5. The coordinator publishes; the public Thai page shows the article, with Thai rendered.
    context, page = session("dieuphoi")
    _transition(page, item_url, "publish")
    context.close()
    visitor = browser.new_context(base_url=ketnoi_server.url)
    page = visitor.new_page()
    page.goto("/p/th/")
    link = page.get_by_role("link", name=TITLE_TH)
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()
    assert page.locator("html").get_attribute("lang") == "th"
    expect(page.locator("main")).to_contain_text(GOOD_TH)
    expect(page.locator("main")).not_to_contain_text("ชาวเขา")
    page.screenshot(path=str(results_dir / "public-thai-article.png"), full_page=True)
    visitor.close()


CONFLICT_SETUP = """
from ketnoi.content import services
from ketnoi.orgs.models import User
editor = User.objects.get(username="bientap")
item = services.item_create(user=editor, kind="news", title="Tin hai người dịch cùng lúc", body="<p>Một câu.</p>")
variant = services.variant_add(user=editor, item=item, language="th")
print(variant.pk)
"""


def test_two_translators_on_one_segment_the_second_sees_both_texts(browser, ketnoi_server):
    """Issue 11.5 as translators meet it: both open the editor, the first saves; the second's save is
    refused with the other text shown beside the box, nothing typed lost; saving again replaces it."""
    from playwright.sync_api import expect

    variant = ketnoi_server.shell(CONFLICT_SETUP).strip()
    pages = []
    for username in ("dichthuat", "thamdinh"):
        context = browser.new_context(base_url=ketnoi_server.url)
        page = context.new_page()
        login(page, username)
        page.goto(f"/content/variants/{variant}/")
        pages.append((context, page))
    (first_context, first), (second_context, second) = pages

    first_title = _unit_section(first, "Tin hai người dịch")
    first_title.locator("textarea.unit-text").fill("ข่าวของคนแรก")
    first_title.locator("button[value=save]").click()
    expect(_unit_section(first, "Tin hai người dịch").locator("textarea.unit-text")).to_have_value("ข่าวของคนแรก")

    second_title = _unit_section(second, "Tin hai người dịch")
    second_title.locator("textarea.unit-text").fill("ข่าวของคนที่สอง")
    second_title.locator("button[value=save]").click()
    second_title = _unit_section(second, "Tin hai người dịch")
    expect(second_title.locator(".conflict")).to_be_visible()
    expect(second_title.locator("textarea.current-text")).to_have_value("ข่าวของคนแรก")
    expect(second_title.locator("textarea.unit-text")).to_have_value("ข่าวของคนที่สอง")

    second_title.locator("button[value=save]").click()  # deliberately replaces the first text
    second_title = _unit_section(second, "Tin hai người dịch")
    expect(second_title.locator(".conflict")).to_have_count(0)
    second.reload()
    expect(_unit_section(second, "Tin hai người dịch").locator("textarea.unit-text")).to_have_value("ข่าวของคนที่สอง")
    first_context.close()
    second_context.close()


KEYBOARD_SETUP = """
from ketnoi.content import services
from ketnoi.orgs.models import User
from ketnoi.translation import memory
editor = User.objects.get(username="bientap")
body = "<p>Câu thứ nhất về loa truyền thanh xã. Cán bộ xã tập huấn viết tin ngắn cho bản tin.</p><p>Câu cuối cùng.</p>"
item = services.item_create(user=editor, kind="news", title="Bàn phím của người dịch", body=body)
memory.add(source_text="Cán bộ xã tập huấn viết tin ngắn cho bản tin.", target_text="เจ้าหน้าที่ตำบลอบรมการเขียนข่าวสั้น",
           source_lang="vi", target_lang="th")
memory.add(source_text="Cán bộ xã tập huấn viết tin dài cho bản tin.", target_text="เจ้าหน้าที่ตำบลอบรมการเขียนข่าวยาว",
           source_lang="vi", target_lang="th")
variant = services.variant_add(user=editor, item=item, language="th")
print(variant.pk)
"""


def test_editor_two_panes_and_keyboard_first(browser, ketnoi_server, results_dir):
    """Issue 7.3: source | target side by side with the segment's help beside it; a suggestion taken
    with Ctrl+Shift+1 or the mouse leaves the cursor in that segment; Alt+arrows move between segments."""
    from playwright.sync_api import expect

    variant = ketnoi_server.shell(KEYBOARD_SETUP).strip()
    context = browser.new_context(base_url=ketnoi_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, "dichthuat")
    page.goto(f"/content/variants/{variant}/")
    assert page.evaluate("getComputedStyle(document.querySelector('.segments')).columnCount") == "auto"
    unit = _unit_section(page, "Cán bộ xã tập huấn")
    source, target, assist = (unit.locator(f".seg-{part}").bounding_box() for part in ("source", "target", "assist"))
    assert source["x"] + source["width"] <= target["x"] and target["x"] + target["width"] <= assist["x"]
    assert abs(source["y"] - target["y"]) < 5 and abs(target["y"] - assist["y"]) < 5
    expect(page.locator("#shortcuts summary")).to_be_visible()
    page.locator("#shortcuts summary").click()
    expect(page.locator("#shortcuts")).to_contain_text("Ctrl")

    box_id = unit.locator("textarea.unit-text").get_attribute("id")
    unit.locator("textarea.unit-text").click()
    page.keyboard.press("Control+Shift+Digit1")
    expect(page.locator(f"#{box_id}")).to_have_value("เจ้าหน้าที่ตำบลอบรมการเขียนข่าวสั้น")
    expect(page.locator(f"#{box_id}")).to_be_focused()

    _unit_section(page, "Cán bộ xã tập huấn").locator("button[data-suggestion='2']").click()
    expect(page.locator(f"#{box_id}")).to_have_value("เจ้าหน้าที่ตำบลอบรมการเขียนข่าวยาว")
    expect(page.locator(f"#{box_id}")).to_be_focused()

    boxes = page.locator("textarea.unit-text")
    ids = [boxes.nth(i).get_attribute("id") for i in range(boxes.count())]
    here = ids.index(box_id)
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator(f"#{ids[here + 1]}")).to_be_focused()
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator(f"#{box_id}")).to_be_focused()
    page.keyboard.type(" ")  # typing goes on in the segment that kept the focus
    page.keyboard.press("Control+Enter")
    expect(page.locator(f"#{ids[here + 1]}")).to_be_focused()
    stored = ketnoi_server.shell(
        "from ketnoi.content.models import TranslationUnit\n"
        f"u = TranslationUnit.objects.get(pk={box_id[1:]})\n"
        "print(u.state, u.origin, repr(u.text))"
    ).strip()
    assert stored.startswith("translated human 'เจ้าหน้าที่ตำบลอบรมการเขียนข่าวยาว"), stored
    page.screenshot(path=str(results_dir / "translation-editor.png"), full_page=True)
    context.close()


def test_article_editor_formats_previews_and_tells_the_appraiser(browser, ketnoi_server):
    """Issue 7.4 as an editor meets it: paste two paragraphs of plain text, make a word bold with the
    toolbar, preview (nothing saved, nothing lost), save, submit; the appraiser is notified."""
    from playwright.sync_api import expect

    context = browser.new_context(base_url=ketnoi_server.url)
    page = context.new_page()
    login(page, "bientap")
    page.goto("/content/new/")
    page.fill("#id_title", "Bảng tin điện tử ở xã Tả Van")
    page.fill("#id_body", "Xã lắp bảng tin điện tử ở nhà văn hóa.\nBảng tin hiển thị bằng tiếng Mông.")
    expect(page.locator(".markup-tools")).to_be_visible()  # shown only where its script runs
    page.evaluate(
        "() => { const box = document.getElementById('id_body');"
        " const at = box.value.indexOf('tiếng Mông'); box.setSelectionRange(at, at + 'tiếng Mông'.length); }"
    )
    page.locator(".markup-tools button[data-wrap='**']").click()
    expect(page.locator("#id_body")).to_have_value(
        "Xã lắp bảng tin điện tử ở nhà văn hóa.\nBảng tin hiển thị bằng **tiếng Mông**."
    )
    with page.expect_navigation():
        page.locator("main form button[name=preview]").click()
    preview = page.locator("section.preview")
    expect(preview.locator("p")).to_have_count(2)
    expect(preview.locator("strong")).to_have_text("tiếng Mông")
    expect(page.locator("#id_title")).to_have_value("Bảng tin điện tử ở xã Tả Van")
    with page.expect_navigation():
        page.locator("main form.form button[type=submit]:not([name=preview])").click()  # Save
    item_url = page.url
    assert re.search(r"/content/\d+/$", item_url), page.locator("main").inner_text()[:800]
    expect(page.locator(".narrative strong")).to_have_text("tiếng Mông")
    _transition(page, item_url, "submit")
    context.close()

    context = browser.new_context(base_url=ketnoi_server.url)
    page = context.new_page()
    login(page, "thamdinh")
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text("Bảng tin điện tử ở xã Tả Van")
    context.close()
