"""The commune officer's report form as it is used (issue 7.2): one form with "Save" and
"Save and submit", nothing typed lost, errors beside their fields and named by their indicator,
no false conflict after an error, numbers the Vietnamese way."""

from decimal import Decimal

import pytest
from django.conf import settings

from ketnoi.core.numbers import format_number, parse_number
from ketnoi.indicators.models import DataValue
from ketnoi.programmes.models import ProgressReport


def _draft():
    return ProgressReport.objects.get(programme__code="ctph-922-2024", period="2025Q2", unit_key="23425")


def _value(code):
    return DataValue.objects.filter(unit__code="23425", period="2025Q2", element__code=code, disaggregation="").first()


def test_submit_saves_what_was_typed_first(login):
    draft = _draft()
    client = login("xa.tumorong")
    response = client.post(
        f"/progress-reports/{draft.pk}/",
        {
            "action": "submit",
            "version": draft.version,
            "narrative": "Đã tuyên truyền ở 9 thôn",
            "value_thon_tong_so": "9",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "submitted" and draft.narrative == "Đã tuyên truyền ở 9 thôn"


def test_an_error_keeps_everything_typed_and_the_next_save_is_no_conflict(login):
    draft = _draft()
    client = login("xa.tumorong")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    page = client.post(
        f"/progress-reports/{draft.pk}/",
        {
            "action": "submit",
            "version": draft.version,
            "narrative": "Bản tường thuật dài của xã",
            "value_thon_tong_so": "chín",
            "value_thon_co_dai_xa": "1.250,5",
        },
    )
    html = page.content.decode()
    assert page.status_code == 422
    assert "Bản tường thuật dài của xã" in html and "chín" in html and "1.250,5" in html
    assert 'aria-invalid="true"' in html and "v-thon_tong_so-error" in html
    assert "thon_tong_so:" not in html  # the summary names the indicator, not its code
    draft.refresh_from_db()
    assert draft.state == "draft" and draft.narrative != "Bản tường thuật dài của xã"  # nothing half-written
    # The form carries the stored version: fixing the field and saving again is not a "conflict".
    assert f'name="version" value="{draft.version}"' in html
    fixed = client.post(
        f"/progress-reports/{draft.pk}/",
        {
            "action": "save",
            "version": draft.version,
            "narrative": "Bản tường thuật dài của xã",
            "value_thon_tong_so": "1.250",
        },
    )
    assert fixed.status_code == 302
    assert _value("thon_tong_so").value == Decimal("1250")


def test_the_form_shows_stored_numbers_the_vietnamese_way(login):
    draft = _draft()
    client = login("xa.tumorong")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    page = f"/progress-reports/{draft.pk}/"
    client.post(page, {"action": "save", "version": draft.version, "narrative": "x", "value_thon_tong_so": "12.345"})
    assert _value("thon_tong_so").value == Decimal("12345")
    assert 'value="12.345"' in client.get(page).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert 'value="12,345"' in client.get(page).content.decode()
    # Saved back as the English page shows it, the number stays the same.
    draft.refresh_from_db()
    client.post(page, {"action": "save", "version": draft.version, "narrative": "x", "value_thon_tong_so": "12,345"})
    assert _value("thon_tong_so").value == Decimal("12345")


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("1.250", "1250"),
        ("1.250,5", "1250.5"),
        ("1250,5", "1250.5"),
        ("1250.5", "1250.5"),
        ("12.345.678", "12345678"),
        ("1,250.5", "1250.5"),
        ("0,25", "0.25"),
        ("1 250", "1250"),
        ("-3", "-3"),
        (7, "7"),
    ],
)
def test_numbers_are_read_the_vietnamese_way(typed, number):
    assert parse_number(typed) == Decimal(number)


@pytest.mark.parametrize("typed", ["", "abc", "1,2,3", "1.2.3,4,5", "NaN", "Infinity"])
def test_what_is_not_a_number_is_refused(typed):
    with pytest.raises(ValueError):
        parse_number(typed)


def test_english_pages_read_commas_as_thousands():
    assert parse_number("1,250.5", language="en") == Decimal("1250.5")
    assert parse_number("1.25", language="en") == Decimal("1.25")


def test_numbers_are_shown_with_separators_and_without_needless_decimals():
    assert format_number(Decimal("36.0000")) == "36"
    assert format_number(Decimal("1234567.50")) == "1.234.567,5"
    assert format_number(1234.5, language="en") == "1,234.5"
    assert format_number(None) == ""
