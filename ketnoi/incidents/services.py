"""Writes of the incident register. Every change is audited (the models are Audited) and scoped
by the affected unit: a commune officer registers incidents of the commune, a province's of the
province and its communes; incidents of central systems (no unit) by country-wide staff."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core.csvdata import read_rows
from ketnoi.core.roles import INCIDENTS_MANAGE
from ketnoi.core.scoping import require
from ketnoi.core.text import normalize_text

from .models import Incident, IncidentEvent, ReportingRule, Severity

DEFAULT_RULES = Path(__file__).resolve().parent / "data" / "reporting_rules.csv"
STATUS_ORDER = [Incident.Status.OPEN, Incident.Status.CONTAINED, Incident.Status.RESOLVED, Incident.Status.CLOSED]


def _text(value, field: str, max_length: int | None = None, required: bool = False) -> str:
    text = normalize_text(value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if max_length and len(text) > max_length:
        raise ValidationError(
            {field: _("At most %(n)s characters (%(got)s given).") % {"n": max_length, "got": len(text)}}
        )
    return text


def rule_for(severity: str) -> ReportingRule:
    """The reporting rule of a severity; the defaults of data/reporting_rules.csv fill a missing one."""
    rule = ReportingRule.objects.filter(severity=severity).first()
    if rule is not None:
        return rule
    for row in read_rows(DEFAULT_RULES):
        if row["severity"] == severity:
            return ReportingRule.objects.create(
                severity=severity,
                hours_to_report=int(row["hours_to_report"]),
                authority=row["authority"],
                note=row["note"],
            )
    raise ValidationError({"severity": _("No reporting rule for severity %(s)s.") % {"s": severity}})


def _next_code(year: int) -> str:
    prefix = f"SC-{year}-"
    last = Incident.objects.filter(code__startswith=prefix).aggregate(m=Max("code"))["m"]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


@transaction.atomic
def incident_create(
    *,
    user,
    title: str,
    severity: str,
    detected_at: dt.datetime,
    unit=None,
    description: str = "",
    affected_systems: str = "",
    now: dt.datetime | None = None,
) -> Incident:
    require(user, INCIDENTS_MANAGE, unit)
    now = now or timezone.now()
    errors = {}
    if severity not in Severity.values:
        errors["severity"] = _("Choose a severity.")
    if detected_at is None:
        errors["detected_at"] = _("Give the date and time the incident was detected.")
    elif timezone.is_naive(detected_at):
        detected_at = timezone.make_aware(detected_at)
    if detected_at is not None and detected_at > now + dt.timedelta(minutes=5):
        errors["detected_at"] = _("The detection time cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    rule = rule_for(severity)
    incident = Incident.objects.create(
        code=_next_code(detected_at.year),
        title=_text(title, "title", 300, required=True),
        description=_text(description, "description", 20000),
        affected_systems=_text(affected_systems, "affected_systems", 5000),
        severity=severity,
        unit=unit,
        agency=getattr(user, "agency", None),
        detected_at=detected_at,
        report_due_at=detected_at + dt.timedelta(hours=rule.hours_to_report),
        authority=rule.authority,
        created_by=user,
    )
    IncidentEvent.objects.create(
        incident=incident, at=detected_at, kind=IncidentEvent.Kind.NOTE, text=_("Incident detected."), user=user
    )
    return incident


def _locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


@transaction.atomic
def incident_event_add(*, user, incident: Incident, kind: str, text: str, at: dt.datetime | None = None):
    require(user, INCIDENTS_MANAGE, incident)
    if kind not in (IncidentEvent.Kind.NOTE, IncidentEvent.Kind.CONTAINMENT, IncidentEvent.Kind.RESPONSE):
        raise ValidationError({"kind": _("Choose what kind of step this is.")})
    at = at or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"at": _("The time cannot be in the future.")})
    return IncidentEvent.objects.create(
        incident=_locked(incident), at=at, kind=kind, text=_text(text, "text", 5000, required=True), user=user
    )


@transaction.atomic
def incident_report(*, user, incident: Incident, reference: str, at: dt.datetime | None = None) -> Incident:
    """Record the report to the competent authority (once)."""
    require(user, INCIDENTS_MANAGE, incident)
    incident = _locked(incident)
    if incident.reported_at:
        raise ValidationError(_("This incident was already reported on %(at)s.") % {"at": incident.reported_at})
    at = at or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > timezone.now() + dt.timedelta(minutes=5) or at < incident.detected_at:
        raise ValidationError({"at": _("The report time must lie between the detection and now.")})
    incident.reported_at = at
    incident.authority_reference = _text(reference, "reference", 100, required=True)
    incident.save()
    IncidentEvent.objects.create(
        incident=incident,
        at=at,
        kind=IncidentEvent.Kind.REPORT,
        text=_("Reported to %(authority)s, reference %(ref)s.")
        % {"authority": incident.authority, "ref": incident.authority_reference},
        user=user,
    )
    return incident


@transaction.atomic
def incident_set_status(*, user, incident: Incident, status: str, note: str = "") -> Incident:
    """Move the incident on (open → contained → resolved → closed); closing needs the report made."""
    require(user, INCIDENTS_MANAGE, incident)
    incident = _locked(incident)
    if status not in Incident.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if STATUS_ORDER.index(status) <= STATUS_ORDER.index(incident.status):
        raise ValidationError({"status": _("The incident is already %(s)s.") % {"s": incident.get_status_display()}})
    if status == Incident.Status.CLOSED and not incident.reported_at:
        raise ValidationError({"status": _("Report the incident to the authority before closing it.")})
    previous = incident.get_status_display()
    incident.status = status
    if status in (Incident.Status.RESOLVED, Incident.Status.CLOSED) and not incident.resolved_at:
        incident.resolved_at = timezone.now()
    incident.save()
    text = _("Status: %(old)s → %(new)s.") % {"old": previous, "new": incident.get_status_display()}
    IncidentEvent.objects.create(
        incident=incident,
        at=timezone.now(),
        kind=IncidentEvent.Kind.STATUS,
        text=f"{text} {_text(note, 'note', 2000)}".strip(),
        user=user,
    )
    return incident
