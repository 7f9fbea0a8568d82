"""Writes of the digital-skills register that are not imports: named participants, kept only with
a recorded consent (Decree 13/2023), and what a data subject's request needs of them."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ketnoi.core import crypto
from ketnoi.core.roles import DATA_ENTER
from ketnoi.core.scoping import require
from ketnoi.core.text import normalize_text

from .models import Participant, Role


@transaction.atomic
def participant_add(
    *,
    user,
    session,
    full_name: str,
    consent_on: dt.date | None,
    consent_source: str,
    contact: str = "",
    role: str = Role.OTHER,
    today: dt.date | None = None,
) -> Participant:
    """Record a named participant of a session. Without the date and the record of consent, no
    person is kept: the session's counts are the place for them."""
    require(user, DATA_ENTER, session)
    errors = {}
    full_name = normalize_text(full_name or "")
    consent_source = normalize_text(consent_source or "")
    if not full_name:
        errors["full_name"] = _("A participant needs a name.")
    if consent_on is None:
        errors["consent_on"] = _("A person is kept only with the date their consent was given.")
    elif consent_on > (today or dt.date.today()):
        errors["consent_on"] = _("The consent date is in the future.")
    if not consent_source:
        errors["consent_source"] = _("Say how the consent was recorded (a signed form, the attendance sheet).")
    if role not in Role.values:
        errors["role"] = _("Unknown role.")
    if errors:
        raise ValidationError(errors)
    participant = Participant(
        session=session,
        full_name=full_name[:200],
        contact=normalize_text(contact or "")[:200],
        role=role,
        consent_on=consent_on,
        consent_source=consent_source[:200],
    )
    participant.full_clean()
    participant.save()
    return participant


def participants_with_contact(contact: str):
    index = crypto.blind_index(contact)
    if not index:
        return Participant.objects.none()
    return Participant.objects.filter(contact_index=index).select_related("session__course", "session__commune")


def participant_personal_data(*, contact: str) -> list[dict]:
    """Everything held about the participants who gave this phone or e-mail (subject export)."""
    return [
        {
            "session": p.session.reference,
            "course": p.session.course.title,
            "commune": p.session.commune.code,
            "start_date": p.session.start_date.isoformat(),
            "full_name": p.full_name,
            "contact": p.contact,
            "role": p.role,
            "consent_on": p.consent_on.isoformat(),
            "consent_source": p.consent_source,
        }
        for p in participants_with_contact(contact).order_by("pk")
    ]


def participants_erase(*, contact: str) -> int:
    """Remove the named participants with this contact; the session's counts stay. The number removed."""
    ids = list(participants_with_contact(contact).values_list("pk", flat=True))
    Participant.objects.filter(pk__in=ids).delete()
    return len(ids)
