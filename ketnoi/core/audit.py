"""The audit trail: who changed what, when, with the values before and after.

Every model that mixes in ``Audited`` is recorded on create, update and delete, whichever path the
write takes (service, admin, shell). The acting user comes from a context variable that the web
middleware, the API auth, the CLI and the job layer set.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import hashlib
import uuid
from dataclasses import dataclass

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import AuditEntry
from .scoping import scope_ids_of


@dataclass(frozen=True)
class Actor:
    user: object | None = None
    name: str = ""
    ip_address: str | None = None
    source: str = ""


_NOBODY = Actor()
_current_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("ketnoi_actor", default=None)
_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("ketnoi_audit_suppressed", default=False)

# Secrets appear only as a short fingerprint (so a change is visible, the value is not);
# bookkeeping fields that change on every login or API call are left out.
SECRET_FIELDS = {"password", "key_hash"}
IGNORED_FIELDS = {"last_login", "last_used_at", "updated_at", "search_key", "sort_key"}


class Audited(models.Model):
    """Mixin: writes to this model are recorded in the audit log."""

    class Meta:
        abstract = True


def current_actor() -> Actor:
    return _current_actor.get() or _NOBODY


@contextlib.contextmanager
def acting_as(user=None, *, name: str = "", ip_address: str | None = None, source: str = ""):
    label = name or (getattr(user, "username", "") if user is not None else "")
    token = _current_actor.set(Actor(user=user, name=label, ip_address=ip_address, source=source))
    try:
        yield
    finally:
        _current_actor.reset(token)


@contextlib.contextmanager
def suppressed():
    """Bulk loaders record one summary entry instead of one per row."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def _jsonable(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "storage"):  # an uploaded file: its stored name
        return value.name
    return str(value)


def snapshot(instance: models.Model) -> dict:
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in IGNORED_FIELDS:
            continue
        value = field.value_from_object(instance)
        if field.name in SECRET_FIELDS:
            value = "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()[:10] if value else ""
        data[field.attname] = _jsonable(value)
    return data


def record(
    action: str,
    *,
    model: str,
    object_pk: str = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    scope: tuple[int | None, int | None] = (None, None),
    actor: Actor | None = None,
) -> AuditEntry:
    actor = actor or current_actor()
    user = actor.user if getattr(actor.user, "pk", None) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_name=actor.name or (user.get_username() if user else "system"),
        action=action,
        model=model,
        object_pk=str(object_pk)[:64],
        object_repr=str(object_repr)[:300],
        before=before,
        after=after,
        scope_province_id=scope[0],
        scope_commune_id=scope[1],
        ip_address=actor.ip_address,
        source=actor.source or "system",
    )


def _audited(sender) -> bool:
    return isinstance(sender, type) and issubclass(sender, Audited) and not _suppressed.get()


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not _audited(sender) or instance.pk is None:
        return
    previous = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(previous) if previous is not None else None


@receiver(post_save)
def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _audited(sender):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    if not created and before == after:
        return
    record(
        AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        model=sender._meta.label_lower,
        object_pk=instance.pk,
        object_repr=str(instance),
        before=before,
        after=after,
        scope=scope_ids_of(instance),
    )


@receiver(post_delete)
def _record_delete(sender, instance, **kwargs):
    if not _audited(sender):
        return
    record(
        AuditEntry.Action.DELETE,
        model=sender._meta.label_lower,
        object_pk=instance.pk,
        object_repr=str(instance),
        before=snapshot(instance),
        after=None,
        scope=scope_ids_of(instance),
    )
