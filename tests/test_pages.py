"""Pages: readable without JavaScript, no third-party requests, and light."""

import re

import pytest

PAGES = [
    "/",
    "/units/?q=lao+cai",
    "/units/current/commune/03037/",
    "/units/legacy/commune/03040/",
    "/units/current/province/15/",
    "/villages/",
    "/ethnic-groups/",
    "/ethnic-groups/08/",
    "/languages/",
    "/agencies/",
    "/agencies/BDTTG/",
    "/users/",
    "/audit/",
    "/tokens/",
    "/villages/import/",
    "/units/current/commune/03037/villages/new/",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_server_side_without_third_party_references(login, path):
    response = login("admin").get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    assert "<main" in html and "</html>" in html
    for url in re.findall(r'(?:src|href|action)="([^"]+)"', html):
        assert not re.match(r"^(https?:)?//", url), f"{path} references {url}"
    assert len(response.content) < 100_000, f"{path} is {len(response.content)} bytes"


def test_security_headers(login):
    response = login("admin").get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_htmx_requests_get_only_the_result_rows(login):
    response = login("admin").get("/units/", {"q": "ta van"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Xã Tả Van" in html and "<html" not in html


def test_unit_page_shows_parents_villages_classification_and_predecessors(login):
    html = login("xa.tavan").get("/units/current/commune/03037/").content.decode()
    assert "Tỉnh Lào Cai" in html  # parent
    assert "Bản Lao Chải" in html  # village
    assert 'id="h-class"' in html and "Bản Hầu Thào" in html  # classification with its ĐBKK village
    assert 'id="h-pred"' in html and "Thị xã Sa Pa" in html  # legacy predecessors
    legacy = login("xa.tavan").get("/units/legacy/commune/03040/").content.decode()
    assert 'id="h-succ"' in legacy and "Xã Tả Van" in legacy


def test_village_form_creates_edits_and_deletes(login):
    from ketnoi.geo.models import Village

    client = login("xa.tavan")
    response = client.post(
        "/units/current/commune/03037/villages/new/", {"name": "Thôn Giao Diện", "kind": "thon", "households": "20"}
    )
    assert response.status_code == 302
    village = Village.objects.get(name="Thôn Giao Diện")
    response = client.post(
        f"/villages/{village.pk}/edit/",
        {"name": "Thôn Giao Diện", "kind": "thon", "households": "5", "minority_households": "9"},
    )
    assert response.status_code == 200 and "cannot exceed" in response.content.decode()
    assert client.post(f"/villages/{village.pk}/delete/").status_code == 302
    assert not Village.objects.filter(pk=village.pk).exists()
