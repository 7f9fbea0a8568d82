"""Only published content, in the visitor's language, appears on the portal; nothing else leaks."""

import datetime as dt
import json
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from tests.portal.conftest import HIDDEN_STATES

PUBLIC_VI = ("Chính sách hỗ trợ nhà ở", "Tóm tắt chính sách", "<p>Hỗ trợ đồng bào làm nhà ở.</p>")
PUBLIC_TH = ("นโยบายสนับสนุนที่อยู่อาศัย", "สรุปนโยบาย", "<p>การสนับสนุนการสร้างบ้าน</p>")


@pytest.fixture
def published(make_item, topic, section):
    return make_item(
        "ho-tro-nha-o",
        {"vi": PUBLIC_VI, "th": PUBLIC_TH, "en": ("Housing support", "Policy summary", "<p>Support.</p>")},
        topics=[topic],
        section=section,
        unreviewed=("en",),  # the English translation is not reviewed yet: not public
        event_start=timezone.now() + dt.timedelta(days=3),
    )


def _surfaces(client, lang):
    """Every public surface of a language, as text."""
    today = timezone.localdate()
    urls = [
        f"/p/{lang}/",
        f"/p/{lang}/lich/",
        f"/p/{lang}/lich/{today.year}/{today.month}/",
        f"/p/{lang}/lich/{(today + dt.timedelta(days=3)).year}/{(today + dt.timedelta(days=3)).month}/",
        f"/p/{lang}/lich.ics",
        f"/p/{lang}/rss.xml",
        f"/p/{lang}/atom.xml",
        f"/p/{lang}/chu-de/chinh-sach/",
        f"/p/{lang}/chu-de/chinh-sach/rss.xml",
        f"/p/{lang}/chu-de/chinh-sach/atom.xml",
        f"/p/{lang}/tim-kiem/?q=chinh+sach",
        f"/p/{lang}/tim-kiem/?q=bi+mat",
        f"/p/{lang}/tim-kiem/?q=ความลับ",
        "/p/sitemap.xml",
        f"/api/v1/portal/items?language={lang}",
        f"/api/v1/portal/items?language={lang}&q=bi+mat",
    ]
    texts = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        texts[url] = response.content.decode()
    return texts


@pytest.mark.parametrize("lang", ["vi", "th"])
def test_unpublished_items_never_appear(client, published, hidden_items, lang):
    texts = _surfaces(client, lang)
    assert any("ho-tro-nha-o" in text for text in texts.values())  # positive control
    for url, text in texts.items():
        for state in HIDDEN_STATES:
            assert f"an-{state}" not in text, (url, state)
            assert "BÍ MẬT" not in text and "ความลับ " + state not in text, (url, state)
    for state in HIDDEN_STATES:
        assert client.get(f"/p/{lang}/tin-tuc/an-{state}/").status_code == 404


def test_unreviewed_translation_is_not_public(client, published):
    assert client.get("/p/vi/tin-tuc/ho-tro-nha-o/").status_code == 200
    assert client.get("/p/en/tin-tuc/ho-tro-nha-o/").status_code == 404
    assert "ho-tro-nha-o" not in client.get("/p/en/").content.decode()
    assert "Housing support" not in client.get("/p/en/rss.xml").content.decode()


def test_withdrawn_after_publication_disappears(client, published):
    assert client.get("/p/vi/tin-tuc/ho-tro-nha-o/").status_code == 200
    published.state = "withdrawn"
    published.save()
    assert client.get("/p/vi/tin-tuc/ho-tro-nha-o/").status_code == 404
    assert "ho-tro-nha-o" not in client.get("/p/vi/").content.decode()
    assert "ho-tro-nha-o" not in client.get("/p/sitemap.xml").content.decode()


def test_only_the_visitors_language_appears(client, published, make_item):
    make_item("chi-tieng-viet", {"vi": ("Chỉ có tiếng Việt", "", "<p>Một</p>")})
    vi = client.get("/p/vi/").content.decode()
    th = client.get("/p/th/").content.decode()
    assert PUBLIC_VI[0] in vi and PUBLIC_TH[0] not in vi
    assert PUBLIC_TH[0] in th and PUBLIC_VI[0] not in th
    assert "Chỉ có tiếng Việt" in vi and "chi-tieng-viet" not in th
    assert client.get("/p/th/tin-tuc/chi-tieng-viet/").status_code == 404
    ics = client.get("/p/th/lich.ics").content.decode()
    assert "นโยบายสนับสนุน" in ics and "Chính sách" not in ics


