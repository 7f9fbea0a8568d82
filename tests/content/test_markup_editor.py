"""The article editor without HTML: plain text keeps its paragraphs, a small markup formats it, a
preview shows the result before anything is saved (issue 7.4)."""

from ketnoi.content.models import ContentItem
from ketnoi.content.text import html_to_markup, markup_to_html, sanitize_html

PASTED = (
    "Xã Tả Van có 12 cụm loa.\n"
    "Mỗi ngày phát hai lần bằng tiếng Mông và tiếng Việt.\r\n"
    "Thôn Lao Chải được lắp thêm bảng tin điện tử."
)
FORMATTED = (
    "## Kết quả\n"
    "Cán bộ xã được **tập huấn** viết *tin ngắn*.\n\n"
    "- loa truyền thanh\n- bảng tin\n\n"
    "1. lắp đặt\n2. vận hành\n\n"
    "| Xã | Cụm loa |\n|---|---|\n| Tả Van | 12 |\n\n"
    "Xem [cổng thông tin](https://ketnoi.example.vn/p/) <script>alert(1)</script>"
)


def _html(text: str) -> str:
    return sanitize_html(markup_to_html(text))


def test_pasted_plain_text_keeps_each_paragraph():
    html = _html(PASTED)
    assert html.count("<p>") == 3 and "<p>Thôn Lao Chải được lắp thêm bảng tin điện tử.</p>" in html


def test_the_markup_gives_headings_emphasis_lists_tables_and_safe_links():
    html = _html(FORMATTED)
    for fragment in (
        "<h2>Kết quả</h2>",
        "<strong>tập huấn</strong>",
        "<em>tin ngắn</em>",
        "<ul>\n<li>loa truyền thanh</li>",
        "<ol>\n<li>lắp đặt</li>",
        "<td>Tả Van</td>",
        'href="https://ketnoi.example.vn/p/"',
    ):
        assert fragment in html, fragment
    assert "script" not in html and "alert" not in html


def test_an_html_body_is_edited_as_markup_and_comes_back_the_same():
    html = _html(FORMATTED)
    markup = html_to_markup(html)
    assert "<" not in markup.replace("<script", "") and "**tập huấn**" in markup and "| Tả Van | 12 |" in markup
    assert _html(markup).replace(" </p>", "</p>") == html.replace(" </p>", "</p>")


def _form(**values):
    data = {"kind": "news", "priority": "normal", "title": "Loa xã Tả Van", "summary": "", "source_language": "vi"}
    data.update(owner="central")
    data.update(values)
    return data


def test_preview_shows_the_result_saves_nothing_and_keeps_what_was_typed(login):
    client = login("bientap")
    response = client.post("/content/new/", _form(body=PASTED, preview="1"))
    page = response.content.decode()
    assert response.status_code == 200 and "Preview (not saved yet)" in page
    assert "<p>Mỗi ngày phát hai lần bằng tiếng Mông và tiếng Việt.</p>" in page
    assert "Thôn Lao Chải được lắp thêm bảng tin điện tử.</textarea>" in page  # the typed text, not HTML
    assert 'value="Loa xã Tả Van"' in page
    assert not ContentItem.objects.filter(slug="loa-xa-ta-van").exists()

    response = client.post("/content/new/", _form(body=PASTED))
    assert response.status_code == 302
    item = ContentItem.objects.get(slug="loa-xa-ta-van")
    source = item.variants.get(is_source=True)
    assert source.body.count("<p>") == 3 and source.segments.filter(field="body").count() == 3

    edit = client.get(f"/content/{item.pk}/edit/").content.decode()
    assert "&lt;p&gt;" not in edit and "Xã Tả Van có 12 cụm loa." in edit and "markup-tools" in edit
    assert 'aria-describedby="id_body-help"' in edit and 'id="id_body-help"' in edit


def test_saving_the_edit_form_unchanged_changes_no_sentence(login, item):
    client = login("bientap")
    source = item.variants.get(is_source=True)
    before = list(item.variants.get(is_source=True).segments.values_list("checksum", flat=True))
    page = client.get(f"/content/{item.pk}/edit/").content.decode()
    markup = page.split('name="body"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    import html as html_lib

    response = client.post(
        f"/content/{item.pk}/edit/",
        _form(title=source.title, summary=source.summary, body=html_lib.unescape(markup), version=item.version),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    after = list(item.variants.get(is_source=True).segments.values_list("checksum", flat=True))
    assert after == before
