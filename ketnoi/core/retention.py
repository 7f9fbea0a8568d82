"""Retention periods of personal data per category (Decree 13/2023): the setting
``PERSONAL_DATA_RETENTION_MONTHS`` (months per category; 0 keeps the data until it is erased by
hand). Each app enforces its own categories in a nightly job, through its services; the jobs are
idempotent (what is already erased is not touched again)."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.utils import timezone

from . import audit
from .models import AuditEntry


def months(category: str) -> int:
    table = getattr(settings, "PERSONAL_DATA_RETENTION_MONTHS", {}) or {}
    if category not in table:
        raise KeyError(f"no retention period for {category!r} in PERSONAL_DATA_RETENTION_MONTHS")
    return int(table[category])


def cutoff(category: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """The moment before which data of ``category`` has expired, or None when it is kept."""
    count = months(category)
    if count <= 0:
        return None
    now = now or timezone.now()
    year, month = divmod(now.year * 12 + now.month - 1 - count, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


def record_expiry(category: str, *, model: str, count: int, ids: list | None = None) -> None:
    """One summary entry per run that erased something (not one per row, no personal values)."""
    if count:
        audit.record(
            AuditEntry.Action.SUBJECT_ERASE,
            model=model,
            object_repr=f"retention {category}: {count} expired",
            after={"category": category, "months": months(category), "count": count, "ids": (ids or [])[:500]},
        )
