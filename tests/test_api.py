"""API conventions: OpenAPI, offline docs, problem details, pagination, NFC at the boundary."""

import unicodedata

import pytest

from ketnoi.geo.models import Village
from ketnoi.orgs.services import token_create


@pytest.fixture
def bearer(users):
    def _for(username):
        return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users[username], name='t')[1]}"}

    return _for


def test_openapi_document_lists_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "Kết Nối API"
    for path in (
        "/api/v1/units",
        "/api/v1/villages",
        "/api/v1/ethnic-groups",
        "/api/v1/languages",
        "/api/v1/agencies",
        "/api/v1/audit",
    ):
        assert path in spec["paths"]


def test_interactive_docs_are_served_offline(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_pagination(client, bearer):
    page = client.get("/api/v1/units", {"level": "commune", "page": 2, "page_size": 100}, **bearer("admin")).json()
    assert page["count"] == 3321 and page["page"] == 2 and page["pages"] == 34 and len(page["items"]) == 100
    capped = client.get("/api/v1/units", {"page_size": 100000}, **bearer("admin")).json()
    assert capped["page_size"] == 500


def test_search_is_diacritic_insensitive(client, bearer):
    items = client.get("/api/v1/units", {"q": "lao cai", "level": "province"}, **bearer("xa.tavan")).json()["items"]
    assert [i["name"] for i in items] == ["Tỉnh Lào Cai"]


def test_errors_are_problem_details(client, bearer):
    missing = client.get("/api/v1/units/current/commune/99999", **bearer("admin"))
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
    assert missing.json()["status"] == 404 and missing.json()["title"]
    invalid = client.post(
        "/api/v1/villages", {"commune_code": "03037"}, content_type="application/json", **bearer("xa.tavan")
    )
    body = invalid.json()
    assert invalid.status_code == 422 and body["errors"][0]["field"] == "name"
    unauthenticated = client.get("/api/v1/villages")
    assert unauthenticated.status_code == 401 and unauthenticated.json()["type"] == "about:blank"


def test_validation_in_services_becomes_problem_details(client, bearer):
    payload = {"commune_code": "03037", "name": "Thôn Sai Số", "households": 5, "minority_households": 9}
    response = client.post("/api/v1/villages", payload, content_type="application/json", **bearer("xa.tavan"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "minority_households"
    duplicate = {"commune_code": "03037", "name": "Bản Lao Chải"}
    response = client.post("/api/v1/villages", duplicate, content_type="application/json", **bearer("xa.tavan"))
    assert response.status_code == 422 and "already has a village" in response.json()["detail"]


def test_text_is_normalised_at_the_api_boundary(client, bearer):
    name = unicodedata.normalize("NFD", "Thôn Thuỷ Lợi")
    response = client.post(
        "/api/v1/villages",
        {"commune_code": "03037", "name": name},
        content_type="application/json",
        **bearer("xa.tavan"),
    )
    assert response.status_code == 201
    assert Village.objects.get(pk=response.json()["id"]).name == "Thôn Thủy Lợi"


def test_import_over_the_api_reports_file_row_and_field(client, bearer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("thon.csv", "commune_code,name\n03037,Thôn A\n03037,Thôn A\n".encode())
    response = client.post("/api/v1/villages/import", {"file": upload}, **bearer("xa.tavan"))
    body = response.json()
    assert response.status_code == 422
    assert body["errors"][0] == {"file": "thon.csv", "row": 3, "field": "name", "message": body["errors"][0]["message"]}


def test_reference_endpoints(client, bearer):
    auth = bearer("xa.dongvan")
    group = client.get("/api/v1/ethnic-groups/08", **auth).json()
    assert group["name_vi"] == "Mông" and group["population_2019"] == 1393547
    crosswalk = client.get("/api/v1/units/legacy/commune/03040/crosswalk", **auth).json()
    assert crosswalk[0]["current"]["name"] == "Xã Tả Van"
    agency = client.get("/api/v1/agencies/UBDT", **auth).json()
    assert agency["successors"][0]["code"] == "BDTTG"
    languages = client.get("/api/v1/languages", {"vov4": True}, **auth).json()
    assert languages["count"] == 12


def test_a_missing_body_or_field_is_named_with_a_plain_message(client, bearer):
    answer = client.post("/api/v1/villages", "", content_type="application/json", **bearer("xa.tavan"))
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors and all(e["field"] for e in errors), errors
    broken = client.post("/api/v1/villages", "{not json", content_type="application/json", **bearer("xa.tavan"))
    assert broken.status_code in (400, 422)
    empty = client.post("/api/v1/villages", "{}", content_type="application/json", **bearer("xa.tavan"))
    assert empty.status_code == 422
    assert {e["field"]: e["message"] for e in empty.json()["errors"]}["commune_code"] == "This field is required."
