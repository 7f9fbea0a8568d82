"""JSON API of the incident register (issue 10.6): list, read, register, and the year's indicators."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ketnoi.core.api import Page
from ketnoi.geo.models import AdminUnit

from . import selectors, services
from .models import Severity

router = Router(tags=["Security incidents"])


class IncidentIn(Schema):
    title: str = Field(min_length=1, max_length=300)
    severity: Severity
    detected_at: dt.datetime
    unit: str | None = Field(None, description="NSO code of the affected current unit; none for central systems")
    affected_systems: str = Field("", max_length=5000)
    description: str = Field("", max_length=20000)


class EventOut(Schema):
    at: dt.datetime
    kind: str
    text: str


class IncidentOut(Schema):
    id: int
    code: str
    title: str
    severity: str
    status: str
    unit: str | None
    detected_at: dt.datetime
    report_due_at: dt.datetime
    reported_at: dt.datetime | None
    authority: str
    report_overdue: bool


class IncidentDetailOut(IncidentOut):
    description: str
    affected_systems: str
    events: list[EventOut]


class StatsOut(Schema):
    year: int
    total: int
    open: int
    reported_on_time: int
    reported_late: int
    not_reported_overdue: int
    on_time_rate: float | None
    median_hours_to_resolve: float | None


def _out(incident) -> dict:
    return {
        "id": incident.pk,
        "code": incident.code,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status,
        "unit": incident.unit.code if incident.unit_id else None,
        "detected_at": incident.detected_at,
        "report_due_at": incident.report_due_at,
        "reported_at": incident.reported_at,
        "authority": incident.authority,
        "report_overdue": incident.report_overdue(),
    }


@router.get("/incidents", response=list[IncidentOut])
@paginate(Page)
def list_incidents(request, year: int | None = Query(None, ge=2000, le=2100), severity: Severity | None = None):
    incidents = selectors.incidents_for_user(user=request.user, year=year, severity=severity or "")
    return [_out(i) for i in incidents]


@router.get("/incidents/stats", response=StatsOut)
def incident_stats(request, year: int = Query(..., ge=2000, le=2100)):
    stats = selectors.incident_stats(user=request.user, year=year)
    return {"year": year, **{k: v for k, v in stats.__dict__.items() if k != "by_severity"}}


@router.get("/incidents/{int:pk}", response=IncidentDetailOut)
def get_incident(request, pk: int):
    incident = selectors.incident_get(user=request.user, pk=pk)
    return {
        **_out(incident),
        "description": incident.description,
        "affected_systems": incident.affected_systems,
        "events": [{"at": e.at, "kind": e.kind, "text": e.text} for e in incident.events.all()],
    }


@router.post("/incidents", response={201: IncidentOut})
def create_incident(request, payload: IncidentIn):
    unit = None
    if payload.unit:
        unit = AdminUnit.objects.filter(
            structure="current", code=payload.unit, level__in=["province", "commune"]
        ).first()
        if unit is None:
            raise ValidationError({"unit": _("Unknown unit code %(code)s.") % {"code": payload.unit}})
    incident = services.incident_create(
        user=request.user,
        title=payload.title,
        severity=payload.severity,
        detected_at=payload.detected_at,
        unit=unit,
        description=payload.description,
        affected_systems=payload.affected_systems,
    )
    return Status(201, _out(incident))
