"""The audit log as people read it: model and field names in the interface language, values as the
forms show them (choice labels, dd/mm/yyyy dates, yes/no), and a before/after list per change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.translation import gettext as _

from ketnoi.core.audit import PERSONAL, PERSONAL_CHANGED
from ketnoi.core.text import format_date

EMPTY = "—"


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


def model_of(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def model_label(label: str) -> str:
    model = model_of(label)
    return str(model._meta.verbose_name).capitalize() if model else label


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        try:
            return next(f for f in model._meta.concrete_fields if f.attname == name)
        except StopIteration:
            return None


def value_text(field, value) -> str:
    """A stored audit value (JSON) as a person reads it."""
    if value is None or value == "":
        return EMPTY
    if value == PERSONAL:
        return _("personal data (not kept in the log)")
    if value == PERSONAL_CHANGED:
        return _("changed (personal data not kept in the log)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, dict)):  # JSON fields; a dict is no key of the choices below
        return (
            ", ".join(map(str, value)) if isinstance(value, list) else ", ".join(f"{k}: {v}" for k, v in value.items())
        )
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    if value in choices:
        return str(choices[value])
    language = translation.get_language() or "vi"
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            if len(value) == 10:
                return format_date(dt.date.fromisoformat(value), language)
            return format_date(dt.datetime.fromisoformat(value), language, with_time=True)
        except ValueError:
            pass
    return str(value)


def changes(entry) -> list[Change]:
    """What the entry changed, field by field; a creation lists what was set, a deletion what was there."""
    model = model_of(entry.model)
    before, after = entry.before or {}, entry.after or {}
    out = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if name in before and name in after and old == new:
            continue
        field = _field(model, name)
        label = str(field.verbose_name).capitalize() if field is not None else name
        out.append(
            Change(
                name,
                label,
                value_text(field, old) if name in before else "",
                value_text(field, new) if name in after else "",
            )
        )
    return out
