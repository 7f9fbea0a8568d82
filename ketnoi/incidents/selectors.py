"""Reads of the incident register, scoped by the affected unit in one place (core.scoping)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from ketnoi.core.roles import INCIDENTS_VIEW
from ketnoi.core.scoping import restrict

from .models import Incident, Severity


def incidents_for_user(*, user, year: int | None = None, severity: str = "", status: str = "") -> QuerySet[Incident]:
    incidents = restrict(Incident.objects.select_related("unit", "agency"), user, INCIDENTS_VIEW)
    if year:
        incidents = incidents.filter(detected_at__year=year)
    if severity:
        incidents = incidents.filter(severity=severity)
    if status:
        incidents = incidents.filter(status=status)
    return incidents


def incident_get(*, user, pk: int) -> Incident:
    return incidents_for_user(user=user).prefetch_related("events__user").get(pk=pk)


@dataclass
class IncidentStats:
    """Indicators of the register for a year: counts, reports on time, time to resolve."""

    total: int
    by_severity: list[tuple[str, int]]
    open: int
    reported_on_time: int
    reported_late: int
    not_reported_overdue: int
    on_time_rate: float | None
    median_hours_to_resolve: float | None


def incident_stats(*, user, year: int, now: dt.datetime | None = None) -> IncidentStats:
    now = now or timezone.now()
    rows = list(incidents_for_user(user=user, year=year))
    on_time = sum(1 for i in rows if i.reported_at and i.reported_at <= i.report_due_at)
    late = sum(1 for i in rows if i.reported_at and i.reported_at > i.report_due_at)
    overdue = sum(1 for i in rows if not i.reported_at and now > i.report_due_at)
    due = on_time + late + overdue
    hours = sorted((i.resolved_at - i.detected_at).total_seconds() / 3600 for i in rows if i.resolved_at)
    median = None
    if hours:
        middle = len(hours) // 2
        median = hours[middle] if len(hours) % 2 else (hours[middle - 1] + hours[middle]) / 2
    return IncidentStats(
        total=len(rows),
        by_severity=[(label, sum(1 for i in rows if i.severity == code)) for code, label in Severity.choices],
        open=sum(1 for i in rows if i.status in (Incident.Status.OPEN, Incident.Status.CONTAINED)),
        reported_on_time=on_time,
        reported_late=late,
        not_reported_overdue=overdue,
        on_time_rate=round(100 * on_time / due, 1) if due else None,
        median_hours_to_resolve=round(median, 1) if median is not None else None,
    )
