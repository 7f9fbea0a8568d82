"""The API and the staff page of the DHIS2 exchange: formats by Content-Type, problem+json, scoping."""

import json

from defusedxml import ElementTree
from django.core.files.uploadedfile import SimpleUploadedFile

from ketnoi.indicators.models import DataValue
from ketnoi.orgs.services import token_create

from .conftest import payload

API = "/api/v1/dhis2/dataValueSets"


def _auth(user):
    _token, key = token_create(user=user, name="dhis2")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_post_json_and_adx_by_content_type(client, mapped, users):
    headers = _auth(users["xa.tavan"])
    response = client.post(API, payload("tavan_2025q3.json"), content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    assert response.json()["importCount"] == {"imported": 6, "updated": 0, "ignored": 0, "deleted": 0}
    changed = payload("tavan_2025q3.adx").replace(b'value="41"', b'value="40"')
    response = client.post(API, changed, content_type="application/adx+xml", **headers)
    assert response.json()["importCount"] == {"imported": 0, "updated": 1, "ignored": 5, "deleted": 0}
    assert (
        DataValue.objects.get(
            unit__code="03037", period="2025Q3", element__code="ban_tin_dai_xa", disaggregation=""
        ).value
        == 40
    )


def test_post_errors_are_problems_and_nothing_is_written(client, mapped, users):
    before = DataValue.objects.count()
    response = client.post(API, payload("mistakes.json"), content_type="application/json", **_auth(users["xa.tavan"]))
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Import refused; nothing was written"
    assert {e["field"] for e in body["errors"]} >= {"dataValues[0]", "dataValues[9]"}
    assert DataValue.objects.count() == before
    response = client.post(
        API, payload("external_entity.adx"), content_type="application/adx+xml", **_auth(users["xa.tavan"])
    )
    assert response.status_code == 422 and "entities" in response.json()["detail"]


def test_another_province_cannot_import_into_tavan(client, mapped, users):
    response = client.post(
        API, payload("tavan_2025q3.json"), content_type="application/json", **_auth(users["tinh.tuyenquang"])
    )
    assert response.status_code == 422
    assert all("outside your area" in e["message"] for e in response.json()["errors"])
    assert not DataValue.objects.filter(unit__code="03037", period="2025Q3").exists()


def test_editor_without_data_entry_is_forbidden(client, mapped, users):
    response = client.post(
        API, payload("tavan_2025q3.json"), content_type="application/json", **_auth(users["bientap.laocai"])
    )
    assert response.status_code == 403


def test_exports_are_scoped(client, mapped, users):
    headers = _auth(users["tinh.tuyenquang"])
    body = client.get(API + ".json", {"period": "2025Q1"}, **headers).json()
    assert body["dataValues"] and {v["orgUnit"] for v in body["dataValues"]} == {"VN_TQ_DONGVAN"}
    response = client.get(API + ".adx", {"period": "2025Q1", "orgUnit": "VN_LC_TAVAN"}, **headers)
    assert response["Content-Type"].startswith("application/adx+xml")
    assert ElementTree.fromstring(response.content).findall("{urn:ihe:qrph:adx:2015}group") == []
    laocai = client.get(API, {"period": "2025Q1,2025Q2", "dataElement": "KN_BULLETINS"}, **_auth(users["tinh.laocai"]))
    values = laocai.json()["dataValues"]
    assert {v["period"] for v in values} == {"2025Q1", "2025Q2"} and {v["dataElement"] for v in values} == {
        "KN_BULLETINS"
    }
    adx = client.get(API, {"period": "2025Q1"}, HTTP_ACCEPT="application/adx+xml", **_auth(users["tinh.laocai"]))
    assert adx["Content-Type"].startswith("application/adx+xml")
    bad = client.get(API, {"period": "2025W01"}, **headers)
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"


def test_page_upload_and_download(login, mapped):
    client = login("xa.tavan")
    page = client.get("/dhis2/")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    upload = SimpleUploadedFile("q3.json", payload("tavan_2025q3.json"), content_type="application/json")
    response = client.post("/dhis2/", {"file": upload})
    assert response.status_code == 200 and "6 new" in response.content.decode()
    bad = SimpleUploadedFile("bad.adx", payload("billion_laughs.adx"))
    response = client.post("/dhis2/", {"file": bad})
    assert response.status_code == 422 and "nothing was written" in response.content.decode()
    download = client.get("/dhis2/export", {"period": "2025Q3", "format": "json"})
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert len(json.loads(download.content)["dataValues"]) == 5


def test_page_for_an_editor_has_no_import_and_refuses_a_post(login, mapped):
    client = login("bientap.laocai")
    page = client.get("/dhis2/")
    assert page.status_code == 200 and "multipart" not in page.content.decode()
    upload = SimpleUploadedFile("q3.json", payload("tavan_2025q3.json"))
    assert client.post("/dhis2/", {"file": upload}).status_code == 403


def test_page_loads_a_mapping_table_for_national_reference_rights_only(login, mapped):
    from ketnoi.dhis2.models import OrgUnitMap

    client = login("admin")
    csv_file = SimpleUploadedFile("units.csv", b"ketnoi,dhis2\n23425,VN_KT_TUMORONG\n")
    response = client.post("/dhis2/", {"kind": "orgunits", "mapping_file": csv_file})
    assert response.status_code == 200 and "1 mapping loaded" in response.content.decode()
    assert OrgUnitMap.objects.get(dhis2="VN_KT_TUMORONG").unit.code == "23425"
    bad = SimpleUploadedFile("units.csv", b"ketnoi,dhis2\n99999,X\n")
    response = client.post("/dhis2/", {"kind": "orgunits", "mapping_file": bad})
    assert response.status_code == 422 and "99999" in response.content.decode()
    assert not OrgUnitMap.objects.filter(dhis2="X").exists()
    other = login("tinh.laocai")
    csv_file = SimpleUploadedFile("units.csv", b"ketnoi,dhis2\n03037,HIJACK\n")
    assert other.post("/dhis2/", {"kind": "orgunits", "mapping_file": csv_file}).status_code == 403
    assert "Load the mapping" not in other.get("/dhis2/").content.decode()
