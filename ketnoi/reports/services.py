"""Writes of the reports app: giving a review its number and date (Decree 30/2020: 01→ per calendar year)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core.roles import PROGRAMMES_MANAGE
from ketnoi.core.scoping import require
from ketnoi.core.text import normalize_text
from ketnoi.programmes.models import Programme

from .models import DocumentNumber, IssuedReview
from .selectors import issue_check, review_window


def _number_next(*, issuer: str, year: int) -> int:
    """The next number of ``issuer`` in ``year``; call inside a transaction (the row is locked)."""
    counter, _created = DocumentNumber.objects.select_for_update().get_or_create(issuer=issuer, year=year)
    counter.last_number += 1
    counter.save()
    return counter.last_number


@transaction.atomic
def document_number_take(*, user, issuer: str, year: int) -> str:
    """Take the next number of a report (BC) of ``issuer`` in ``year``: "01/BC-BDTTG"."""
    require(user, PROGRAMMES_MANAGE, None)
    issuer = normalize_text(issuer or "").strip().upper()
    if not issuer:
        raise ValidationError({"issuer": _("Give the code of the issuing body.")})
    if not 1900 <= int(year) <= 2999:
        raise ValidationError({"year": _("%(year)s is not a year.") % {"year": year}})
    return f"{_number_next(issuer=issuer, year=int(year)):02d}/BC-{issuer}"


@transaction.atomic
def review_issue(
    *, user, programme: Programme, period: str, kind: str, issuer: str, issued_on: dt.date | None = None
) -> IssuedReview:
    """Give a review its number and date. A review is numbered once: asking again returns its number.

    A review of a year that has not begun is refused: its number would be dated before its period.
    """
    require(user, PROGRAMMES_MANAGE, None)
    review_window(programme, period, kind)  # clear errors for a bad period or kind
    period = period.strip()
    issued_on = issued_on or timezone.localdate()
    existing = IssuedReview.objects.select_for_update().filter(programme=programme, period=period, kind=kind).first()
    if existing is not None:
        return existing
    issuer = issue_check(programme, period=period, kind=kind, issuer=issuer, day=issued_on)
    number = _number_next(issuer=issuer, year=issued_on.year)
    return IssuedReview.objects.create(
        programme=programme,
        period=period,
        kind=kind,
        issuer=issuer,
        number=number,
        issued_on=issued_on,
        issued_by=user if getattr(user, "pk", None) else None,
    )
