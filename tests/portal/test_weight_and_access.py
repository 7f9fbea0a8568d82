"""Page weight (< 100 KB per page without images), no third-party requests, accessibility basics."""

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.utils import timezone

from ketnoi.portal import views

BUDGET = 100 * 1024
STATIC = Path(views.__file__).resolve().parents[1] / "static/portal"
CSS = (STATIC / "portal.css").read_text(encoding="utf-8")


class Page(HTMLParser):
    """Collects resources, landmarks, attributes and visible text of an HTML page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)

    def all(self, tag):
        return [attrs for t, attrs in self.tags if t == tag]


def _font_faces(css: str):
    """(url, set of code points or None) for each @font-face of a stylesheet."""
    faces = []
    for block in re.findall(r"@font-face\s*{([^}]*)}", css):
        url = re.search(r'url\("?([^")]+)"?\)', block).group(1)
        ranges = re.search(r"unicode-range:([^;}]+)", block)
        points = None
        if ranges:
            points = set()
            for part in ranges.group(1).split(","):
                bounds = part.strip()[2:].split("-")
                low = int(bounds[0], 16)
                high = int(bounds[-1], 16)
                points.update(range(low, high + 1))
        faces.append((url, points))
    return faces


def transferred(client, path: str) -> tuple[int, list[str]]:
    """Bytes of the page plus every same-origin stylesheet, script and font it needs (no images)."""
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    page = Page(html)
    total = len(response.content)
    fetched = [path]
    characters = {ord(ch) for ch in "".join(page.text)}
    resources = [a["href"] for a in page.all("link") if a.get("rel") == "stylesheet"]
    resources += [a["src"] for a in page.all("script") if a.get("src")]
    for url in resources:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        body = b"".join(asset.streaming_content) if asset.streaming else asset.content
        total += len(body)
        fetched.append(url)
        if url.endswith(".css"):
            base = url.rsplit("/", 1)[0]
            for font_url, points in _font_faces(body.decode()):
                if points is not None and not (points & characters):
                    continue  # the browser does not download a face none of the page's characters need
                font = client.get(f"{base}/{font_url}")
                assert font.status_code == 200, font_url
                total += len(b"".join(font.streaming_content) if font.streaming else font.content)
                fetched.append(font_url)
    return total, fetched


@pytest.fixture
def content(make_item, topic, section):
    long_body = "".join(
        f"<p>Đoạn {i}: chính sách hỗ trợ đồng bào dân tộc thiểu số phát triển kinh tế, giữ gìn văn hóa.</p>"
        for i in range(40)
    )
    thai_body = "".join(f"<p>ย่อหน้า {i}: นโยบายสนับสนุนชนกลุ่มน้อยในการพัฒนาเศรษฐกิจ</p>" for i in range(40))
    for n in range(12):
        make_item(
            f"bai-{n}",
            {
                "vi": (f"Bài số {n} về chính sách dân tộc", "Tóm tắt ngắn gọn của bài viết.", long_body),
                "th": (f"บทความที่ {n} เรื่องนโยบาย", "สรุปสั้น ๆ ของบทความ", thai_body),
            },
            topics=[topic],
            section=section,
            event_start=timezone.now() + dt.timedelta(days=n),
        )


PAGES = [
    "/p/{lang}/",
    "/p/{lang}/tin-tuc/bai-1/",
    "/p/{lang}/dan-toc/08/",
    "/p/{lang}/dan-toc/",
    "/p/{lang}/lich/",
    "/p/{lang}/tim-kiem/?q=chinh+sach",
    "/p/{lang}/tim-kiem/?q=นโยบาย",
    "/p/{lang}/gop-y/",
    "/p/{lang}/hoi-dap/",
]


@pytest.mark.parametrize("lang", ["vi", "th"])
@pytest.mark.parametrize("template", PAGES)
def test_page_weight_is_under_100_kb(client, content, lang, template):
    total, fetched = transferred(client, template.format(lang=lang))
    assert total < BUDGET, (total, fetched)
    assert any(f.endswith("portal.css") for f in fetched)
    if lang == "th":
        assert any("thai" in f for f in fetched)  # Thai pages get the Thai font


def test_pages_without_thai_text_do_not_download_the_thai_font(client, make_item):
    make_item("chi-viet", {"vi": ("Chỉ tiếng Việt", "", "<p>Nội dung</p>")})
    _total, fetched = transferred(client, "/p/vi/tin-tuc/chi-viet/")
    assert "fonts/noto-sans-vi-regular.woff2" in fetched
    assert not any("thai" in f for f in fetched)
    # With public Thai content the switcher names ภาษาไทย in Thai, and that needs the Thai font.
    make_item("co-thai", {"th": ("ข่าว", "", "<p>ข่าว</p>")})
    _total, fetched = transferred(client, "/p/vi/")
    assert "fonts/noto-sans-thai-regular.woff2" in fetched


def test_fonts_are_small_subset_woff2_with_licence():
    fonts = sorted(STATIC.glob("fonts/*.woff2"))
    assert {f.name for f in fonts} == {
        "noto-sans-vi-regular.woff2",
        "noto-sans-vi-bold.woff2",
        "noto-sans-thai-regular.woff2",
        "noto-sans-thai-bold.woff2",
    }
    for font in fonts:
        assert font.read_bytes()[:4] == b"wOF2" and font.stat().st_size <= 60 * 1024
    assert "SIL OPEN FONT LICENSE" in (STATIC / "fonts/OFL.txt").read_text()
    assert CSS.count("font-display:swap") == 4


def test_fonts_cover_vietnamese_and_thai():
    from fontTools.ttLib import TTFont

    latin = TTFont(STATIC / "fonts/noto-sans-vi-regular.woff2").getBestCmap()
    thai = TTFont(STATIC / "fonts/noto-sans-thai-regular.woff2").getBestCmap()
    assert all(ord(ch) in latin for ch in "Ủy ban nhân dân xã Tả Van, Đắk Lắk: ưởng ỹ ữ ợ ₫" if not ch.isspace())
    assert all(ord(ch) in thai for ch in "นโยบายสนับสนุนที่อยู่อาศัย" if not ch.isspace())


THIRD_PARTY = re.compile(r"(?:https?:)?//(?!testserver[/:])[\w.-]+")


@pytest.mark.parametrize("lang", ["vi", "th"])
def test_no_third_party_urls(client, content, lang):
    for template in PAGES:
        html = client.get(template.format(lang=lang)).content.decode()
        page = Page(html)
        for tag, attrs in page.tags:
            for name in ("href", "src", "action", "srcset", "poster", "data"):
                value = attrs.get(name)
                if value:
                    assert not THIRD_PARTY.match(value), (template, tag, value)
        assert "<script" not in html and "<iframe" not in html, template
    css_urls = re.findall(r"url\(([^)]*)\)", CSS)
    assert css_urls and not any(THIRD_PARTY.search(u) for u in css_urls)
    assert "@import" not in CSS


def test_templates_contain_no_external_urls():
    templates = Path(views.__file__).resolve().parents[1] / "templates/portal"
    allowed = {"http://www.sitemaps.org/schemas/sitemap/0.9", "http://www.w3.org/1999/xhtml"}
    for path in templates.glob("*"):
        for url in re.findall(r"https?://[^\s\"'<>]+", path.read_text()):
            assert url in allowed, (path.name, url)


# ---- contrast ---------------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_function():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48  # the classic just-failing grey


def test_text_colours_have_enough_contrast():
    root = re.search(r":root{([^}]*)}", CSS).group(1)
    colours = dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{3,6})", root))
    pairs = [
        ("text", "bg"),
        ("muted", "bg"),
        ("link", "bg"),
        ("link-visited", "bg"),
        ("error", "bg"),
        ("ok", "bg"),
        ("head-text", "head-bg"),
        ("text", "soft-bg"),
        ("muted", "soft-bg"),
        ("link", "soft-bg"),
        ("focus", "bg"),
    ]
    for fg, bg in pairs:
        assert contrast(colours[fg], colours[bg]) >= 4.5, (fg, bg, contrast(colours[fg], colours[bg]))
    # Every colour of the stylesheet is one of the checked custom properties.
    outside_root = CSS.replace(root, "")
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b", outside_root)
    assert not re.search(r"\b(?:rgb|hsl)a?\(", CSS)


# ---- structure, landmarks, keyboard -------------------------------------------------------------


@pytest.mark.parametrize("template", PAGES)
def test_landmarks_skip_link_labels_and_keyboard(client, content, template):
    html = client.get(template.format(lang="vi")).content.decode()
    page = Page(html)
    names = [tag for tag, _attrs in page.tags]
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in names, (template, landmark)
    assert page.all("main")[0]["id"] == "main"
    skip = page.all("a")[0]
    assert skip["href"] == "#main" and skip.get("class") == "skip"
    assert names.count("h1") == 1, template
    for attrs in page.all("img"):
        assert attrs.get("alt"), template
    labelled = {a["for"] for a in page.all("label") if a.get("for")}
    for tag in ("input", "textarea", "select"):
        for attrs in page.all(tag):
            if attrs.get("type") in ("hidden", "submit"):
                continue
            assert attrs.get("id") in labelled, (template, attrs)
    for _tag, attrs in page.tags:
        assert int(attrs.get("tabindex", "0")) <= 0, (template, attrs)  # natural tab order only
        assert not any(k.startswith("on") for k in attrs), (template, attrs)
    for nav in page.all("nav"):
        assert nav.get("aria-label"), template
    assert ":focus-visible" in CSS and "outline:3px" in CSS


def test_mixed_language_fragments_carry_lang(client, content, make_item):
    thai = client.get("/p/th/").content.decode()
    assert '<span lang="vi">Kết Nối</span>' in thai  # the Vietnamese brand on a Thai page
    make_item("tin-mong", {"hmn": ("Xov xwm", "", "<p>Xov xwm</p>")})
    mong = client.get("/p/hmn/").content.decode()
    assert '<html lang="hmn">' in mong
    assert '<header class="site" lang="vi">' in mong and '<footer class="site" lang="vi">' in mong
    profile = client.get("/p/en/dan-toc/08/").content.decode()
    assert '<span lang="vi">Mông</span>' in profile


def test_images_need_alt_text(client, make_item, tmp_path, settings):
    from django.core.files.base import ContentFile

    from ketnoi.content.models import ContentImage
    from ketnoi.people.models import Language

    settings.MEDIA_ROOT = tmp_path
    item = make_item("co-anh", {"vi": ("Có ảnh", "", "<p>a</p>"), "th": ("มีรูป", "", "<p>a</p>")})
    vi = Language.objects.get(bcp47="vi")
    picture = ContentImage(item=item, language=vi, alt_text="Ruộng bậc thang Mù Cang Chải")
    picture.file.save("r.png", ContentFile(b"png"), save=True)
    vi = client.get("/p/vi/tin-tuc/co-anh/").content.decode()
    assert 'alt="Ruộng bậc thang Mù Cang Chải"' in vi
    # On the Thai page the Vietnamese image (no Thai one) keeps its Vietnamese alt text, marked as such.
    th = client.get("/p/th/tin-tuc/co-anh/").content.decode()
    assert '<figure lang="vi">' in th and 'alt="Ruộng bậc thang Mù Cang Chải"' in th


def test_article_body_is_sanitised_again(client, make_item):
    make_item("xss", {"vi": ("Bài", "", '<p>ok</p><script>alert(1)</script><img src=x onerror="alert(2)">')})
    page = client.get("/p/vi/tin-tuc/xss/").content.decode()
    assert "<script" not in page and "onerror" not in page and "<p>ok</p>" in page


def test_every_page_names_its_owning_agency_and_a_contact(client, settings):
    """Issue 7.8: the owner comes from data; an agency that no longer exists is shown as its successor."""
    page = client.get("/p/vi/").content.decode()
    assert "Bộ Dân tộc và Tôn giáo" in page and "/p/vi/gop-y/" in page.split('class="owner"')[1]
    settings.PORTAL_OWNER_AGENCY = "UBDT"  # ended 28/02/2025, succeeded by the Ministry (BDTTG)
    settings.PORTAL_CONTACT = "banbientap@example.gov.vn"
    page = client.get("/p/en/").content.decode()
    owner = page.split('class="owner"')[1].split("</p>")[0]
    assert "Ministry of Ethnic and Religious Affairs" in owner and "Committee for Ethnic" not in owner
    assert "banbientap@example.gov.vn" in owner


def test_html_is_compressed_for_clients_that_accept_it(client):
    plain = client.get("/p/vi/")
    packed = client.get("/p/vi/", HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 2


def test_production_static_files_are_fingerprinted_compressed_and_cached_for_a_year(tmp_path):
    """`ketnoi serve` collects static files; in production they get hashed names, .gz/.br siblings, and
    whitenoise serves hashed names with a long immutable cache lifetime."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "KETNOI_PROFILE": "production",
        "SECRET_KEY": "t" * 50,
        "ALLOWED_HOSTS": "testserver",
        "KETNOI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    env.pop("KETNOI_TESTING", None)
    script = (
        "import django, json; django.setup();"
        "from django.core.management import call_command;"
        "call_command('collectstatic', interactive=False, verbosity=0);"
        "from django.contrib.staticfiles.storage import staticfiles_storage as s;"
        "from whitenoise.middleware import WhiteNoiseMiddleware as W;"
        "name = s.stored_name('portal/portal.css'); w = W(lambda r: None);"
        "print(json.dumps([name, w.immutable_file_test('', '/static/' + name), w.max_age]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "ketnoi.settings"},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    import json

    name, immutable, max_age = json.loads(out.strip().splitlines()[-1])
    assert re.fullmatch(r"portal/portal\.[0-9a-f]{12}\.css", name) and immutable is True
    root = tmp_path / "static"
    assert (root / (name + ".gz")).exists() and (root / (name + ".br")).exists()
