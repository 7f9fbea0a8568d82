"""Pages and API: downloads for country-wide readers only; everyone else with an area gets 404."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ketnoi.orgs.services import token_create
from ketnoi.reports import services
from ketnoi.reports.documents import DOCX_TYPE, PDF_TYPE
from ketnoi.reports.models import DocumentNumber, IssuedReview

from .conftest import CODE
from .helpers import docx_of, docx_text, pdf_text

INTRUDERS = ["xa.dongvan", "tinh.tuyenquang"]
DOWNLOAD = f"/reviews/{CODE}/download/"


def _api(client, user):
    _token, key = token_create(user=user, name="reports")
    return lambda path, **params: client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_coordinator_downloads_both_formats(programme, login):
    client = login("dieuphoi")
    page = client.get(f"/reviews/{CODE}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"{DOWNLOAD}?period=2025&amp;kind=annual&amp;format=docx" in body
    assert f"{DOWNLOAD}?period=2030&amp;kind=final&amp;format=pdf" in body
    docx = client.get(DOWNLOAD, {"period": "2025", "kind": "annual", "format": "docx"})
    assert docx.status_code == 200 and docx["Content-Type"] == DOCX_TYPE
    assert docx["Content-Disposition"] == f'attachment; filename="bao-cao-so-ket-nam-{CODE}-2025.docx"'
    text = docx_text(docx_of(docx.content))
    assert "BỘ DÂN TỘC VÀ TÔN GIÁO" in text  # the coordinator's agency is a party (UBDT's successor)
    pdf = client.get(DOWNLOAD, {"period": "2027", "kind": "midterm", "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == PDF_TYPE
    assert "Sơ kết giữa kỳ giai đoạn 2024–2027" in " ".join(pdf_text(pdf.content).split())


def test_bad_period_on_the_page_is_explained(programme, login):
    client = login("dieuphoi")
    response = client.get(DOWNLOAD, {"period": "2040", "format": "docx"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/reviews/{CODE}/"
    assert "there is no review for 2040" in response.content.decode()
    assert client.get(DOWNLOAD, {"period": "2025", "format": "odt"}, follow=True).status_code == 200
    assert client.get("/reviews/khong-co/").status_code == 404


def test_numbering_from_the_page(programme, login):
    client = login("dieuphoi")
    asked = {"period": "2025", "kind": "annual", "issuer": "BDTTG"}
    response = client.post(f"/reviews/{CODE}/issue/", {**asked, "confirm": "yes"})
    assert response.status_code == 302
    assert IssuedReview.objects.get().number_symbol == "01/BC-BDTTG"
    assert "01/BC-BDTTG" in client.get(f"/reviews/{CODE}/").content.decode()
    docx = client.get(DOWNLOAD, {"period": "2025", "format": "docx"})
    assert "Số: 01/BC-BDTTG" in docx_text(docx_of(docx.content))
    bad = client.post(
        f"/reviews/{CODE}/issue/", {"period": "2025", "kind": "final", "issuer": "BDTTG", "confirm": "yes"}
    )
    assert bad.status_code == 422 and "The final review is made for the last year" in bad.content.decode()
    assert IssuedReview.objects.count() == 1
    again = client.get(f"/reviews/{CODE}/issue/", asked, follow=True)  # already numbered: back to the list
    assert "The review already has number 01/BC-BDTTG." in again.content.decode()


@pytest.fixture
def today(monkeypatch):
    """The page's clock on 05/01/2026: 2025 is over, 2026 has begun, 2027 has not."""
    from django.utils import timezone

    day = dt.date(2026, 1, 5)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    return day


def test_giving_a_number_asks_for_confirmation_first(programme, login, today):
    client = login("dieuphoi")
    asked = {"period": "2025", "kind": "annual", "issuer": "BDTTG"}
    listing = client.get(f"/reviews/{CODE}/").content.decode()
    assert f'<form method="get" action="/reviews/{CODE}/issue/">' in listing  # a link-like step, no JavaScript
    page = client.get(f"/reviews/{CODE}/issue/", asked)
    assert page.status_code == 200
    body = page.content.decode()
    assert "01/BC-BDTTG" in body and "05/01/2026" in body and "Bộ Dân tộc và Tôn giáo" in body
    assert 'name="confirm" value="yes"' in body
    # Neither opening the page nor a POST without the confirmation takes a number.
    assert client.post(f"/reviews/{CODE}/issue/", asked).status_code == 200
    assert not IssuedReview.objects.exists() and not DocumentNumber.objects.exists()
    assert client.post(f"/reviews/{CODE}/issue/", {**asked, "confirm": "yes"}).status_code == 302
    assert IssuedReview.objects.get().number_symbol == "01/BC-BDTTG"


