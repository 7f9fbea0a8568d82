"""Indicator dashboards show numbers the page language's way, with thousands separators (issue 7.2)."""

from django.conf import settings
from django.test import Client

from ketnoi.indicators.models import Indicator, Target


def _page(users, language: str, path: str) -> str:
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    browser.force_login(users["dieuphoi"])
    response = browser.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_targets_and_values_are_grouped_in_each_language(users):
    indicator = Indicator.objects.get(code="ty_le_thon_co_dai_xa")
    Target.objects.update_or_create(
        indicator=indicator, unit_key="VN", period="2025", disaggregation="", defaults={"target_value": 1250.5}
    )
    listing = "/indicators/?period=2025"
    detail = f"/indicators/{indicator.code}/?period=2025"
    for path in (listing, detail):
        assert "1.250,5" in _page(users, "vi", path)
        english = _page(users, "en", path)
        assert "1,250.5" in english and "1250.5" not in english


def test_overview_counts_have_thousands_separators(users):
    page = _page(users, "vi", "/")
    assert "3.321" in page  # communes from 01/07/2025
    assert "10.035" in page  # communes before the reform
