"""Where a user is signed in, and ending a session from another browser (issue 10.3)."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from ketnoi.core import audit
from ketnoi.core.middleware import client_ip

from .models import SignedInSession

TOUCH_EVERY = dt.timedelta(minutes=5)


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


@receiver(user_logged_in, dispatch_uid="orgs.session_signed_in")
def _signed_in(sender, request, user, **kwargs):
    if request is None or not getattr(request, "session", None) or not request.session.session_key:
        return
    SignedInSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "last_seen": timezone.now(),
            "ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        },
    )


@receiver(user_logged_out, dispatch_uid="orgs.session_signed_out")
def _signed_out(sender, request, user, **kwargs):
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        SignedInSession.objects.filter(session_key=key).delete()


def touch(request) -> None:
    """Note that the session was used (at most every few minutes, to spare the database)."""
    key = request.session.session_key
    if not key:
        return
    now = timezone.now()
    SignedInSession.objects.filter(session_key=key, last_seen__lt=now - TOUCH_EVERY).update(last_seen=now)


def sessions_of(user):
    return SignedInSession.objects.filter(user=user)


@transaction.atomic
def session_end(*, user, pk: int, current_key: str | None) -> None:
    """End one of the user's own sessions (not the one in use: that is "Sign out")."""
    record = SignedInSession.objects.filter(pk=pk).first()
    if record is None or record.user_id != user.pk:
        raise PermissionDenied
    if record.session_key == current_key:
        raise PermissionDenied
    _end(record, user)


@transaction.atomic
def sessions_end_others(*, user, current_key: str | None) -> int:
    others = list(SignedInSession.objects.filter(user=user).exclude(session_key=current_key or ""))
    for record in others:
        _end(record, user)
    return len(others)


def _end(record: SignedInSession, user) -> None:
    _store()(session_key=record.session_key).delete()
    record.delete()
    audit.record(
        audit.AuditEntry.Action.UPDATE,
        model="orgs.user",
        object_pk=user.pk,
        object_repr=user.username,
        after={"session": "ended remotely"},
    )


def sweep() -> int:
    """Forget sessions that expired or were removed from the session store."""
    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    deleted, _ = SignedInSession.objects.exclude(session_key__in=alive).delete()
    return deleted
