"""Data subjects' requests (Decree 13/2023, issue 10.5): export everything held about a person, or
erase it. A person is a user (by username) or a citizen who sent feedback (by the phone number or
e-mail they gave, found through the blind index).

Both are for system administrators only (``users.manage`` over the whole country; the console acts
as the operator) and are audited: one ``subject_export`` or ``subject_erase`` entry naming the
account or the feedback concerned, never the personal values. The writes themselves are the apps'
services (``orgs.services.user_anonymise``, ``portal.services.senders_erase``); this module, at site
level, only puts them together (`ketnoi subject export|erase`, the page /privacy/subjects/).
"""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core import audit
from ketnoi.core.models import AuditEntry
from ketnoi.core.roles import USERS_MANAGE
from ketnoi.core.scoping import require
from ketnoi.orgs import services as orgs
from ketnoi.orgs.models import User
from ketnoi.portal import services as portal
from ketnoi.press import services as press
from ketnoi.skills import services as skills

USER, CONTACT = "user", "contact"
KINDS = (USER, CONTACT)


def _find_user(username: str) -> User:
    user = User.objects.filter(username=(username or "").strip()).first()
    if user is None:
        raise ValidationError({"identifier": _("No user has the username %(name)s.") % {"name": username}})
    return user


@contextlib.contextmanager
def _acting(actor):
    """Record the writes as ``actor`` when no request, job or console has set who acts."""
    if audit.current_actor().user is None and not audit.current_actor().name and getattr(actor, "pk", None):
        with audit.acting_as(actor):
            yield
    else:
        yield


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError({"kind": _("Choose a user or a feedback sender.")})


def subject_export(*, actor, kind: str, identifier: str) -> dict:
    """Everything held about the person, as one JSON-able object. Audited."""
    _check_kind(kind)
    require(actor, USERS_MANAGE, None)
    exported_at = timezone.now().isoformat()
    with _acting(actor):
        return _export(kind, identifier, exported_at)


def _export(kind: str, identifier: str, exported_at: str) -> dict:
    if kind == USER:
        user = _find_user(identifier)
        data = {"kind": USER, "exported_at": exported_at, **orgs.user_personal_data(user=user)}
        audit.record(AuditEntry.Action.SUBJECT_EXPORT, model="orgs.user", object_pk=user.pk, object_repr=user.username)
        return data
    feedback = portal.sender_personal_data(contact=identifier)
    press_recipients = press.recipients_personal_data(contact=identifier)
    audit.record(
        AuditEntry.Action.SUBJECT_EXPORT,
        model="portal.feedbacksender",
        object_repr=_("feedback sender (%(n)s messages)") % {"n": len(feedback)},
        after={"feedback": [row["reference"] for row in feedback], "press": [r["reference"] for r in press_recipients]},
    )
    participants = skills.participant_personal_data(contact=identifier)
    if participants:
        audit.record(
            AuditEntry.Action.SUBJECT_EXPORT,
            model="skills.participant",
            object_repr=_("training participant (%(n)s sessions)") % {"n": len(participants)},
        )
    return {
        "kind": CONTACT,
        "exported_at": exported_at,
        "feedback": feedback,
        "training": participants,
        "press_recipients": press_recipients,
    }


def subject_erase(*, actor, kind: str, identifier: str) -> dict:
    """Erase (anonymise) the person's personal data, keeping the rows that statistics count. Audited."""
    _check_kind(kind)
    require(actor, USERS_MANAGE, None)
    with _acting(actor), transaction.atomic():
        if kind == USER:
            user = _find_user(identifier)
            if getattr(actor, "pk", None) == user.pk:
                raise ValidationError({"identifier": _("You cannot erase your own account.")})
            result = orgs.user_anonymise(user=user)
            audit.record(
                AuditEntry.Action.SUBJECT_ERASE,
                model="orgs.user",
                object_pk=user.pk,
                object_repr=f"erased-{user.pk}",
                after=result,
            )
            return {"kind": USER, "account": f"erased-{user.pk}", **result}
        ids = portal.senders_erase(contact=identifier)
        press_erased = press.recipients_erase(contact=identifier)
        audit.record(
            AuditEntry.Action.SUBJECT_ERASE,
            model="portal.feedbacksender",
            object_repr=_("feedback sender (%(n)s messages)") % {"n": len(ids)},
            after={"feedback": ids, "press": press_erased},
        )
        participants = skills.participants_erase(contact=identifier)
        if participants:
            audit.record(
                AuditEntry.Action.SUBJECT_ERASE,
                model="skills.participant",
                object_repr=_("training participant (%(n)s sessions)") % {"n": participants},
            )
        return {
            "kind": CONTACT,
            "feedback_erased": len(ids),
            "training_erased": participants,
            "press_recipients_erased": len(press_erased),
        }
