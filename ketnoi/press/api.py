"""JSON API of the press supply (issue 9.6): coverage per commune of the user's area, and the imports."""

from decimal import Decimal
from enum import StrEnum

from django.http import Http404
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from ketnoi.core.roles import CHANNELS_MANAGE, CHANNELS_VIEW
from ketnoi.core.scoping import allows, require_capability
from ketnoi.geo.models import AdminUnit

from . import selectors
from .importers import IMPORTERS

router = Router(tags=["Press supply"])


class ImportKind(StrEnum):
    DELIVERIES = "deliveries"
    RECIPIENTS = "recipients"


class ImportOut(Schema):
    filename: str
    rows: int
    created: int
    updated: int


class CoverageOut(Schema):
    commune: str
    commune_name: str
    households: int | None
    recipients: int
    expected: int
    delivered: int
    not_received: int
    late: int
    recipients_not_delivered: list[str]
    copies: int
    copies_per_100_households: float | None
    delivery_rate: float | None
    cost: Decimal


def _unit(request, code: str | None, level: str):
    if not code:
        return None
    unit = AdminUnit.objects.filter(structure="current", level=level, code=code).first()
    if unit is None or not allows(request.user, CHANNELS_VIEW, unit):
        raise Http404
    return unit


@router.get("/press/coverage", response=list[CoverageOut])
def coverage(
    request,
    year: int = Query(..., ge=2000, le=2100),
    province: str | None = Query(None, pattern=r"^\d{2}$"),
    commune: str | None = Query(None, pattern=r"^\d{5}$"),
):
    """Per commune of the user's area with press recipients: expected and confirmed deliveries, late
    issues, recipients not delivered (by reference), copies per 100 households, delivery rate, cost."""
    require_capability(request.user, CHANNELS_VIEW)
    rows = selectors.coverage(
        user=request.user,
        year=year,
        province=_unit(request, province, "province"),
        commune=_unit(request, commune, "commune"),
    )
    return [
        {
            "commune": r.commune.code,
            "commune_name": r.commune.name,
            "households": r.households,
            "recipients": r.recipients,
            "expected": r.expected,
            "delivered": r.delivered,
            "not_received": r.not_received,
            "late": r.late,
            "recipients_not_delivered": [p.reference for p in r.not_delivered],
            "copies": r.copies,
            "copies_per_100_households": r.copies_per_100_households,
            "delivery_rate": r.delivery_rate,
            "cost": r.cost,
        }
        for r in rows
    ]


@router.post("/press/import", response=ImportOut)
def import_file(request, kind: Form[ImportKind], file: UploadedFile = File(...)):
    """Upload the distributor's delivery file (confirmed in the caller's name) or the recipient list,
    CSV (UTF-8) or XLSX; all rows are written, or none (problem details name file, row and field)."""
    require_capability(request.user, CHANNELS_MANAGE)
    return IMPORTERS[kind.value](file, user=request.user, filename=file.name)
