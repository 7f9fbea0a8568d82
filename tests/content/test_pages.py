"""The editorial desk and the translation editor as a person uses them (plain forms, htmx for segments)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ketnoi.content import services
from ketnoi.content.models import ContentItem, TranslationUnit
from ketnoi.translation import memory

from .test_translation import THAI


@pytest.fixture
def thai(item, users):
    return services.variant_add(user=users["bientap"], item=item, language="th")


def test_editor_creates_and_edits_an_item_through_forms(login):
    client = login("bientap")
    page = client.get("/content/new/")
    assert page.status_code == 200 and 'name="body"' in page.content.decode()
    response = client.post(
        "/content/new/",
        {
            "kind": "explainer",
            "priority": "normal",
            "title": "Giải thích chính sách hỗ trợ",
            "summary": "Tóm tắt.",
            "body": "<p>Nội dung <b>chính</b>.</p><script>x()</script>",
            "source_language": "vi",
            "owner": "central",
        },
    )
    assert response.status_code == 302
    item = ContentItem.objects.get(slug="giai-thich-chinh-sach-ho-tro")
    detail = client.get(response["Location"]).content.decode()
    assert "Giải thích chính sách hỗ trợ" in detail and "<b>chính</b>" in detail and "x()" not in detail
    form = client.get(f"/content/{item.pk}/edit/")
    assert form.status_code == 200 and f'name="version" value="{item.version}"' in form.content.decode()


def test_invalid_html_in_the_form_names_the_problem_and_saves_nothing(login):
    client = login("bientap")
    response = client.post(
        "/content/new/",
        {
            "kind": "news",
            "priority": "normal",
            "title": "Lỗi",
            "body": "<p>a <em>b</p>",
            "source_language": "vi",
            "owner": "central",
        },
    )
    assert response.status_code == 200
    assert "Invalid HTML: line 1, column 11: &lt;/p&gt; found while &lt;em&gt;" in response.content.decode()
    assert not ContentItem.objects.filter(slug="loi").exists()


def test_unknown_language_on_the_page_is_named(item, login):
    response = login("bientap").post(f"/content/{item.pk}/variants/", {"language": "zz"}, follow=True)
    assert "Unknown language code &#x27;zz&#x27;" in response.content.decode()


def test_stale_edit_shows_both_texts(item, login, users):
    client = login("bientap")
    start = item.version
    services.item_update(user=users["dieuphoi"], item=item, version=start, title="Tựa của người khác")
    response = client.post(
        f"/content/{item.pk}/edit/", {"kind": "news", "priority": "normal", "title": "Tựa của tôi", "version": start}
    )
    text = response.content.decode()
    assert response.status_code == 409 and "Tựa của người khác" in text and "Tựa của tôi" in text


def test_workflow_buttons_and_transitions_on_the_page(item, login):
    client = login("bientap")
    page = client.get(f"/content/{item.pk}/").content.decode()
    assert 'value="submit"' in page and 'value="approve"' not in page
    client.post(f"/content/{item.pk}/transition/", {"action": "submit"})
    item.refresh_from_db()
    assert item.state == "submitted"
    response = login("thamdinh").post(f"/content/{item.pk}/transition/", {"action": "return"}, follow=True)
    assert "Give a reason" in response.content.decode()


def test_image_upload_errors_are_clear(item, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login("bientap")
    response = client.post(
        f"/content/{item.pk}/images/",
        {"file": SimpleUploadedFile("x.png", b"not an image"), "alt_text": "Ảnh"},
        follow=True,
    )
    assert "not a PNG, JPEG or WebP image" in response.content.decode()
    response = client.post(
        f"/content/{item.pk}/images/",
        {"file": SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8), "alt_text": "Bản đồ xã"},
        follow=True,
    )
    assert "Bản đồ xã" in response.content.decode() and item.images.count() == 1


def test_translation_editor_shows_suggestions_terms_and_works_without_js(thai, login, termbase):
    memory.add(
        source_text="Tin thử nghiệm", target_text="ข่าวทดลอง", source_lang="vi", target_lang="th", origin="reviewed"
    )
    client = login("dichthuat")
    page = client.get(f"/content/variants/{thai.pk}/").content.decode()
    assert "Chương trình hỗ trợ đồng bào" in page
    assert "100%" in page and "ข่าวทดลอง" in page and 'value="use"' in page
    assert "พี่น้อง</span> <small>(preferred)</small>" in page and "ชาวเขา</span> <small>(forbidden)</small>" in page
    assert 'value="mt"' not in page  # no machine-translation provider configured
    assert 'class="unit-text"' in page and "<kbd>Ctrl</kbd>+<kbd>Enter</kbd>" in page
    # two panes per segment (source | target) with its terms and suggestions beside them, no text columns
    assert page.count('class="seg-source"') == page.count('class="seg-target"') == thai.units.count()
    assert 'class="seg-assist"' in page and 'class="columns"' not in page
    assert 'aria-keyshortcuts="Control+Shift+1"' in page and "shared memory" in page
    title = thai.units.get(field="title")
    assert f'name="version" value="{title.version}"' in page
    response = client.post(f"/content/units/{title.pk}/", {"text": "ข่าวทดลอง", "action": "use", "version": 1})
    assert response.status_code == 302 and response["Location"].endswith(f"#u{title.pk}")
    title.refresh_from_db()
    assert (title.text, title.origin, title.state) == ("ข่าวทดลอง", "tm", "translated")


def test_segment_saves_in_place_with_htmx(thai, login):
    unit = thai.units.get(field="summary")
    response = login("dichthuat").post(
        f"/content/units/{unit.pk}/", {"text": "ข่าวสั้น", "action": "draft", "version": 1}, HTTP_HX_REQUEST="true"
    )
    text = response.content.decode()
    assert response.status_code == 200 and text.startswith('<section class="unit') and "<html" not in text
    assert "ข่าวสั้น" in text and "draft" in text.lower() and 'name="version" value="2"' in text
    response = login("dichthuat").post(
        f"/content/units/{unit.pk}/", {"action": "review", "version": 2}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 404  # a translator cannot review: the action is not theirs


def test_outdated_segments_are_shown(item, thai, login, users):
    for unit in thai.units.select_related("segment"):
        services.unit_save(user=users["dichthuat"], unit=unit, text=THAI[unit.segment.text])
    services.item_update(user=users["bientap"], item=item, version=item.version, title="Tin thử nghiệm mới")
    page = login("dichthuat").get(f"/content/variants/{thai.pk}/").content.decode()
    assert "outdated: the source changed" in page and '<del lang="vi">Tin thử nghiệm</del>' in page
    detail = login("bientap").get(f"/content/{item.pk}/").content.decode()
    assert "<strong>1</strong>" in detail  # one outdated unit in the languages table


def test_xliff_export_and_import_through_pages(thai, login):
    client = login("dichthuat")
    data = client.get(f"/content/variants/{thai.pk}/xliff/").content.decode()
    assert 'version="2.0"' in data and 'trgLang="th"' in data
    assert 'version="1.2"' in client.get(f"/content/variants/{thai.pk}/xliff/", {"version": "1.2"}).content.decode()
    data = data.replace("<source>Tin thử nghiệm</source>", "<source>Tin thử nghiệm</source><target>ข่าว</target>")
    response = client.post(
        f"/content/variants/{thai.pk}/xliff/import/", {"file": SimpleUploadedFile("t.xlf", data.encode())}, follow=True
    )
    assert "1 segments imported" in response.content.decode()
    response = client.post(
        f"/content/variants/{thai.pk}/xliff/import/",
        {"file": SimpleUploadedFile("t.xlf", data.replace('trgLang="th"', 'trgLang="xx"').encode())},
        follow=True,
    )
    assert "Import refused; nothing was written" in response.content.decode()
    assert TranslationUnit.objects.get(target=thai, field="title").text == "ข่าว"


def test_job_assignment_and_job_list(thai, login, users):
    client = login("bientap")
    response = client.post(
        f"/content/variants/{thai.pk}/job/",
        {"translator": users["dichthuat"].pk, "reviewer": users["thamdinh"].pk, "due_date": "2030-05-01"},
    )
    assert response.status_code == 302
    thai.job.refresh_from_db()
    assert thai.job.translator == users["dichthuat"]
    jobs = login("dichthuat").get("/content/jobs/", {"mine": "1"}).content.decode()
    assert thai.item.slug in jobs and "01/05/2030" in jobs
    bad = login("bientap").post(f"/content/variants/{thai.pk}/job/", {"translator": users["xa.tavan"].pk}, follow=True)
    assert "is not a translator" in bad.content.decode()


def test_people_without_a_content_role_are_refused(login):
    assert login("xa.tavan").get("/content/").status_code == 403
    assert login("xa.tavan").get("/content/new/").status_code == 403


def test_editor_suggests_from_the_organisations_programme_memory_and_names_it(thai, login, users):
    """Issue 7.3: an article not linked to a task still gets the memories of the translator's
    organisation, and each suggestion shows which memory it came from."""
    import datetime as dt

    from ketnoi.programmes.models import LegalDocument, Programme, ProgrammeParty

    translator = users["dichthuat"]
    document = LegalDocument.objects.create(number_symbol="98/QĐ-TM", doc_type="Quyết định", issuer="Test", title="T")
    programme = Programme.objects.create(
        document=document,
        code="tm-org",
        name_vi="Chương trình của cơ quan dịch",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2030, 12, 31),
    )
    ProgrammeParty.objects.create(programme=programme, agency=translator.agency)
    memory.add(
        source_text="Tin thử nghiệm",
        target_text="ข่าวของหน่วยงาน",
        source_lang="vi",
        target_lang="th",
        origin="reviewed",
        programme=programme,
    )
    page = login("dichthuat").get(f"/content/variants/{thai.pk}/").content.decode()
    assert "ข่าวของหน่วยงาน" in page and "Chương trình của cơ quan dịch" in page
    search = login("dichthuat").get("/translation/memory/", {"source": "Tin thử nghiệm"}).content.decode()
    assert "ข่าวของหน่วยงาน" in search and "Chương trình của cơ quan dịch" in search