def test_page_language_and_interface_language(client, published):
    page = client.get("/p/th/tin-tuc/ho-tro-nha-o/").content.decode()
    assert '<html lang="th">' in page
    assert client.get("/p/th/").headers["Content-Language"] == "th"
    assert '<html lang="vi">' in client.get("/p/vi/").content.decode()


def test_portal_languages_are_those_with_public_content_plus_vi_and_en(client, published, make_item):
    assert client.get("/p/en/").status_code == 200  # always, even without public English content
    assert client.get("/p/th/").status_code == 200  # public Thai content exists
    assert client.get("/p/lo/").status_code == 404  # Lao: no public content
    assert client.get("/p/xx/").status_code == 404  # not a language at all
    make_item("tin-lao", {"lo": ("ຂ່າວ", "", "<p>ຂ່າວ</p>")})
    page = client.get("/p/lo/")
    assert page.status_code == 200 and '<html lang="lo">' in page.content.decode()
    # Lao is spoken by the Lào group in Vietnam: the interface falls back to Vietnamese, marked as such.
    assert '<header class="site" lang="vi">' in page.content.decode()


def test_language_switcher_lists_exactly_the_public_languages(client, published, make_item):
    page = client.get("/p/vi/tin-tuc/ho-tro-nha-o/").content.decode()
    switcher = page.split('class="languages"', 1)[1].split("</nav>", 1)[0]
    assert 'hreflang="th"' in switcher and "/p/th/tin-tuc/ho-tro-nha-o/" in switcher
    assert 'aria-current="page" lang="vi"' in switcher
    assert "/p/en/" not in switcher  # the English variant is not reviewed
    head = page.split("</head>", 1)[0]
    assert 'hreflang="th" href="http://testserver/p/th/tin-tuc/ho-tro-nha-o/"' in head
    assert 'hreflang="x-default" href="http://testserver/p/vi/tin-tuc/ho-tro-nha-o/"' in head
    assert 'hreflang="en"' not in head


def test_related_articles(client, published, make_item, topic, section, hidden_items):
    for item in hidden_items.values():
        item.topics.add(topic)
    make_item("cung-chu-de", {"vi": ("Cùng chủ đề", "", "<p>a</p>")}, topics=[topic], author="dieuphoi")
    make_item("cung-muc", {"vi": ("Cùng chuyên mục", "", "<p>b</p>")}, section=section, author="dieuphoi")
    make_item("cung-tac-gia", {"vi": ("Cùng tác giả", "", "<p>c</p>")})
    make_item("khong-lien-quan", {"vi": ("Không liên quan", "", "<p>d</p>")}, author="dieuphoi")
    page = client.get("/p/vi/tin-tuc/ho-tro-nha-o/").content.decode()
    related = page.split('id="related-h"', 1)[1].split("</section>", 1)[0]
    assert "Cùng chủ đề" in related and "Cùng chuyên mục" in related and "Cùng tác giả" in related
    assert "Không liên quan" not in related
    assert "BÍ MẬT" not in related
    assert related.index("Cùng chủ đề") < related.index("Cùng chuyên mục")


def test_search_vietnamese_ignores_diacritics(client, published, make_item):
    make_item("khac", {"vi": ("Giao thông nông thôn", "", "<p>Đường sá</p>")})
    page = client.get("/p/vi/tim-kiem/", {"q": "chinh sach"}).content.decode()
    assert PUBLIC_VI[0] in page and "Giao thông" not in page
    page = client.get("/p/vi/tim-kiem/", {"q": "CHÍNH SÁCH"}).content.decode()
    assert PUBLIC_VI[0] in page
    page = client.get("/p/vi/tim-kiem/", {"q": "duong sa"}).content.decode()
    assert "Giao thông nông thôn" in page and PUBLIC_VI[0] not in page
    from django.utils import translation

    with translation.override("vi"):
        none_found = translation.ngettext("%(n)s result", "%(n)s results", 0) % {"n": 0}
    assert none_found in client.get("/p/vi/tim-kiem/", {"q": "không có gì như vậy"}).content.decode()


def test_search_thai_is_word_segmented(client, published, make_item):
    make_item("thai-2", {"th": ("การท่องเที่ยวชุมชน", "", "<p>หมู่บ้านท่องเที่ยว</p>")})
    # "นโยบาย" (policy) is a word inside the unspaced title "นโยบายสนับสนุนที่อยู่อาศัย".
    page = client.get("/p/th/tim-kiem/", {"q": "นโยบาย"}).content.decode()
    assert PUBLIC_TH[0] in page and "การท่องเที่ยวชุมชน" not in page
    page = client.get("/p/th/tim-kiem/", {"q": "ท่องเที่ยว"}).content.decode()
    assert "การท่องเที่ยวชุมชน" in page and PUBLIC_TH[0] not in page
    # Segmentation, not substring: "ยว" is part of "ท่องเที่ยว" but not a word.
    assert "การท่องเที่ยวชุมชน" not in client.get("/p/th/tim-kiem/", {"q": "ยว"}).content.decode()


