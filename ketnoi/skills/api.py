"""JSON API of the digital-skills register (issue 9.7): the coverage of a province's communes, the
sessions of the user's area, and the imports."""

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from django.http import Http404
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from ketnoi.core.api import Page
from ketnoi.core.roles import DATA_ENTER, PROGRAMMES_VIEW
from ketnoi.core.scoping import require_capability

from . import selectors
from .importers import IMPORTERS

router = Router(tags=["Digital skills"])


class ImportKind(StrEnum):
    SESSIONS = "sessions"
    FIGURES = "figures"
    TARGETS = "targets"


class ImportOut(Schema):
    filename: str
    rows: int
    created: int
    updated: int


class SessionOut(Schema):
    id: int
    reference: str
    course: str
    commune: str
    start_date: dt.date
    end_date: dt.date
    participants: int


class CoverageOut(Schema):
    commune: str
    year: int
    villages: int
    village_heads_trained: int
    village_heads_share: Decimal | None
    prestigious_persons: int | None
    prestigious_trained: int
    prestigious_share: Decimal | None
    participants: int
    women: int
    sessions: int
    target_village_heads: Decimal | None
    target_prestigious: Decimal | None
    target_year: int | None
    smartphone_share: Decimal | None
    internet_share: Decimal | None
    coverage_4g: Decimal | None


@router.get("/skills/sessions", response=list[SessionOut])
@paginate(Page)
def list_sessions(request, year: int | None = Query(None, ge=2000, le=2100)):
    """Training sessions of the user's area, newest first, with their number of participants."""
    require_capability(request.user, PROGRAMMES_VIEW)
    return [
        {
            "id": s.pk,
            "reference": s.reference,
            "course": s.course.code,
            "commune": s.commune.code,
            "start_date": s.start_date,
            "end_date": s.end_date,
            "participants": s.participant_count or 0,
        }
        for s in selectors.session_list_for_user(user=request.user, year=year)
    ]


@router.get("/skills/coverage", response=list[CoverageOut])
def coverage(
    request,
    province: str = Query(..., max_length=2, pattern=r"^\d{1,2}$"),
    year: int = Query(..., ge=2000, le=2100),
):
    """Per commune of the province in the user's area: village heads and prestigious persons trained
    up to the end of ``year`` against the target, and IT access (docs/skills.md)."""
    require_capability(request.user, PROGRAMMES_VIEW)
    unit = selectors.provinces_for_user(user=request.user).filter(code=province.zfill(2)).first()
    if unit is None:
        raise Http404
    rows = selectors.coverage_report_for_user(user=request.user, province=unit, year=year)
    access = selectors.it_access_for_communes([r.commune for r in rows], year)
    return [
        r.as_dict()
        | {k: access.get(r.commune.pk, {}).get(k) for k in ("smartphone_share", "internet_share", "coverage_4g")}
        for r in rows
    ]


@router.post("/skills/import", response=ImportOut)
def import_file(request, kind: Form[ImportKind], file: UploadedFile = File(...)):
    """Upload sessions, commune figures or targets (CSV UTF-8 or XLSX); all rows are written, or none."""
    require_capability(request.user, DATA_ENTER)
    return IMPORTERS[kind.value](file, user=request.user, filename=file.name)
