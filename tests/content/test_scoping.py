"""Tuyên Quang (08) can neither read nor change Lào Cai's (15) content, through pages or the API;
Lào Cai's own editor can (positive control); central items stay with country-wide roles."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ketnoi.content import services
from ketnoi.content.models import ContentItem, TranslationUnit, WorkflowEvent
from ketnoi.orgs.services import token_create

INTRUDERS = ["xa.dongvan", "tinh.tuyenquang", "bientap.tq", "dichthuat.tq", "thamdinh.tq"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def target(laocai_item, users, settings, tmp_path, tq_staff):
    settings.MEDIA_ROOT = tmp_path
    variant = services.variant_add(user=users["bientap.laocai"], item=laocai_item, language="th")
    image = services.image_add(
        user=users["bientap.laocai"], item=laocai_item, upload=SimpleUploadedFile("a.png", PNG), alt_text="Ảnh"
    )
    unit = variant.units.get(field="title")
    return {"item": laocai_item, "variant": variant, "unit": unit, "image": image}


@pytest.fixture
def api(client, users, tq_staff):
    def _for(username):
        from ketnoi.orgs.models import User

        _token, key = token_create(user=User.objects.get(username=username), name="content")

        def call(method, path, data=None):
            kwargs = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
            if method == "get":
                return client.get(path, data, **kwargs)
            if isinstance(data, dict) and any(hasattr(v, "read") for v in data.values()):
                return getattr(client, method)(path, data, **kwargs)
            body = json.dumps(data) if data is not None else ""
            return getattr(client, method)(path, body, content_type="application/json", **kwargs)

        return call

    return _for


def _page_urls(t):
    item, variant, unit, image = t["item"].pk, t["variant"].pk, t["unit"].pk, t["image"].pk
    gets = [
        f"/content/{item}/",
        f"/content/{item}/edit/",
        f"/content/images/{image}/",
        f"/content/variants/{variant}/",
        f"/content/variants/{variant}/history/",
        f"/content/variants/{variant}/xliff/",
    ]
    posts = [
        (f"/content/{item}/edit/", {"kind": "news", "title": "Đổi", "priority": "normal", "version": 1}),
        (f"/content/{item}/transition/", {"action": "submit"}),
        (f"/content/{item}/comment/", {"text": "xâm nhập"}),
        (f"/content/{item}/images/", {"alt_text": "x", "file": SimpleUploadedFile("b.png", PNG)}),
        (f"/content/{item}/variants/", {"language": "en"}),
        (f"/content/images/{image}/delete/", {}),
        (f"/content/variants/{variant}/job/", {"due_date": "2030-01-01"}),
        (f"/content/variants/{variant}/approve/", {}),
        (f"/content/variants/{variant}/xliff/import/", {"file": SimpleUploadedFile("x.xlf", b"<xliff/>")}),
        (f"/content/units/{unit}/", {"text": "ข่าว", "action": "save", "version": 1}),
    ]
    return gets, posts


def _unchanged(t):
    item = ContentItem.objects.get(pk=t["item"].pk)
    assert item.state == "draft" and item.variants.count() == 2 and item.images.count() == 1
    assert not WorkflowEvent.objects.filter(item=item, comment="xâm nhập").exists()
    assert TranslationUnit.objects.get(pk=t["unit"].pk).text == ""


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_pages_do_not_show_or_change_lao_cai_content(client, intruder, target):
    from ketnoi.orgs.models import User

    client.force_login(User.objects.get(username=intruder))
    listing = client.get("/content/")
    assert listing.status_code in (200, 403) and "Tin của Lào Cai" not in listing.content.decode()
    assert "Tin của Lào Cai" not in client.get("/content/", {"q": "lao cai"}).content.decode()
    jobs = client.get("/content/jobs/")
    assert jobs.status_code in (200, 403) and target["item"].slug not in jobs.content.decode()
    gets, posts = _page_urls(target)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    _unchanged(target)


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_api_does_not_show_or_change_lao_cai_content(api, intruder, target):
    call = api(intruder)
    item, variant, unit = target["item"].pk, target["variant"].pk, target["unit"].pk
    listing = call("get", "/api/v1/content/items")
    assert listing.status_code == 200 and "Tin của Lào Cai" not in listing.content.decode()
    reads = [
        f"/api/v1/content/items/{item}",
        f"/api/v1/content/items/{item}/variants",
        f"/api/v1/content/variants/{variant}",
        f"/api/v1/content/variants/{variant}/units",
        f"/api/v1/content/variants/{variant}/xliff",
        f"/api/v1/content/variants/{target['item'].variants.get(is_source=True).pk}/segments",
    ]
    for url in reads:
        assert call("get", url).status_code == 404, url
    writes = [
        ("patch", f"/api/v1/content/items/{item}", {"version": 1, "title": "Đổi"}),
        ("post", f"/api/v1/content/items/{item}/transition", {"action": "submit"}),
        ("post", f"/api/v1/content/items/{item}/variants", {"language": "en"}),
        ("put", f"/api/v1/content/variants/{variant}/job", {"due_date": "2030-01-01"}),
        ("post", f"/api/v1/content/variants/{variant}/qa", None),
        ("post", f"/api/v1/content/variants/{variant}/approve", None),
        ("post", f"/api/v1/content/variants/{variant}/xliff", {"file": SimpleUploadedFile("x.xlf", b"<xliff/>")}),
        ("patch", f"/api/v1/content/units/{unit}", {"version": 1, "text": "ข่าว"}),
        ("post", f"/api/v1/content/units/{unit}/review", None),
        ("post", f"/api/v1/content/units/{unit}/overrides", {"check_id": "x", "reason": "xâm nhập"}),
    ]
    for method, url, data in writes:
        response = call(method, url, data)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response["Content-Type"] == "application/problem+json"
    created = call("post", "/api/v1/content/items", {"title": "Tin giả của Lào Cai", "owner_unit": "15"})
    assert created.status_code == 403
    assert not ContentItem.objects.filter(variants__title="Tin giả của Lào Cai").exists()
    _unchanged(target)


def test_lao_cai_editor_and_country_translator_can(login, api, target, users):
    """Positive control: the same URLs work for Lào Cai's own editor and the country-wide translator."""
    client = login("bientap.laocai")
    assert "Tin của Lào Cai" in client.get("/content/").content.decode()
    assert client.get(f"/content/{target['item'].pk}/").status_code == 200
    assert client.get(f"/content/images/{target['image'].pk}/").status_code == 200
    response = client.post(f"/content/{target['item'].pk}/comment/", {"text": "của chủ nhà"})
    assert response.status_code == 302
    assert WorkflowEvent.objects.filter(item=target["item"], comment="của chủ nhà").exists()
    call = api("bientap.laocai")
    assert call("get", f"/api/v1/content/items/{target['item'].pk}").json()["title"] == "Tin của Lào Cai"
    answer = call("post", "/api/v1/content/items", {"title": "Tin mới của Lào Cai", "owner_unit": "15"})
    assert answer.status_code == 201 and answer.json()["owner_unit"] == "15"
    translator = login("dichthuat")
    assert translator.get(f"/content/variants/{target['variant'].pk}/").status_code == 200
    saved = translator.post(f"/content/units/{target['unit'].pk}/", {"text": "ข่าว", "action": "save", "version": 1})
    assert saved.status_code == 302
    assert TranslationUnit.objects.get(pk=target["unit"].pk).text == "ข่าว"


def test_central_items_need_a_country_wide_role(item, login, api):
    """bientap.laocai (province 15) does not see central items; the country-wide editor does."""
    assert login("bientap.laocai").get(f"/content/{item.pk}/").status_code == 404
    assert api("bientap.laocai")("get", f"/api/v1/content/items/{item.pk}").status_code == 404
    denied = api("bientap.laocai")("post", "/api/v1/content/items", {"title": "Tin trung ương"})
    assert denied.status_code == 403
    assert login("bientap").get(f"/content/{item.pk}/").status_code == 200
