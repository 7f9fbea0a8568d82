"""Issue 11.8: importers refuse broken files with file, row/line and field, and a refused upload is
answered with an error status and the form again."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ketnoi.geo.models import Village
from ketnoi.orgs.services import token_create
from ketnoi.translation.models import Concept, TMEntry

TMX_LATIN1_DECLARED = (
    '<?xml version="1.0" encoding="ISO-8859-1"?><tmx version="1.4"><header srclang="vi" creationtool="t" '
    'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" datatype="plaintext"/><body>\n'
    '<tu><tuv xml:lang="vi"><seg>Loa phát thanh của thôn bản Việt</seg></tuv>'
    '<tuv xml:lang="th"><seg>ลำโพงหมู่บ้าน</seg></tuv></tu>'
    "</body></tmx>"
).encode()
TBX_LATIN1_DECLARED = (
    '<?xml version="1.0" encoding="ISO-8859-1"?>\n<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic" '
    'style="dca"><text><body><conceptEntry id="x-loa"><langSec xml:lang="vi"><termSec><term>loa kéo thôn Việt'
    "</term></termSec></langSec></conceptEntry></body></text></tbx>"
).encode()


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def bearer(users):
    def _for(username):
        return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users[username], name='t')[1]}"}

    return _for


# --- CSV ------------------------------------------------------------------------------------


def test_a_csv_with_an_unclosed_quote_is_refused_on_the_page(login):
    client = login("xa.tavan")
    data = 'commune_code,name\n03037,"Thôn Nậm Cang\n03037,Thôn Séo Mý Tỷ\n'.encode()
    response = client.post("/villages/import/", {"file": SimpleUploadedFile("thon.csv", data)})
    assert response.status_code == 422
    text = _text(response)
    assert "thon.csv, row 2, field name" in text and "quote" in text
    assert not Village.objects.filter(name__startswith="Thôn Nậm Cang").exists()


def test_a_quote_left_open_mid_file_is_refused_over_the_api(client, bearer):
    data = 'commune_code,name\n03037,Thôn Một\n03037,"Thôn Hai\n03037,Thôn Ba\n03037,"Thôn Bốn"\n'.encode()
    response = client.post(
        "/api/v1/villages/import", {"file": SimpleUploadedFile("thon.csv", data)}, **bearer("xa.tavan")
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert (error["file"], error["row"], error["field"]) == ("thon.csv", 3, "name")
    assert not Village.objects.filter(name__in=["Thôn Một", "Thôn Hai"]).exists()


def test_line_breaks_stay_allowed_in_village_notes(client, bearer):
    data = 'commune_code,name,notes\n03037,Thôn Ghi Chú,"Dòng một\nDòng hai"\n'.encode()
    response = client.post(
        "/api/v1/villages/import", {"file": SimpleUploadedFile("thon.csv", data)}, **bearer("xa.tavan")
    )
    assert response.status_code == 200, response.content
    assert Village.objects.get(name="Thôn Ghi Chú").notes == "Dòng một\nDòng hai"


# --- TMX / TBX --------------------------------------------------------------------------------


def test_a_tmx_declared_latin1_but_written_in_utf8_is_refused(login):
    client = login("dieuphoi")
    response = client.post("/translation/memory/import/", {"file": SimpleUploadedFile("vi.tmx", TMX_LATIN1_DECLARED)})
    assert response.status_code == 422
    text = _text(response)
    assert "vi.tmx, line 2" in text and "ISO-8859-1" in text and "UTF-8" in text
    assert not TMEntry.objects.exists()


def test_a_tbx_declared_latin1_but_written_in_utf8_is_refused_over_the_api(client, bearer):
    response = client.post(
        "/api/v1/termbase/import", {"file": SimpleUploadedFile("t.tbx", TBX_LATIN1_DECLARED)}, **bearer("admin")
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert "ISO-8859-1" in response.json()["detail"]
    assert not Concept.objects.filter(code="x-loa").exists()


@pytest.mark.parametrize("bad", ["&#x87;", "\u0087", "\ufffd"])
def test_control_characters_and_undecodable_text_are_refused(login, bad):
    tmx = TMX_LATIN1_DECLARED.replace(b'encoding="ISO-8859-1"', b'encoding="UTF-8"').replace(
        "thôn bản".encode(), f"thôn{bad}bản".encode()
    )
    client = login("dieuphoi")
    response = client.post("/translation/memory/import/", {"file": SimpleUploadedFile("c1.tmx", tmx)})
    assert response.status_code == 422
    assert "c1.tmx, line 2" in _text(response)
    assert not TMEntry.objects.exists()


# --- XLIFF ------------------------------------------------------------------------------------


def test_xliff_content_errors_name_the_file_and_the_line(client, users, bearer):
    from ketnoi.content import services

    item = services.item_create(user=users["bientap"], kind="news", title="Tin XLIFF", summary="Tóm tắt.", body="")
    headers_editor, headers_translator = bearer("bientap"), bearer("dichthuat")
    variant = client.post(
        f"/api/v1/content/items/{item.pk}/variants",
        {"language": "th"},
        content_type="application/json",
        **headers_editor,
    ).json()
    exported = client.get(f"/api/v1/content/variants/{variant['id']}/xliff", **headers_translator).content.decode()
    changed = exported.replace("<source>Tóm tắt.</source>", "<source>Tóm tắt khác.</source>")
    assert changed != exported
    line = changed[: changed.index("Tóm tắt khác.")].count("\n") + 1
    response = client.post(
        f"/api/v1/content/variants/{variant['id']}/xliff",
        {"file": SimpleUploadedFile("th.xlf", changed.encode())},
        **headers_translator,
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    detail = response.json()["detail"]
    unit_line = int(detail.split("th.xlf, line ")[1].split(":")[0])
    assert unit_line <= line and line - unit_line <= 3, detail  # the <unit> that holds the changed source
    assert "source text changed" in detail


# --- refused uploads --------------------------------------------------------------------------


def test_a_refused_image_upload_is_422_with_the_form_again(login, users):
    from ketnoi.content import services

    item = services.item_create(user=users["bientap"], kind="news", title="Tin ảnh", summary="Tóm tắt.", body="")
    client = login("bientap")
    response = client.post(
        f"/content/{item.pk}/images/",
        {"alt_text": "Ảnh loa", "file": SimpleUploadedFile("loa.png", b"MZ not an image at all")},
    )
    assert response.status_code == 422
    text = _text(response)
    assert 'id="image-form"' in text and "not a PNG, JPEG or WebP image" in text
    assert 'value="Ảnh loa"' in text  # what the person typed is kept
    assert not item.images.exists()


def test_a_refused_task_attachment_is_422_with_the_page_again(login):
    from ketnoi.programmes.models import Task

    task = Task.objects.get(programme__code="ctph-922-2024", code="1.3")
    client = login("dieuphoi")
    response = client.post(
        f"/tasks/{task.pk}/", {"action": "attach", "file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00")}
    )
    assert response.status_code == 422
    assert "virus.exe is not an accepted type" in _text(response)
    assert not task.attachments.exists()


def test_an_import_form_posted_without_a_file_is_422(login):
    client = login("xa.tavan")
    assert client.post("/villages/import/", {}).status_code == 422
