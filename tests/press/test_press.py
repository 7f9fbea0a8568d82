"""Press supply (issue 9.6): reference data from CSV, the distributor's delivery file imported all or
nothing and idempotently, coverage and gaps per commune, the selectors of the gap index, scoping and
the data subject requests of person recipients."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from ketnoi.core.importing import ImportFailed
from ketnoi.geo.models import Village
from ketnoi.press import selectors
from ketnoi.press.importers import import_deliveries, import_recipients
from ketnoi.press.loaders import load_demo_press, load_reference
from ketnoi.press.models import BeneficiaryCategory, Decision, Delivery, Publication, Recipient, YearlyOrder
from ketnoi.subjects import subject_erase, subject_export

HEADER = "year,publication,recipient,issue,issue_date,copies,delivered_on,received\n"
PHONE = "0912 345 678"


@pytest.fixture
def setup(db, unit):
    load_reference()
    province, commune = unit("15"), unit("03037")
    Village.objects.filter(commune=commune).update(households=None)
    village = Village.objects.filter(commune=commune).first() or Village.objects.create(
        commune=commune, name="Thôn Thử", search_key="thon thu", sort_key="thon thu"
    )
    village.households = 200
    village.save()
    categories = {c.code: c for c in BeneficiaryCategory.objects.all()}
    decision = Decision.objects.get(number="752/QĐ-TTg")
    order = YearlyOrder.objects.create(
        decision=decision,
        year=2025,
        province=province,
        publication=Publication.objects.get(code="dan-toc-phat-trien"),
        category=categories["ubnd-xa"],
        copies_per_issue=1,
        issues=4,
        unit_price=Decimal("5000"),
    )
    committee = Recipient.objects.create(
        reference="LC-T-1", category=categories["ubnd-xa"], commune=commune, unit_name="UBND xã"
    )
    other = Recipient.objects.create(
        reference="LC-T-2", category=categories["ubnd-xa"], commune=commune, village=village, unit_name="Thôn"
    )
    person = Recipient.objects.create(
        reference="LC-T-P",
        category=categories["nguoi-co-uy-tin"],
        commune=commune,
        village=village,
        person_name="Giàng A Uy Tín",
        phone=PHONE,
    )
    return {"commune": commune, "village": village, "order": order, "recipients": [committee, other, person]}


def _csv(text: str, name="phat-hanh.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


GOOD = (
    HEADER
    + "2025,dan-toc-phat-trien,LC-T-1,001,02/01/2025,1,05/01/2025,có\n"
    + "2025,dan-toc-phat-trien,LC-T-1,002,06/01/2025,1,20/01/2025,\n"
    + "2025,dan-toc-phat-trien,LC-T-2,001,02/01/2025,2,2025-01-04,yes\n"
    + "2025,dan-toc-phat-trien,LC-T-2,002,06/01/2025,1,,không\n"
)


def test_reference_data_comes_from_the_csv_files_with_source_and_status_and_loads_idempotently(db):
    load_reference()  # also part of `ketnoi load-reference`: the test database has it already
    again = load_reference()
    assert {name: r.unchanged for name, r in again.items()} == {
        "press_decisions": 2,
        "press_publications": 5,
        "press_categories": 6,
    }
    assert all(r.created == r.updated == 0 for r in again.values())
    decision = Decision.objects.get(number="752/QĐ-TTg")
    assert (decision.first_year, decision.last_year, decision.status) == (2023, 2025, "verified")
    publication = Publication.objects.get(code="dan-toc-phat-trien")
    assert publication.issues_per_year == 104 and publication.unit_price is None
    assert publication.status == "unverified" and "45/QĐ-TTg" in publication.source


def test_a_clean_file_is_imported_confirmed_and_importing_it_again_changes_nothing(setup, users):
    officer = users["tinh.laocai"]
    result = import_deliveries(_csv(GOOD), user=officer)
    assert (result.rows, result.created, result.updated) == (4, 4, 0)
    delivery = Delivery.objects.get(recipient__reference="LC-T-2", issue="001")
    assert delivery.copies == 2 and delivery.delivered_on == dt.date(2025, 1, 4)
    assert delivery.confirmed_by == officer and delivery.state == "confirmed"
    assert Delivery.objects.get(recipient__reference="LC-T-2", issue="002").state == "not_received"
    again = import_deliveries(_csv(GOOD), user=officer)
    assert (again.created, again.updated) == (0, 0)
    edited = import_deliveries(_csv(GOOD.replace(",2,2025-01-04,", ",3,2025-01-04,")), user=officer)
    assert (edited.created, edited.updated) == (0, 1)
    assert Delivery.objects.filter(order=setup["order"]).count() == 4


def test_a_bad_file_names_every_row_and_field_and_writes_nothing(setup, users):
    text = (
        HEADER
        + "2025,dan-toc-phat-trien,LC-T-1,001,02/01/2025,1,05/01/2025,\n"
        + "2025,khong-co,LC-T-1,002,31/02/2025,0,,\n"
        + "2025,dan-toc-phat-trien,LC-X,003,06/01/2025,1,01/01/2025,có lẽ\n"
        + "2025,dan-toc-phat-trien,LC-T-1,001,02/01/2025,1,05/01/2025,\n"
        + "2025,dan-toc-phat-trien,LC-T-P,004,02/01/2025,1,01/01/2025,\n"
        + "2024,dan-toc-phat-trien,LC-T-2,005,02/01/2024,1,03/01/2024,\n"
    )
    with pytest.raises(ImportFailed) as failed:
        import_deliveries(_csv(text, "sai.csv"), user=users["tinh.laocai"])
    found = {(e.row, e.field) for e in failed.value.errors}
    assert found == {
        (3, "publication"),
        (3, "issue_date"),
        (3, "copies"),
        (3, "delivered_on"),  # received (empty means yes) but no delivery date
        (4, "recipient"),
        (4, "received"),
        (4, "delivered_on"),  # before the issue date
        (5, "issue"),  # duplicate of row 2
        (6, "delivered_on"),
        (6, "publication"),  # no order for persons of that category
        (7, "publication"),  # no 2024 order
    }
    assert all(e.filename == "sai.csv" for e in failed.value.errors)
    assert "sai.csv, row 3, field copies" in failed.value.summary()
    assert not Delivery.objects.exists()


def test_rows_outside_the_officers_area_refuse_the_file(setup, users):
    with pytest.raises(ImportFailed) as failed:
        import_deliveries(_csv(GOOD), user=users["tinh.tuyenquang"])
    assert {e.field for e in failed.value.errors} == {"recipient"}
    assert "outside your area" in failed.value.errors[0].message
    assert not Delivery.objects.exists()


def test_an_xlsx_file_is_read_like_a_csv(setup, users):
    book = Workbook()
    sheet = book.active
    for line in csv.reader(io.StringIO(GOOD)):
        sheet.append(line)
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("phat-hanh.xlsx", data.getvalue())
    assert import_deliveries(upload, user=users["tinh.laocai"]).created == 4


def test_coverage_and_the_gap_index_selectors(setup, users):
    commune = setup["commune"]
    assert selectors.delivery_rate(commune, 2025) == 0.0
    assert selectors.copies_per_100_households(commune, 2025) == 0.0
    import_deliveries(_csv(GOOD), user=users["tinh.laocai"])
    # 2 unit recipients × 4 issues ordered; 3 confirmed (one not received); the person has no order
    assert selectors.delivery_rate(commune, 2025) == 3 / 8
    assert selectors.copies_per_100_households(commune, 2025) == pytest.approx(4 * 100 / 200)
    assert selectors.delivery_rate(commune, 2024) is None  # nothing ordered
    [row] = selectors.coverage(user=users["tinh.laocai"], year=2025, commune=commune)
    assert (row.recipients, row.expected, row.delivered, row.not_received, row.late) == (2, 8, 3, 1, 1)
    assert row.cost == Decimal("20000") and row.not_delivered == []
    assert row.copies_by_village == {"": 2, setup["village"].name: 2}
    assert row.late_deliveries[0][1].issue == "002"  # 14 days after the issue, the order allows 7


def test_a_province_officer_confirms_a_file_and_the_coverage_changes(setup, login):
    client = login("tinh.laocai")
    page = client.get("/press/coverage/", {"year": 2025, "province": "15"})
    assert page.status_code == 200
    assert "LC-T-1" in page.content.decode()  # not delivered yet
    assert "0 of 8 deliveries confirmed" in page.content.decode()
    response = client.post("/press/import/", {"kind": "deliveries", "file": _csv(GOOD)})
    assert response.status_code == 200 and "4 rows, 4 created" in response.content.decode()
    page = client.get("/press/coverage/", {"year": 2025, "province": "15"}).content.decode()
    assert "3 of 8 deliveries confirmed" in page and "37.5" in page
    assert "Giàng A Uy Tín" not in page  # persons are named by their reference only
    export = client.get("/press/coverage/", {"year": 2025, "province": "15", "format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[1][2] == "03037" and rows[1][6] == "3" and rows[1][-2] == "0.375"
    bad = client.post(
        "/press/import/", {"kind": "deliveries", "file": _csv(HEADER + "2025,x,LC-T-1,1,02/01/2025,1,,\n", "x.csv")}
    )
    assert bad.status_code == 422 and "x.csv, row 2, field publication" in bad.content.decode()


def test_pages_are_scoped(setup, login):
    other = login("tinh.tuyenquang")
    assert other.get("/press/coverage/", {"year": 2025, "commune": "03037"}).status_code == 404
    assert other.get("/press/coverage/", {"year": 2025, "province": "15"}).status_code == 404
    assert "LC-T-1" not in other.get("/press/coverage/", {"year": 2025}).content.decode()
    assert "Báo Dân tộc và Phát triển" not in other.get("/press/", {"year": 2025}).content.decode()
    own = login("tinh.laocai").get("/press/", {"year": 2025, "format": "csv"})
    assert "Báo Dân tộc và Phát triển" in own.content.decode("utf-8-sig")


def test_editors_cannot_import(setup, login):
    assert login("bientap.laocai").get("/press/import/").status_code == 404


def test_a_person_recipient_is_exported_and_erased_by_phone(setup, users):
    data = subject_export(actor=users["admin"], kind="contact", identifier="+84 912.345.678")
    [person] = data["press_recipients"]
    assert person["name"] == "Giàng A Uy Tín" and person["reference"] == "LC-T-P"
    result = subject_erase(actor=users["admin"], kind="contact", identifier=PHONE)
    assert result["press_recipients_erased"] == 1
    erased = Recipient.objects.get(reference="LC-T-P")
    assert (erased.person_name, erased.phone, erased.phone_index, erased.active) == ("", "", "", False)
    assert subject_export(actor=users["admin"], kind="contact", identifier=PHONE)["press_recipients"] == []


def test_the_demo_order_for_lao_cai_is_marked_demo_and_loads_once(db):
    assert load_demo_press() == 6
    load_demo_press()
    assert YearlyOrder.objects.filter(province__code="15", year=2025, demo=True).count() == 2
    assert Recipient.objects.filter(demo=True).count() == 6
    assert Delivery.objects.filter(recipient__reference="LC-DEMO-001").count() == 8


RECIPIENTS = "reference,commune_code,category,village,unit_name,person_name,phone,active\n"


def test_a_recipient_list_is_imported_with_persons_encrypted_and_again_changes_nothing(setup, users, login):
    village = setup["village"].name
    text = (
        RECIPIENTS
        + "LC-N-1,03037,ubnd-xa,,UBND xã Tả Văn,,,\n"
        + f"LC-N-2,3037,nguoi-co-uy-tin,{village},,Vàng Thị Mỷ,0987 654 321,có\n"
    )
    officer = users["tinh.laocai"]
    result = import_recipients(_csv(text, "noi-nhan.csv"), user=officer)
    assert (result.rows, result.created, result.updated) == (2, 2, 0)
    person = Recipient.objects.get(reference="LC-N-2")
    assert person.person_name == "Vàng Thị Mỷ" and person.phone == "+84987654321" and person.village == setup["village"]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT person_name FROM press_recipient WHERE reference = %s", ["LC-N-2"])
        assert "Vàng" not in cursor.fetchone()[0]  # encrypted at rest
    assert import_recipients(_csv(text, "noi-nhan.csv"), user=officer).updated == 0
    bad = (
        RECIPIENTS
        + "LC-N-3,03037,khong-co,,X,,,\n"
        + "LC-N-4,03037,nguoi-co-uy-tin,Không có thôn,,,12,\n"
        + "LC-N-5,03037,ubnd-xa,,,Tên Người,,\n"
        + "LC-N-5,99999,ubnd-xa,,UBND,,,\n"
    )
    with pytest.raises(ImportFailed) as failed:
        import_recipients(_csv(bad, "sai.csv"), user=officer)
    assert {(e.row, e.field) for e in failed.value.errors} == {
        (2, "category"),
        (3, "village"),
        (3, "phone"),
        (3, "person_name"),
        (4, "unit_name"),
        (4, "person_name"),
        (5, "reference"),
    }
    with pytest.raises(ImportFailed) as outside:
        import_recipients(_csv(text), user=users["tinh.tuyenquang"])
    assert {e.field for e in outside.value.errors} == {"commune_code", "reference"}
    response = login("tinh.laocai").post("/press/import/", {"kind": "recipients", "file": _csv(text, "n.csv")})
    assert response.status_code == 200 and "n.csv: 2 rows, 0 created, 0 updated" in response.content.decode()


def test_the_api_gives_the_areas_coverage_and_imports_all_or_nothing(client, setup, users):
    from ketnoi.orgs.services import token_create

    def bearer(username):
        return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users[username], name='t')[1]}"}

    officer = bearer("tinh.laocai")
    refused = client.post(
        "/api/v1/press/import",
        {"kind": "deliveries", "file": _csv(GOOD.replace(",1,05/01/2025,", ",x,05/01/2025,"))},
        **officer,
    )
    assert refused.status_code == 422 and refused["Content-Type"].startswith("application/problem+json")
    assert [(e["row"], e["field"]) for e in refused.json()["errors"]] == [(2, "copies")]
    done = client.post("/api/v1/press/import", {"kind": "deliveries", "file": _csv(GOOD)}, **officer)
    assert done.status_code == 200 and done.json()["created"] == 4
    [row] = client.get("/api/v1/press/coverage", {"year": 2025, "province": "15"}, **officer).json()
    assert (row["commune"], row["expected"], row["delivered"], row["delivery_rate"]) == ("03037", 8, 3, 0.375)
    assert row["copies_per_100_households"] == 2.0 and row["recipients_not_delivered"] == []
    other = bearer("tinh.tuyenquang")
    assert client.get("/api/v1/press/coverage", {"year": 2025}, **other).json() == []
    assert client.get("/api/v1/press/coverage", {"year": 2025, "commune": "03037"}, **other).status_code == 404
    editor = bearer("bientap.laocai")
    assert client.post("/api/v1/press/import", {"kind": "deliveries", "file": _csv("x")}, **editor).status_code == 403


def test_the_admin_lists_orders_and_reference_data_but_not_recipients(setup, login):
    client = login("admin")
    for model in ("decision", "publication", "beneficiarycategory", "distributor", "yearlyorder"):
        assert client.get(f"/admin/press/{model}/").status_code == 200, model
    assert client.get(f"/admin/press/yearlyorder/{setup['order'].pk}/change/").status_code == 200
    assert client.get("/admin/press/recipient/").status_code == 404
