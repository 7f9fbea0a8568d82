"""Vietnamese by default, English and Thai on request; dates dd/mm/yyyy; Thai years in the Buddhist Era."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.test import Client

LOCALE = Path(__file__).resolve().parent.parent / "ketnoi" / "locale"


@pytest.mark.parametrize("language", ["vi", "th"])
def test_catalogues_are_complete(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing and not fuzzy, (missing[:5], fuzzy[:5])
    assert len(catalog) > 100


def test_vietnamese_is_the_default(db):
    page = Client().get("/login/").content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page


@pytest.mark.parametrize("language, word", [("en", "Sign in"), ("th", "เข้าสู่ระบบ")])
def test_interface_languages_switch_with_the_cookie(db, language, word):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": language, "next": "/login/"})
    assert response.status_code == 302
    page = client.get("/login/").content.decode()
    assert f'<html lang="{language}">' in page and word in page


def test_thai_interface_shows_buddhist_era_years(login):
    client = login("xa.tavan")
    client.post("/i18n/setlang/", {"language": "th", "next": "/"})
    page = client.get("/units/current/commune/03037/").content.decode()
    valid_row = page.split("<dd>", 6)  # the "valid" line of the facts list is rendered by ketnoi_date
    assert "1 ก.ค. 2568" in page and "01/07/2025 –" not in page
    assert valid_row


def test_vietnamese_dates_are_dd_mm_yyyy(login):
    client = Client()
    client.force_login(
        login("xa.tavan").session
        and __import__("ketnoi.orgs.models", fromlist=["User"]).User.objects.get(username="xa.tavan")
    )
    page = client.get("/agencies/UBDT/").content.decode()
    assert "28/02/2025" in page
