"""Limits checked at the boundary, the same on every database (issue 11.6).

PostgreSQL refuses a value longer than a column's ``max_length`` or an integer outside its column's
range with a server error; SQLite stores it. ``field_limit_errors`` checks a model's own limits and
names the field, so a service, an importer and the pre-save guard all refuse such a value with a
ValidationError (a 422 in the API, a form error on a page) before the database sees it.

The ranges are the portable ones (a 32-bit IntegerField, as PostgreSQL has), not SQLite's 64-bit
integers, so what passes on SQLite in development also passes on PostgreSQL in production.
"""

from __future__ import annotations

from typing import Annotated

from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from pydantic import Field

INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges
MAX_ID = INTEGER_RANGES["BigIntegerField"][1]

# An id sent in a request body (e.g. related_tasks): a positive integer that fits a BigAutoField.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _limited_fields(model: type[models.Model]):
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        internal = field.get_internal_type()
        if isinstance(field, models.CharField | models.TextField) and field.max_length:
            yield field, "length", field.max_length
        elif internal in INTEGER_RANGES and not isinstance(field, models.ForeignKey):
            yield field, "range", INTEGER_RANGES[internal]


def field_limit_errors(model: type[models.Model], values: dict) -> dict[str, list[str]]:
    """{field name: [messages]} for the values (by field name or attname) beyond the model's limits."""
    errors: dict[str, list[str]] = {}
    for field, kind, limit in _limited_fields(model):
        if field.name in values:
            value = values[field.name]
        elif field.attname in values:
            value = values[field.attname]
        else:
            continue
        if value is None:
            continue
        checks = []
        if kind == "length" and isinstance(value, str):
            checks = [validators.MaxLengthValidator(limit)]
        elif kind == "range" and isinstance(value, int) and not isinstance(value, bool):
            low, high = limit
            checks = [validators.MinValueValidator(low), validators.MaxValueValidator(high)]
        for check in checks:
            try:
                check(value)
            except ValidationError as exc:
                errors.setdefault(field.name, []).extend(exc.messages)
    return errors


def check_field_limits(instance: models.Model, *, fields=None) -> None:
    """Raise a ValidationError naming each field of ``instance`` whose value is beyond its column's limit."""
    names = None if fields is None else set(fields)
    values = {
        field.name: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if names is None or field.name in names or field.attname in names
    }
    errors = field_limit_errors(type(instance), values)
    if errors:
        raise ValidationError(errors)


def _guard_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:  # fixtures load as they are
        return
    check_field_limits(instance, fields=update_fields)


def connect_save_guard() -> None:
    """Check every save of a Kết Nối model (not bulk writes: importers call field_limit_errors)."""
    from django.apps import apps
    from django.db.models.signals import pre_save

    for config in apps.get_app_configs():
        if config.name.startswith("ketnoi."):
            for model in config.get_models():
                pre_save.connect(_guard_before_save, sender=model, dispatch_uid=f"limits:{model._meta.label}")
