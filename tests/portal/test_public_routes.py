"""Every public portal route answers anonymous visitors (no sign-in); the internal ones do not."""

import re

import pytest
from django.urls import URLResolver, get_resolver

from tests.portal.matrix_entries import MATRIX


def _portal_routes():
    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return sorted({r for r in walk(get_resolver()) if r.startswith(("p/", "portal/", "api/v1/portal/"))})


def test_matrix_lists_every_portal_route():
    assert set(_portal_routes()) == set(MATRIX)


def _fill(route: str, item_pk: int) -> str:
    path = "/" + route
    replacements = {
        "<str:lang>": "vi",
        "<slug:slug>": "bai",
        "<slug:code>": "chinh-sach",
        "<slug:topic>": "chinh-sach",
        "<str:code>": "08",
        "<int:year>": "2025",
        "<int:month>": "7",
        "<int:pk>": str(item_pk),
        "<int:feedback_id>": "1",
    }
    for key, value in replacements.items():
        path = path.replace(key, value)
    assert not re.search(r"<\w", path), path
    return path


@pytest.mark.parametrize(
    "route",
    [r for r in _portal_routes() if r.startswith("p/") or r in ("api/v1/portal/items", "api/v1/portal/answers")],
)
def test_public_routes_need_no_sign_in(client, make_item, topic, section, route, tmp_path, settings):
    from django.core.files.base import ContentFile

    from ketnoi.content.models import ContentImage
    from ketnoi.people.models import Language

    settings.MEDIA_ROOT = tmp_path
    item = make_item("bai", {"vi": ("Bài", "", "<p>a</p>")}, topics=[topic], section=section)
    image = ContentImage(item=item, language=Language.objects.get(bcp47="vi"), alt_text="ảnh")
    image.file.save("a.png", ContentFile(b"png"), save=True)
    path = _fill(route, image.pk)
    if route == "p/<str:lang>/muc/<slug:code>/":
        path = path.replace("chinh-sach", "thoi-su")
    response = client.get(path)
    assert response.status_code in (200, 302), (path, response.status_code)
    if response.status_code == 302:
        assert not response["Location"].startswith("/login/")


@pytest.mark.parametrize("route", ["portal/feedback/", "portal/feedback/<int:pk>/"])
def test_moderation_pages_need_sign_in(client, route):
    response = client.get(_fill(route, 1))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_unknown_topic_and_section_answer_404(client):
    assert client.get("/p/vi/chu-de/khong-co/").status_code == 404
    assert client.get("/p/vi/muc/khong-co/").status_code == 404