def test_public_api_lists_only_public_items(client, published, hidden_items):
    body = client.get("/api/v1/portal/items", {"language": "vi"}).json()
    slugs = [row["slug"] for row in body["items"]]
    assert slugs == ["ho-tro-nha-o"]
    assert body["items"][0]["url"] == "/p/vi/tin-tuc/ho-tro-nha-o/"
    assert client.get("/api/v1/portal/items", {"language": "en"}).json()["count"] == 0
    found = client.get("/api/v1/portal/items", {"language": "vi", "q": "chinh sach"}).json()
    assert found["count"] == 1
    assert client.get("/api/v1/portal/items", {"language": "lo"}).status_code == 404
    assert "BÍ MẬT" not in json.dumps(body, ensure_ascii=False)


def test_feeds_parse_and_list_only_public_items(client, published, hidden_items):
    rss = ElementTree.fromstring(client.get("/p/vi/rss.xml").content)
    assert rss.tag == "rss" and rss.attrib["version"] == "2.0"
    channel = rss.find("channel")
    assert channel.findtext("language") == "vi"
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert titles == [PUBLIC_VI[0]]
    assert channel.find("item").findtext("link") == "http://testserver/p/vi/tin-tuc/ho-tro-nha-o/"
    atom = ElementTree.fromstring(client.get("/p/th/atom.xml").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.tag == "{http://www.w3.org/2005/Atom}feed"
    assert atom.attrib["{http://www.w3.org/XML/1998/namespace}lang"] == "th"
    assert [e.findtext("a:title", namespaces=ns) for e in atom.findall("a:entry", ns)] == [PUBLIC_TH[0]]
    topic_feed = ElementTree.fromstring(client.get("/p/vi/chu-de/chinh-sach/rss.xml").content)
    assert [i.findtext("title") for i in topic_feed.find("channel").findall("item")] == [PUBLIC_VI[0]]
    assert client.get("/p/vi/chu-de/khong-co/rss.xml").status_code == 404
    assert client.get("/p/lo/rss.xml").status_code == 404


def test_sitemap_has_hreflang_alternates_and_x_default(client, published, hidden_items):
    response = client.get("/p/sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = {u.findtext("s:loc", namespaces=ns): u for u in root.findall("s:url", ns)}
    vi = urls["http://testserver/p/vi/tin-tuc/ho-tro-nha-o/"]
    alternates = {link.attrib["hreflang"]: link.attrib["href"] for link in vi.findall("x:link", ns)}
    assert alternates == {
        "vi": "http://testserver/p/vi/tin-tuc/ho-tro-nha-o/",
        "th": "http://testserver/p/th/tin-tuc/ho-tro-nha-o/",
        "x-default": "http://testserver/p/vi/tin-tuc/ho-tro-nha-o/",
    }
    assert "http://testserver/p/th/tin-tuc/ho-tro-nha-o/" in urls
    assert "http://testserver/p/en/tin-tuc/ho-tro-nha-o/" not in urls
    assert "http://testserver/p/vi/dan-toc/08/" in urls and "http://testserver/p/en/dan-toc/08/" in urls
    assert not any("/tin-tuc/an-" in loc for loc in urls)


def test_robots_txt_points_to_the_sitemap(client):
    text = client.get("/p/robots.txt").content.decode()
    assert "Allow: /p/" in text and "Sitemap: http://testserver/p/sitemap.xml" in text


def test_images_of_drafts_are_not_served(client, published, hidden_items, tmp_path, settings):
    from django.core.files.base import ContentFile

    from ketnoi.content.models import ContentImage
    from ketnoi.people.models import Language

    settings.MEDIA_ROOT = tmp_path
    vi = Language.objects.get(bcp47="vi")
    public = ContentImage(item=published, language=vi, alt_text="Nhà mới của đồng bào")
    public.file.save("a.png", ContentFile(b"\x89PNG public"), save=True)
    secret = ContentImage(item=hidden_items["draft"], language=vi, alt_text="bí mật")
    secret.file.save("b.png", ContentFile(b"\x89PNG secret"), save=True)
    page = client.get("/p/vi/tin-tuc/ho-tro-nha-o/").content.decode()
    assert f'<img src="/p/img/{public.pk}/" alt="Nhà mới của đồng bào"' in page
    assert b"".join(client.get(f"/p/img/{public.pk}/").streaming_content) == b"\x89PNG public"
    assert client.get(f"/p/img/{secret.pk}/").status_code == 404
