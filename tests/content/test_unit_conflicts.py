"""Two translators editing the same segment (issue 11.5): every write raises the unit's version; a save
from an older version writes nothing and answers 409 with both texts, in the API and in the editor."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from ketnoi.content import services
from ketnoi.content.models import TranslationUnit
from ketnoi.orgs.services import token_create

from .test_translation import THAI

REQUESTS = 8


@pytest.fixture
def thai(item, users):
    return services.variant_add(user=users["bientap"], item=item, language="th")


@pytest.fixture
def title(thai):
    return thai.units.get(field="title")


def _bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='conflicts')[1]}"}


def _patch(client, auth, unit_id, body):
    return client.patch(f"/api/v1/content/units/{unit_id}", json.dumps(body), content_type="application/json", **auth)


# ---- services ----------------------------------------------------------------------------


def test_every_write_raises_the_version(thai, title, users, settings, monkeypatch):
    from ketnoi.translation import machine

    assert title.version == 1
    unit = services.unit_save(user=users["dichthuat"], unit=title, text="ข่าว", version=1)
    assert unit.version == 2
    unit = services.unit_review(user=users["thamdinh"], unit=unit)
    assert TranslationUnit.objects.get(pk=title.pk).version == 3

    class Fake(machine.Provider):
        name = "fake"

        def translate(self, text, source_lang, target_lang):
            return self._result(f"[{target_lang}] {text}")

    monkeypatch.setitem(machine.PROVIDERS, "fake", Fake)
    settings.MT_PROVIDER = "fake"
    unit = services.unit_machine_translate(user=users["dichthuat"], unit=unit, version=3)
    assert TranslationUnit.objects.get(pk=title.pk).version == 4

    data = services.variant_xliff_export(user=users["dichthuat"], variant=thai).decode()
    for source, target in THAI.items():
        data = data.replace(f"<source>{source}</source>", f"<source>{source}</source><target>{target}</target>", 1)
    services.variant_xliff_import(user=users["dichthuat"], variant=thai, data=data.encode())
    assert TranslationUnit.objects.get(pk=title.pk).version == 5
    assert all(v >= 2 for v in thai.units.values_list("version", flat=True))


def test_a_stale_save_raises_with_both_texts_and_writes_nothing(title, users):
    services.unit_save(user=users["dichthuat"], unit=title, text="ข่าวของคนแรก", version=1)
    with pytest.raises(services.StaleUnitEdit) as exc:
        services.unit_save(user=users["thamdinh"], unit=title, text="ข่าวของคนที่สอง", version=1)
    assert exc.value.unit.text == "ข่าวของคนแรก" and exc.value.unit.version == 2
    assert exc.value.your_text == "ข่าวของคนที่สอง"
    stored = TranslationUnit.objects.get(pk=title.pk)
    assert (stored.text, stored.version, stored.translator.username) == ("ข่าวของคนแรก", 2, "dichthuat")
    with pytest.raises(services.StaleUnitEdit):
        services.unit_review(user=users["thamdinh"], unit=title, version=1)
    assert TranslationUnit.objects.get(pk=title.pk).state == "translated"


# ---- API ---------------------------------------------------------------------------------


def test_two_patches_from_the_same_version_the_second_is_409(client, thai, title, users):
    first, second = _bearer(users["dichthuat"]), _bearer(users["thamdinh"])
    listed = client.get(f"/api/v1/content/variants/{thai.pk}/units", **first).json()
    version = next(u for u in listed if u["id"] == title.pk)["version"]
    assert version == 1

    ok = _patch(client, first, title.pk, {"version": version, "text": "ข่าวของคนแรก"})
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["text"] == "ข่าวของคนแรก"

    stale = _patch(client, second, title.pk, {"version": version, "text": "ข่าวของคนที่สอง"})
    assert stale.status_code == 409
    assert stale["Content-Type"].startswith("application/problem+json")
    body = stale.json()
    assert body["current_text"] == "ข่าวของคนแรก" and body["your_text"] == "ข่าวของคนที่สอง"
    assert body["current_version"] == 2 and body["title"] and "someone else" in body["detail"]
    stored = TranslationUnit.objects.get(pk=title.pk)
    assert (stored.text, stored.version) == ("ข่าวของคนแรก", 2)

    again = _patch(client, second, title.pk, {"version": body["current_version"], "text": "ข่าวของคนที่สอง"})
    assert again.status_code == 200 and again.json()["text"] == "ข่าวของคนที่สอง" and again.json()["version"] == 3


def test_a_patch_without_version_is_422_naming_the_field(client, title, users):
    response = _patch(client, _bearer(users["dichthuat"]), title.pk, {"text": "ข่าว"})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert any(e["field"] == "version" for e in response.json()["errors"]), response.json()
    stored = TranslationUnit.objects.get(pk=title.pk)
    assert (stored.text, stored.version) == ("", 1)


# ---- the editor --------------------------------------------------------------------------


def test_editor_save_from_a_stale_version_shows_both_texts_and_keeps_the_typed_one(thai, title, login, users):
    client = login("dichthuat")
    page = client.get(f"/content/variants/{thai.pk}/").content.decode()
    assert f'name="version" value="{title.version}"' in page
    services.unit_save(user=users["thamdinh"], unit=title, text="ข่าวของผู้ตรวจ", version=1)  # meanwhile

    response = client.post(f"/content/units/{title.pk}/", {"text": "ข่าวของฉัน", "action": "save", "version": 1})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this segment" in html
    assert ">ข่าวของผู้ตรวจ</textarea>" in html  # theirs, read-only
    assert 'name="text" rows="3" lang="th">ข่าวของฉัน</textarea>' in html  # yours, still in the box
    section = html[html.index(f'id="u{title.pk}"') :]
    assert 'name="version" value="2"' in section[: section.index("</section>")]
    assert TranslationUnit.objects.get(pk=title.pk).text == "ข่าวของผู้ตรวจ"

    response = client.post(f"/content/units/{title.pk}/", {"text": "ข่าวของฉัน", "action": "save", "version": 2})
    assert response.status_code == 302  # saving again deliberately replaces their text
    stored = TranslationUnit.objects.get(pk=title.pk)
    assert (stored.text, stored.version) == ("ข่าวของฉัน", 3)


def test_htmx_segment_save_from_a_stale_version_is_a_409_fragment(thai, title, login, users):
    client = login("dichthuat")
    page = client.get(f"/content/variants/{thai.pk}/").content.decode()
    assert 'name="htmx-config"' in page and '"code": "409", "swap": true' in page  # htmx swaps the 409 in
    services.unit_save(user=users["thamdinh"], unit=title, text="ข่าวของผู้ตรวจ", version=1)

    response = client.post(
        f"/content/units/{title.pk}/", {"text": "ข่าวของฉัน", "action": "draft", "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert html.startswith('<section class="unit') and "<html" not in html
    assert ">ข่าวของผู้ตรวจ</textarea>" in html and ">ข่าวของฉัน</textarea>" in html
    assert 'name="version" value="2"' in html
    assert TranslationUnit.objects.get(pk=title.pk).text == "ข่าวของผู้ตรวจ"


def test_editor_form_without_a_version_is_treated_as_stale(title, login, users):
    services.unit_save(user=users["thamdinh"], unit=title, text="ข่าวของผู้ตรวจ", version=1)
    response = login("dichthuat").post(f"/content/units/{title.pk}/", {"text": "ข่าวของฉัน", "action": "save"})
    assert response.status_code == 409
    assert TranslationUnit.objects.get(pk=title.pk).text == "ข่าวของผู้ตรวจ"


# ---- concurrent requests -----------------------------------------------------------------


def _at_once(call, count: int = REQUESTS) -> list:
    """Run ``call(i)`` in ``count`` threads released together; each thread closes its connection."""
    barrier = threading.Barrier(count)

    def run(index):
        try:
            barrier.wait()
            return call(index)
        finally:
            connection.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_eight_patches_from_the_same_version_save_once(committed_data):
    """Committed data, one connection per request: exactly one save wins, the others are 409, none is 500."""
    from ketnoi.content.models import ContentItem
    from ketnoi.orgs.models import User

    editor, translator = User.objects.get(username="bientap"), User.objects.get(username="dichthuat")
    item = services.item_create(user=editor, kind="news", title="Tin tranh chấp phân đoạn", body="<p>Một câu.</p>")
    try:
        variant = services.variant_add(user=editor, item=item, language="th")
        unit = variant.units.get(field="title")
        auth = _bearer(translator)

        def patch(index):
            body = {"version": unit.version, "text": f"ข่าวฉบับที่ {index}"}
            response = _patch(Client(), auth, unit.pk, body)
            return response.status_code, response.json()

        answers = _at_once(patch)

        statuses = sorted(status for status, _body in answers)
        assert statuses == [200] + [409] * (REQUESTS - 1), statuses
        winner = next(body for status, body in answers if status == 200)
        stored = TranslationUnit.objects.get(pk=unit.pk)
        assert (stored.text, stored.version) == (winner["text"], unit.version + 1)
        for status, body in answers:
            if status == 409:
                assert body["current_text"] == winner["text"] and body["current_version"] == stored.version
                assert body["your_text"].startswith("ข่าวฉบับที่") and body["your_text"] != winner["text"]
    finally:
        ContentItem.objects.filter(pk=item.pk).delete()
