"""The content and translation API: create, update (409 on stale), transitions, variants, units, jobs, QA, XLIFF."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ketnoi.content.models import ContentItem
from ketnoi.orgs.services import token_create


@pytest.fixture
def api(client, users):
    def _for(username):
        _token, key = token_create(user=users[username], name="content")

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


def test_item_lifecycle_through_the_api(api):
    editor = api("bientap")
    created = editor(
        "post",
        "/api/v1/content/items",
        {
            "kind": "announcement",
            "priority": "priority",
            "title": "Thông báo lịch họp",
            "body": "<p>Họp lúc 8 giờ.</p>",
        },
    )
    assert created.status_code == 201
    item = created.json()
    assert item["state"] == "draft" and item["priority"] == "priority" and item["variants"][0]["language"] == "vi"
    patched = editor(
        "patch", f"/api/v1/content/items/{item['id']}", {"version": item["version"], "summary": "Tóm tắt."}
    )
    assert patched.status_code == 200 and patched.json()["summary"] == "Tóm tắt."
    stale = editor("patch", f"/api/v1/content/items/{item['id']}", {"version": item["version"], "title": "Cũ"})
    assert stale.status_code == 409 and stale.json()["yours"]["title"] == "Cũ"
    assert stale.json()["current"]["title"] == "Thông báo lịch họp"
    moved = editor("post", f"/api/v1/content/items/{item['id']}/transition", {"action": "submit"})
    assert moved.status_code == 200 and moved.json()["state"] == "submitted"
    refused = editor("post", f"/api/v1/content/items/{item['id']}/transition", {"action": "approve"})
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    wrong = api("thamdinh")("post", f"/api/v1/content/items/{item['id']}/transition", {"action": "publish"})
    assert wrong.status_code == 403
    listing = editor("get", "/api/v1/content/items", {"state": "submitted"}).json()
    assert item["id"] in [i["id"] for i in listing["items"]]


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"title": "X", "source_language": "qq"}, "language", "Unknown language code 'qq'"),
        ({"title": "X", "body": "<p><b>x</p>"}, "body", "Invalid HTML"),
        ({"title": ""}, "title", "A title is required"),
        ({"title": "X", "owner_unit": "99999"}, "owner_unit", "Unknown unit code"),
    ],
)
def test_bad_input_answers_422_naming_the_field(api, payload, field, message):
    response = api("bientap")("post", "/api/v1/content/items", payload)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors
    assert not ContentItem.objects.filter(variants__title="X").exists()


def test_variants_units_jobs_qa_and_xliff(api, item):
    editor, translator = api("bientap"), api("dichthuat")
    added = editor("post", f"/api/v1/content/items/{item.pk}/variants", {"language": "th"})
    assert added.status_code == 201
    variant = added.json()
    assert editor("post", f"/api/v1/content/items/{item.pk}/variants", {"language": "xx"}).status_code == 422
    job = editor(
        "put", f"/api/v1/content/variants/{variant['id']}/job", {"translator": "dichthuat", "due_date": "2030-01-31"}
    )
    assert job.status_code == 200 and job.json() == {
        "translator": "dichthuat",
        "reviewer": None,
        "due_date": "2030-01-31",
    }
    bad_job = editor("put", f"/api/v1/content/variants/{variant['id']}/job", {"translator": "xa.tavan"})
    assert bad_job.status_code == 422
    units = translator("get", f"/api/v1/content/variants/{variant['id']}/units").json()
    assert [u["field"] for u in units][:2] == ["title", "summary"] and units[0]["state"] == "untranslated"
    assert units[0]["version"] == 1
    saved = translator(
        "patch", f"/api/v1/content/units/{units[0]['id']}", {"version": units[0]["version"], "text": "Tin thử nghiệm"}
    )
    assert saved.status_code == 200 and saved.json()["state"] == "translated" and saved.json()["version"] == 2
    findings = translator("post", f"/api/v1/content/variants/{variant['id']}/qa").json()
    assert any(f["unit"] == units[0]["id"] and f["blocking"] for f in findings)  # left in Vietnamese
    approve = api("thamdinh")("post", f"/api/v1/content/variants/{variant['id']}/approve")
    assert approve.status_code == 422
    review = translator("post", f"/api/v1/content/units/{units[0]['id']}/review")
    assert review.status_code == 403
    exported = translator("get", f"/api/v1/content/variants/{variant['id']}/xliff", {"version": "1.2"})
    assert exported.status_code == 200 and b'version="1.2"' in exported.content
    xliff = exported.content.decode().replace(
        '<source>Một bản tin ngắn.</source>\n        <target state="needs-translation"></target>',
        '<source>Một bản tin ngắn.</source>\n        <target state="translated">ข่าวสั้น</target>',
    )
    imported = translator(
        "post", f"/api/v1/content/variants/{variant['id']}/xliff", {"file": SimpleUploadedFile("t.xlf", xliff.encode())}
    )
    assert imported.status_code == 200 and imported.json()["changed"] >= 1
    summary = [
        u
        for u in translator("get", f"/api/v1/content/variants/{variant['id']}/units").json()
        if u["field"] == "summary"
    ]
    assert summary[0]["text"] == "ข่าวสั้น" and summary[0]["state"] == "translated"
    hostile = translator(
        "post",
        f"/api/v1/content/variants/{variant['id']}/xliff",
        {"file": SimpleUploadedFile("t.xlf", b'<!DOCTYPE x [<!ENTITY a "b">]><xliff version="2.0">&a;</xliff>')},
    )
    assert hostile.status_code == 422
    source_id = next(
        v["id"] for v in editor("get", f"/api/v1/content/items/{item.pk}/variants").json() if v["is_source"]
    )
    segments = editor("get", f"/api/v1/content/variants/{source_id}/segments").json()
    assert segments[0] == {"id": segments[0]["id"], "field": "title", "index": 0, "block": 0, "text": "Tin thử nghiệm"}
