"""Pages and API of the termbase and the memory: who may read, who may import, errors shown, nothing written.

Neither the termbase nor the memory belongs to an area. The scoping proof is therefore: officers of
Tuyên Quang (and of Lào Cai) read the shared data but can neither import into it nor change it, and
a country-level coordinator can (positive control).
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ketnoi.orgs.services import token_create
from ketnoi.translation import interchange, memory
from ketnoi.translation.models import Concept, Term, TMEntry

INTRUDERS = ["xa.dongvan", "tinh.tuyenquang", "tinh.laocai"]
TMX = (
    '<?xml version="1.0"?><tmx version="1.4"><header srclang="vi" creationtool="t" creationtoolversion="1" '
    'segtype="sentence" o-tmf="t" adminlang="en" datatype="plaintext"/><body>'
    '<tu><tuv xml:lang="vi"><seg>Loa phát thanh của thôn</seg></tuv><tuv xml:lang="th"><seg>ลำโพงหมู่บ้าน</seg></tuv></tu>'
    "</body></tmx>"
).encode()
TBX = (
    '<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic" style="dca"><text><body><conceptEntry id="x-loa">'
    '<langSec xml:lang="vi"><termSec><term>loa kéo</term></termSec></langSec></conceptEntry></body></text></tbx>'
).encode()


@pytest.fixture
def api(client, users):
    def _for(username):
        _token, key = token_create(user=users[username], name="t")

        def call(method, path, data=None):
            return getattr(client, method)(path, data or {}, HTTP_AUTHORIZATION=f"Bearer {key}")

        return call

    return _for


def _text(response):
    return response.content.decode()


@pytest.fixture
def stored(db, loaded_termbase):
    return memory.add(
        source_text="Loa phát thanh của thôn", target_text="ลำโพงหมู่บ้าน", source_lang="vi", target_lang="th"
    )


# ---- reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", INTRUDERS + ["dieuphoi"])
def test_officials_read_the_shared_termbase_and_memory(login, username, stored):
    client = login(username)
    page = _text(client.get("/translation/termbase/", {"q": "bo truong"}))
    assert "Bộ trưởng" in page and "Thứ trưởng" not in page  # diacritic-insensitive search
    concept = Term.objects.get(text="Bộ trưởng").concept
    detail = _text(client.get(f"/translation/termbase/{concept.pk}/"))
    assert "Minister" in detail and "รัฐมนตรี" in detail
    tm = client.get("/translation/memory/", {"source": "Loa phát thanh của thôn bản", "src": "vi", "tgt": "th"})
    assert tm.status_code == 200 and "ลำโพงหมู่บ้าน" in _text(tm)
    export = client.get("/translation/memory/export/", {"src": "vi", "tgt": "th"})
    assert export["Content-Disposition"].endswith('.tmx"') and "ลำโพงหมู่บ้าน" in export.content.decode()
    assert b"conceptEntry" in client.get("/translation/termbase/export/").content
    assert ("Import TMX" in _text(tm)) is (username == "dieuphoi")


def test_unknown_concept_is_404_and_bad_language_is_named(login, stored):
    client = login("xa.dongvan")
    assert client.get("/translation/termbase/999999/").status_code == 404
    response = client.get("/translation/memory/", {"source": "x", "src": "vi", "tgt": "qqq"})
    assert response.status_code == 422 and "qqq" in _text(response)
    assert client.get("/translation/memory/export/", {"src": "zz"}).status_code == 422


@pytest.fixture
def nobody(db):
    from ketnoi.orgs.models import User

    return User.objects.create_user("khong.quyen", password="x" * 12)  # signed in, no role


def test_users_without_programmes_view_cannot_read(client, nobody, stored):
    client.force_login(nobody)
    assert client.get("/translation/termbase/").status_code == 403
    assert client.get("/translation/memory/").status_code == 403
    assert client.get("/translation/memory/export/").status_code == 403


def test_api_reads(api, stored):
    call = api("tinh.tuyenquang")
    body = call("get", "/api/v1/termbase", {"q": "thu truong", "lang": "vi"}).json()
    assert [item["text"] for item in body["items"]] == ["Thứ trưởng"]
    concept_id = body["items"][0]["concept_id"]
    concept = call("get", f"/api/v1/termbase/concepts/{concept_id}").json()
    assert {"Deputy Minister", "Vice Minister"} <= {t["text"] for t in concept["terms"]}
    [suggestion] = call(
        "get", "/api/v1/tm/suggest", {"source": "Loa phát thanh của thôn", "src": "vi", "tgt": "th"}
    ).json()
    assert suggestion["score"] == 100 and suggestion["scope"] == "shared"
    problem = call("get", "/api/v1/tm/suggest", {"source": "x", "src": "vi", "tgt": "xx"})
    assert problem.status_code == 422 and "'xx'" in problem.json()["detail"]
    hits = call(
        "get", "/api/v1/termbase/hits", {"text": "Thứ trưởng Bộ Dân tộc và Tôn giáo", "src": "vi", "tgt": "en"}
    ).json()
    assert [h["text"] for h in hits] == ["Thứ trưởng", "Bộ Dân tộc và Tôn giáo"]
    assert hits[0]["targets"][0]["text"] == "Deputy Minister"
    assert b"<tmx" in call("get", "/api/v1/tm/export", {"src": "vi"}).content
    assert b"<tbx" in call("get", "/api/v1/termbase/export").content
    assert call("get", "/api/v1/termbase/concepts/999999").status_code == 404
    assert api("dichthuat")("get", "/api/v1/termbase").status_code == 200  # translators read the termbase


def test_api_refuses_users_without_programmes_view(client, nobody, stored):
    _token, key = token_create(user=nobody, name="t")
    response = client.get(
        "/api/v1/tm/suggest", {"source": "x", "src": "vi", "tgt": "th"}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 403


# ---- importing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_local_officers_cannot_import_through_pages_or_api(login, api, intruder, db):
    client = login(intruder)
    assert client.get("/translation/memory/import/").status_code == 403
    assert client.post("/translation/memory/import/", {"file": SimpleUploadedFile("a.tmx", TMX)}).status_code == 403
    assert client.post("/translation/termbase/import/", {"file": SimpleUploadedFile("a.tbx", TBX)}).status_code == 403
    call = api(intruder)
    assert call("post", "/api/v1/tm/import", {"file": SimpleUploadedFile("a.tmx", TMX)}).status_code == 403
    assert call("post", "/api/v1/termbase/import", {"file": SimpleUploadedFile("a.tbx", TBX)}).status_code == 403
    assert TMEntry.objects.count() == 0 and not Concept.objects.filter(code="x-loa").exists()


def test_country_coordinator_imports_through_pages_and_api(login, api, programme, db):
    client = login("dieuphoi")
    assert client.get("/translation/memory/import/").status_code == 200
    response = client.post(
        "/translation/memory/import/", {"file": SimpleUploadedFile("a.tmx", TMX), "programme": programme.code}
    )
    assert response.status_code == 200 and "1 created" in _text(response)
    assert TMEntry.objects.get().programme == programme
    response = client.post("/translation/termbase/import/", {"file": SimpleUploadedFile("a.tbx", TBX)})
    assert response.status_code == 200 and Concept.objects.filter(code="x-loa").exists()
    call = api("admin")
    body = call("post", "/api/v1/tm/import", {"file": SimpleUploadedFile("b.tmx", TMX)}).json()
    assert body["created"] == 1 and TMEntry.objects.filter(programme=None).count() == 1
    assert call("post", "/api/v1/termbase/import", {"file": SimpleUploadedFile("b.tbx", TBX)}).json()["unchanged"] == 1


def test_bad_files_show_what_is_wrong_and_write_nothing(login, api, db, settings):
    client = login("dieuphoi")
    broken = TMX.replace(b"</tu>", b"", 1)
    response = client.post("/translation/memory/import/", {"file": SimpleUploadedFile("broken.tmx", broken)})
    assert response.status_code == 422
    assert "broken.tmx, line 1: not well-formed XML" in _text(response) and "nothing was written" in _text(response)
    evil = b'<!DOCTYPE t [<!ENTITY a "b">]><tbx>&a;</tbx>'
    response = client.post("/translation/termbase/import/", {"file": SimpleUploadedFile("evil.tbx", evil)})
    assert response.status_code == 422 and "entities are refused" in _text(response)
    settings.TRANSLATION_IMPORT_MAX_BYTES = 100
    problem = api("admin")("post", "/api/v1/tm/import", {"file": SimpleUploadedFile("big.tmx", TMX)})
    assert problem.status_code == 422 and "nothing was written" in problem.json()["title"]
    assert "big.tmx" in problem.json()["detail"] and "limit is 100 bytes" in problem.json()["detail"]
    assert TMEntry.objects.count() == 0 and not Concept.objects.filter(code="x-loa").exists()


def test_import_round_trip_through_the_api(api, stored):
    call = api("admin")
    tmx = call("get", "/api/v1/tm/export").content
    TMEntry.objects.all().delete()
    assert call("post", "/api/v1/tm/import", {"file": SimpleUploadedFile("rt.tmx", tmx)}).json()["created"] == 1
    assert json.loads(
        call("get", "/api/v1/tm/suggest", {"source": stored.source_text, "src": "vi", "tgt": "th"}).content
    )
    assert interchange.tbx_export().count(b"<conceptEntry") == Concept.objects.count()