def test_a_year_that_has_not_begun_cannot_be_numbered(programme, login, users, today):
    client = login("dieuphoi")
    listing = client.get(f"/reviews/{CODE}/").content.decode()
    assert "from 01/01/2027" in listing  # no button for the years ahead
    assert 'name="period" value="2027"' not in listing and 'name="period" value="2026"' in listing
    for method in (client.get, client.post):
        response = method(
            f"/reviews/{CODE}/issue/", {"period": "2027", "kind": "midterm", "issuer": "BDTTG", "confirm": "yes"}
        )
        assert response.status_code == 422
        assert "2027 has not begun: a review of it cannot be numbered before 01/01/2027" in response.content.decode()
    assert not IssuedReview.objects.exists() and not DocumentNumber.objects.exists()
    with pytest.raises(ValidationError, match="2030 has not begun"):
        services.review_issue(
            user=users["dieuphoi"], programme=programme, period="2030", kind="final", issuer="BDTTG", issued_on=today
        )
    # The year in progress may be numbered (a yearly review is often issued in December).
    issued = services.review_issue(
        user=users["dieuphoi"], programme=programme, period="2026", kind="annual", issuer="BDTTG", issued_on=today
    )
    assert issued.number_symbol == "01/BC-BDTTG"


def test_area_officers_see_the_page_without_downloads(programme, login):
    for username in ("tinh.laocai", "xa.tavan"):
        page = login(username).get(f"/reviews/{CODE}/")
        assert page.status_code == 200
        body = page.content.decode()
        assert "only users who see the programme for the whole country can download them" in body
        assert DOWNLOAD not in body and "/issue/" not in body


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_tuyen_quang_officers_cannot_download_or_number(programme, login, intruder):
    """The reviews hold Lào Cai's targets and narrative: an officer of Tuyên Quang gets neither."""
    client = login(intruder)
    for fmt in ("docx", "pdf"):
        assert client.get(DOWNLOAD, {"period": "2025", "format": fmt}).status_code == 404
    response = client.post(f"/reviews/{CODE}/issue/", {"period": "2025", "kind": "annual", "issuer": "BDTTG"})
    assert response.status_code == 404
    assert not IssuedReview.objects.exists() and not DocumentNumber.objects.exists()


def test_provincial_officer_of_lao_cai_is_refused_too(programme, login):
    """Even the province whose data are in the review: the rest of it is national."""
    assert login("tinh.laocai").get(DOWNLOAD, {"period": "2025", "format": "docx"}).status_code == 404


@pytest.mark.parametrize("intruder", [*INTRUDERS, "tinh.laocai"])
def test_api_refuses_area_officers(programme, client, users, intruder):
    call = _api(client, users[intruder])
    response = call(f"/api/v1/programmes/{CODE}/reviews/2025", format="docx")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_api_gives_the_coordinator_the_file(programme, client, users):
    call = _api(client, users["dieuphoi"])
    docx = call(f"/api/v1/programmes/{CODE}/reviews/2025", kind="annual", format="docx")
    assert docx.status_code == 200 and docx["Content-Type"] == DOCX_TYPE
    assert "attachment;" in docx["Content-Disposition"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in docx_text(docx_of(docx.content))
    pdf = call(f"/api/v1/programmes/{CODE}/reviews/2030", kind="final", format="pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    bad = call(f"/api/v1/programmes/{CODE}/reviews/2031")
    assert bad.status_code == 422 and "there is no review for 2031" in bad.json()["detail"]
    assert call(f"/api/v1/programmes/{CODE}/reviews/2025", format="odt").status_code == 422
    assert call("/api/v1/programmes/khong-co/reviews/2025").status_code == 404


def test_pages_need_programme_access(programme, client, users):
    from ketnoi.orgs.models import User

    assert client.get("/reviews/").status_code == 302  # signed out: to the login page
    client.force_login(users["dieuphoi"])
    assert "99/CTPH-BTTTT-UBDT" in client.get("/reviews/").content.decode()
    nobody = User.objects.create_user("khong.quyen", password="x" * 14)
    client.force_login(nobody)
    assert client.get("/reviews/").status_code == 403
    assert client.get(f"/reviews/{CODE}/").status_code == 403
    assert client.get(DOWNLOAD, {"period": "2025"}).status_code == 403
