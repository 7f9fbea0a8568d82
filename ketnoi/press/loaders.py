"""The press supply reference data (decisions, publications, beneficiary categories) from
ketnoi/press/data/*.csv, and a small demo order for Lào Cai. Every row carries its source and status:
the decision's publication list and prices were not found, so they are editable data, not constants.
Loading is idempotent: a row is matched by its code and updated in place."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from ketnoi.core.loading import UpsertResult, upsert
from ketnoi.core.text import normalize_text

from .models import BeneficiaryCategory, Decision, Publication

DATA = Path(__file__).resolve().parent / "data"


def _rows(name: str):
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {key: normalize_text(value or "") for key, value in row.items()}


def load_reference() -> dict[str, UpsertResult]:
    """Decisions, publications and categories from the CSV files; part of ``ketnoi load-reference``."""
    with transaction.atomic():
        return {
            "press_decisions": upsert(
                Decision,
                ("number",),
                (
                    {
                        "number": row["number"],
                        "title": row["title"],
                        "signed_on": dt.date.fromisoformat(row["signed_on"]) if row["signed_on"] else None,
                        "first_year": int(row["first_year"]),
                        "last_year": int(row["last_year"]),
                        "status": row["status"],
                        "source": row["source"],
                    }
                    for row in _rows("decisions.csv")
                ),
            ),
            "press_publications": upsert(
                Publication,
                ("code",),
                (
                    {
                        "code": row["code"],
                        "title": row["title"],
                        "agency": row["agency"],
                        "periodicity": row["periodicity"],
                        "issues_per_year": int(row["issues_per_year"]),
                        "language": row["language"] or "vi",
                        "unit_price": Decimal(row["unit_price"]) if row["unit_price"] else None,
                        "status": row["status"],
                        "source": row["source"],
                    }
                    for row in _rows("publications.csv")
                ),
            ),
            "press_categories": upsert(
                BeneficiaryCategory,
                ("code",),
                (
                    {
                        "code": row["code"],
                        "name": row["name"],
                        "kind": row["kind"],
                        "status": row["status"],
                        "source": row["source"],
                    }
                    for row in _rows("categories.csv")
                ),
            ),
        }


DEMO_YEAR = 2025
DEMO_PRICE = Decimal("5000")  # demo only: the approved unit prices are not published


@transaction.atomic
def load_demo_press() -> int:
    """A 2025 order for Lào Cai (15) with a few recipients, all marked demo; deliveries are left to
    the distributor's file (docs/press.md has an example). Returns the number of demo recipients."""
    from ketnoi.geo.models import AdminUnit, Village

    from .models import Distributor, Recipient, YearlyOrder

    load_reference()
    province = AdminUnit.objects.filter(structure="current", level="province", code="15").first()
    if province is None:
        return 0
    decision = Decision.objects.get(number="752/QĐ-TTg")
    distributor, _ = Distributor.objects.get_or_create(
        code="demo-phat-hanh", defaults={"name": "Công ty phát hành báo chí (minh họa)", "demo": True}
    )
    categories = {c.code: c for c in BeneficiaryCategory.objects.all()}
    for publication_code, category_code in (("dan-toc-phat-trien", "ubnd-xa"), ("nhan-dan-dttsmn", "nguoi-co-uy-tin")):
        publication = Publication.objects.get(code=publication_code)
        YearlyOrder.objects.get_or_create(
            year=DEMO_YEAR,
            province=province,
            publication=publication,
            category=categories[category_code],
            defaults={
                "decision": decision,
                "distributor": distributor,
                "copies_per_issue": 1,
                "issues": publication.issues_per_year,
                "unit_price": DEMO_PRICE,
                "demo": True,
            },
        )
    communes = list(
        AdminUnit.objects.filter(structure="current", level="commune", province=province, code="03037")
    ) + list(
        AdminUnit.objects.filter(structure="current", level="commune", province=province)
        .exclude(code="03037")
        .order_by("code")[:2]
    )
    made = 0
    for index, commune in enumerate(communes, start=1):
        village = Village.objects.filter(commune=commune).order_by("name").first()
        Recipient.objects.get_or_create(
            reference=f"LC-DEMO-{index:03d}",
            defaults={
                "category": categories["ubnd-xa"],
                "commune": commune,
                "unit_name": f"UBND {commune.name}",
                "demo": True,
            },
        )
        Recipient.objects.get_or_create(
            reference=f"LC-DEMO-{index:03d}-P",
            defaults={
                "category": categories["nguoi-co-uy-tin"],
                "commune": commune,
                "village": village,
                "person_name": f"Người có uy tín minh họa {index}",
                "demo": True,
            },
        )
        made += 2
    _demo_deliveries()
    return made


def _demo_deliveries() -> None:
    """The first eight issues of the year to the first demo commune's committee, one of them late."""
    from .models import Delivery, Recipient, YearlyOrder

    recipient = Recipient.objects.get(reference="LC-DEMO-001")
    order = YearlyOrder.objects.get(
        year=DEMO_YEAR,
        province=recipient.commune.province,
        publication__code="dan-toc-phat-trien",
        category__code="ubnd-xa",
    )
    for number in range(1, 9):
        issue_date = dt.date(DEMO_YEAR, 1, 2) + dt.timedelta(days=(number - 1) * 3)
        Delivery.objects.get_or_create(
            order=order,
            recipient=recipient,
            issue=f"{number:03d}",
            defaults={
                "issue_date": issue_date,
                "copies": 1,
                "delivered_on": issue_date + dt.timedelta(days=12 if number == 5 else 3),
                "source_file": "demo",
            },
        )
