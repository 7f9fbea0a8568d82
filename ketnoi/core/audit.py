"""The audit trail: who changed what, when, with the values before and after.

Every model that mixes in ``Audited`` is recorded on create, update and delete, whichever path the
write takes (service, admin, shell). The acting user comes from a context variable that the web
middleware, the API auth, the CLI and the job layer set.

The log is append-only, so nothing in it can ever be erased: personal data must not enter it. A model
names its personal fields in ``audit_personal_fields`` (``DEFAULT_PERSONAL_FIELDS`` apply to every
audited model too). Their values are never stored; the snapshot holds a marker instead, and the
entry of the write that changed one says so (``PERSONAL_CHANGED``). Such a model is named in the log
by a neutral label (its verbose name and id, a user by the username), never by ``str()``, and a
related object's personal values are taken out of another object's ``str()``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import functools
import hashlib
import uuid
from dataclasses import dataclass

from django.apps import apps
from django.core import checks
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
SECRET_FIELDS = {"password", "key_hash", "token_hash"}
IGNORED_FIELDS = {"last_login", "last_used_at", "updated_at", "search_key", "sort_key"}

# Personal data (Decree 13/2023) is never copied into the log: the snapshot holds one of these
# markers instead of the value ("" or None stays as it is: an empty field holds nobody's data).
# The "changed" marker is set, in the entry's ``after``, only by the write that changed the value.
PERSONAL = "[personal data]"
PERSONAL_CHANGED = "[personal data, changed]"
PERSONAL_MARKERS = frozenset({PERSONAL, PERSONAL_CHANGED})
# Field names that are personal wherever they appear, on top of what a model declares.
DEFAULT_PERSONAL_FIELDS = frozenset({"email", "phone", "first_name", "last_name", "full_name"})
_MIN_SCRUBBED_LENGTH = 3  # shorter values are not searched for in another object's str()


class Audited(models.Model):
    """Mixin: writes to this model are recorded in the audit log.

    ``audit_personal_fields`` names the fields holding personal data (names of persons, phone,
    e-mail, address, ID numbers, citizens' free text): the log records that they changed, never
    their values, and names the object neutrally instead of by ``str()``. A model may also define
    ``audit_repr()`` for the label the log shows; it must not contain personal data."""

    audit_personal_fields: frozenset[str] | set[str] = frozenset()

    class Meta:
        abstract = True


@functools.cache
def personal_fields(model) -> frozenset[str]:
    """The attnames of the personal concrete fields of ``model`` (declared ones and the defaults)."""
    declared = set(getattr(model, "audit_personal_fields", ()) or ())
    return frozenset(
        field.attname
        for field in model._meta.concrete_fields
        if {field.name, field.attname} & (declared | DEFAULT_PERSONAL_FIELDS)
    )


def holds_personal_data(model) -> bool:
    return bool(personal_fields(model))


@checks.register()
def check_personal_fields(app_configs=None, **kwargs):
    """A misspelt name in ``audit_personal_fields`` would leak the field it meant: refuse it."""
    errors = []
    for model in apps.get_models():
        if not issubclass(model, Audited):
            continue
        names = {n for f in model._meta.concrete_fields for n in (f.name, f.attname)}
        for name in sorted(set(getattr(model, "audit_personal_fields", ()) or ()) - names):
            errors.append(
                checks.Error(
                    f"{model._meta.label}.audit_personal_fields names {name!r}, which is not a field of the model",
                    obj=model,
                    id="ketnoi.audit.E001",
                )
            )
    return errors


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


def _personal_values(instance: models.Model) -> dict:
    """The raw personal values, only to compare before and after in memory; never stored."""
    personal = personal_fields(instance._meta.model)
    return {f.attname: f.value_from_object(instance) for f in instance._meta.concrete_fields if f.attname in personal}


def snapshot(instance: models.Model, *, changed: frozenset[str] | set[str] = frozenset()) -> dict:
    """The stored values of ``instance``: secrets fingerprinted, personal data replaced by a marker
    (``PERSONAL_CHANGED`` for the attnames in ``changed``)."""
    personal = personal_fields(instance._meta.model)
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in IGNORED_FIELDS:
            continue
        value = field.value_from_object(instance)
        if field.attname in personal:
            if value is not None and value != "":
                value = PERSONAL_CHANGED if field.attname in changed else PERSONAL
        elif field.name in SECRET_FIELDS:
            value = "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()[:10] if value else ""
        data[field.attname] = _jsonable(value)
    return data


def _neutral_label(instance: models.Model) -> str:
    """A label without personal data: a user's username, or the verbose name and the id."""
    model = instance._meta.model
    username_field = getattr(model, "USERNAME_FIELD", None)
    if username_field and username_field not in personal_fields(model):
        username = getattr(instance, username_field, "")
        if username:
            return str(username)
    return f"{model._meta.verbose_name} #{instance.pk}"


def _scrub(text: str, instance: models.Model, depth: int = 3, seen: set | None = None) -> str:
    """Take the personal values of the related objects that ``str()`` used out of ``text``."""
    seen = set() if seen is None else seen
    if depth <= 0 or id(instance) in seen:
        return text
    seen.add(id(instance))
    for field in instance._meta.concrete_fields:
        if not field.is_relation or not field.is_cached(instance):
            continue
        related = field.get_cached_value(instance)
        if related is None:
            continue
        values = _personal_values(related)
        if values:
            safe = _neutral_label(related)
            shown = str(related)
            if shown and shown != safe:
                text = text.replace(shown, safe)
            for value in values.values():
                value = str(value) if value is not None else ""
                if len(value) >= _MIN_SCRUBBED_LENGTH:
                    text = text.replace(value, "…")
        text = _scrub(text, related, depth - 1, seen)
    return text


def repr_of(instance: models.Model) -> str:
    """How the log names ``instance``: its ``audit_repr()``, a neutral label for a model holding
    personal data, otherwise ``str()`` with related objects' personal values taken out."""
    custom = getattr(instance, "audit_repr", None)
    if callable(custom):
        return str(custom())
    if holds_personal_data(instance._meta.model):
        return _neutral_label(instance)
    return _scrub(str(instance), instance)


def _safe_repr(model: str, object_pk, object_repr) -> str:
    """For an entry written by hand about a model holding personal data, the neutral label
    (callers tend to pass ``str(obj)``, e.g. a user's full name)."""
    if object_pk in (None, ""):
        return str(object_repr)
    try:
        model_class = apps.get_model(model)
    except (LookupError, ValueError):
        return str(object_repr)
    if not holds_personal_data(model_class):
        return str(object_repr)
    instance = model_class._default_manager.filter(pk=object_pk).first()
    if instance is None:
        return f"{model_class._meta.verbose_name} #{object_pk}"
    return repr_of(instance)


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
    """Write one entry by hand. The label of an object of a model holding personal data is
    replaced by its neutral label; ``before`` and ``after`` must hold no personal data."""
    return _write(
        action,
        model=model,
        object_pk=object_pk,
        object_repr=_safe_repr(model, object_pk, object_repr),
        before=before,
        after=after,
        scope=scope,
        actor=actor,
    )


def _write(
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


def record_personal_view(obj, *, fields, request=None, about=None, label: str = "") -> AuditEntry | None:
    """Record that the current actor was shown the decrypted personal ``fields`` of ``obj``
    (a feedback sender, a user): once per request and person. ``about`` is the object whose area
    the entry is scoped to (``obj`` itself by default); ``label`` names the person without their
    data. Nothing is recorded when no field holds a value."""
    shown = sorted(name for name in fields if getattr(obj, name, "") not in ("", None))
    actor = current_actor().user
    if not shown or (actor is not None and getattr(actor, "pk", None) == obj.pk and isinstance(obj, type(actor))):
        return None  # nothing shown, or a person's own data
    key = (obj._meta.label_lower, obj.pk)
    if request is not None:
        seen = request.__dict__.setdefault("_ketnoi_personal_views", set())
        if key in seen:
            return None
        seen.add(key)
    return _write(
        AuditEntry.Action.VIEW,
        model=obj._meta.label_lower,
        object_pk=obj.pk,
        object_repr=label or repr_of(obj),
        after={"fields": shown},
        scope=scope_ids_of(about if about is not None else obj),
    )


def _audited(sender) -> bool:
    return isinstance(sender, type) and issubclass(sender, Audited) and not _suppressed.get()


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not _audited(sender) or instance.pk is None:
        return
    previous = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(previous) if previous is not None else None
    instance._audit_personal_before = _personal_values(previous) if previous is not None else {}


@receiver(post_save)
def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _audited(sender):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    personal_before = {} if created else instance.__dict__.pop("_audit_personal_before", {})
    changed = set()
    if before is not None:
        changed = {name for name, value in _personal_values(instance).items() if personal_before.get(name) != value}
    after = snapshot(instance, changed=changed)
    if not created and before == after:
        return
    _write(
        AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        model=sender._meta.label_lower,
        object_pk=instance.pk,
        object_repr=repr_of(instance),
        before=before,
        after=after,
        scope=scope_ids_of(instance),
    )


@receiver(post_delete)
def _record_delete(sender, instance, **kwargs):
    if not _audited(sender):
        return
    _write(
        AuditEntry.Action.DELETE,
        model=sender._meta.label_lower,
        object_pk=instance.pk,
        object_repr=repr_of(instance),
        before=snapshot(instance),
        after=None,
        scope=scope_ids_of(instance),
    )
