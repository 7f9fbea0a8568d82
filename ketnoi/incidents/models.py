"""Network-information-security incidents (a programme area of 922; issue 10.6): a register with
severity, affected systems and units, a timeline of what was done, and the report to the competent
authority, due within the hours that the (editable) reporting rule of the severity gives."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.models import TimeStampedModel


class Severity(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    CRITICAL = "critical", _("critical")


class ReportingRule(Audited, TimeStampedModel):
    """How soon an incident of a severity is reported, and to whom. Data, not code: the defaults
    (data/reporting_rules.csv) are marked unverified and are meant to be edited."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, unique=True)
    hours_to_report = models.PositiveIntegerField(_("hours to report"))
    authority = models.CharField(_("competent authority"), max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")

    def __str__(self):
        return f"{self.get_severity_display()}: {self.hours_to_report} h"


class Incident(Audited, TimeStampedModel):
    SCOPE_UNIT_PATH = "unit"

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CONTAINED = "contained", _("contained")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    unit = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"structure": "current"},
        verbose_name=_("affected unit"),
    )
    agency = models.ForeignKey(
        "orgs.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    affected_systems = models.TextField(_("affected systems"), blank=True)
    detected_at = models.DateTimeField(_("detected"))
    report_due_at = models.DateTimeField(_("report due"))
    reported_at = models.DateTimeField(_("reported to the authority"), null=True, blank=True)
    authority = models.CharField(_("competent authority"), max_length=300, blank=True)
    authority_reference = models.CharField(_("authority's reference"), max_length=100, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("security incident")
        verbose_name_plural = _("security incidents")
        ordering = ["-detected_at", "-id"]

    def __str__(self):
        return f"{self.code} {self.title}"

    def report_overdue(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.reported_at:
            return self.reported_at > self.report_due_at
        return now > self.report_due_at


class IncidentEvent(Audited, models.Model):
    """One line of the incident's timeline: what was seen or done, when, by whom."""

    SCOPE_UNIT_PATH = "incident__unit"

    class Kind(models.TextChoices):
        NOTE = "note", _("note")
        CONTAINMENT = "containment", _("containment")
        RESPONSE = "response", _("response")
        REPORT = "report", _("report to the authority")
        STATUS = "status", _("status change")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("what happened"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.incident.code} {self.at:%Y-%m-%d %H:%M} {self.kind}"
