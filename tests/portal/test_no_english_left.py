"""Issue 7.9 on the public portal: no English left in Vietnamese and Thai pages."""

import pytest

from tests.test_no_english_left import PORTAL_PAGES, english_left, visible


@pytest.fixture(scope="module")
def msgids():
    from tests.test_no_english_left import LOCALE, read_po

    with open(LOCALE / "vi" / "LC_MESSAGES" / "django.po", "rb") as handle:
        return [m.id for m in read_po(handle) if isinstance(m.id, str) and len(m.id.split()) >= 3]


@pytest.fixture
def thai_news(make_item):
    make_item("tin-thu", {"vi": ("Tin thử", "Tóm tắt.", "<p>Nội dung.</p>"), "th": ("ข่าวทดลอง", "สรุป", "<p>เนื้อหา</p>")})


@pytest.mark.parametrize("ui", ["vi", "th"])
def test_portal_pages_have_no_english_left(thai_news, client, ui, msgids):
    problems = {}
    for url in PORTAL_PAGES:
        response = client.get(url.format(lang=ui))
        assert response.status_code == 200, url
        text = visible(response.content.decode(), ui)
        found = english_left(text) + [m for m in msgids if "%" not in m and m in text]
        if found:
            problems[url] = found
    assert problems == {}
