"""Document numbers: 01→ per issuing body and calendar year; a review is numbered once."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ketnoi.core.models import AuditEntry
from ketnoi.reports.models import DocumentNumber, IssuedReview
from ketnoi.reports.services import document_number_take, review_issue


def test_numbers_increase_within_a_year_and_restart_in_a_new_year(db, users):
    coordinator = users["dieuphoi"]
    taken = [document_number_take(user=coordinator, issuer="BDTTG", year=2025) for _ in range(3)]
    assert taken == ["01/BC-BDTTG", "02/BC-BDTTG", "03/BC-BDTTG"]
    assert document_number_take(user=coordinator, issuer="BDTTG", year=2026) == "01/BC-BDTTG"
    assert document_number_take(user=coordinator, issuer="BKHCN", year=2026) == "01/BC-BKHCN"  # per issuer
    assert document_number_take(user=coordinator, issuer="bdttg", year=2025) == "04/BC-BDTTG"
    assert DocumentNumber.objects.get(issuer="BDTTG", year=2025).last_number == 4


def test_reviews_are_numbered_by_the_year_of_issue(programme, users):
    coordinator = users["dieuphoi"]
    first = review_issue(
        user=coordinator,
        programme=programme,
        period="2024",
        kind="annual",
        issuer="BDTTG",
        issued_on=dt.date(2025, 1, 10),
    )
    second = review_issue(
        user=coordinator,
        programme=programme,
        period="2025",
        kind="annual",
        issuer="BDTTG",
        issued_on=dt.date(2025, 12, 30),
    )
    third = review_issue(
        user=coordinator,
        programme=programme,
        period="2026",
        kind="annual",
        issuer="BDTTG",
        issued_on=dt.date(2026, 1, 2),  # the year in progress may be numbered; one not begun may not
    )
    assert [r.number_symbol for r in (first, second, third)] == ["01/BC-BDTTG", "02/BC-BDTTG", "01/BC-BDTTG"]
    again = review_issue(
        user=coordinator,
        programme=programme,
        period="2025",
        kind="annual",
        issuer="BDTTG",
        issued_on=dt.date(2026, 3, 1),
    )
    assert again.pk == second.pk and DocumentNumber.objects.get(issuer="BDTTG", year=2026).last_number == 1
    assert AuditEntry.objects.filter(model="reports.issuedreview", action="create").count() == 3


def test_bad_requests_write_nothing(programme, users):
    coordinator = users["dieuphoi"]
    with pytest.raises(ValidationError, match="there is no review for 2035"):
        review_issue(user=coordinator, programme=programme, period="2035", kind="annual", issuer="BDTTG")
    with pytest.raises(ValidationError, match="'UBDT' is not a current party"):
        review_issue(user=coordinator, programme=programme, period="2025", kind="annual", issuer="UBDT")
    with pytest.raises(ValidationError, match="Give the code"):
        document_number_take(user=coordinator, issuer="  ", year=2025)
    with pytest.raises(PermissionDenied):  # a provincial officer manages nothing national
        review_issue(user=users["tinh.laocai"], programme=programme, period="2025", kind="annual", issuer="BDTTG")
    assert not IssuedReview.objects.exists() and not DocumentNumber.objects.exists()


def test_openpyxl_keeps_using_defusedxml_although_python_docx_brings_lxml():
    """python-docx installs lxml; openpyxl would then parse XLSX with it and stop refusing XML entities."""
    import lxml  # noqa: F401 (present: python-docx needs it)
    from openpyxl import xml

    assert xml.LXML is False and xml.DEFUSEDXML is True
