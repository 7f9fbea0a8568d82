"""``EncryptedTextField``: a text column holding a Fernet token (``core.crypto``), a ``str`` in Python.

- The value is encrypted on the way to the database and decrypted on the way back; an empty value is
  stored empty (so "has a phone number" stays a plain filter), everything else is a token.
- ``max_length`` limits the plain text (forms and the pre-save guard), not the column: a token is
  about 1.4 times longer plus 60 characters, so the column is ``text``.
- It cannot be searched: a lookup other than ``isnull`` or equality with "" is refused
  (``FieldError``), since the same text gives a different token each time. For a lookup give
  ``blind_index="<name of a CharField(64)>"``: that column is kept to a keyed HMAC of the normalised
  value on every save, and ``Model.objects.filter(<name>=crypto.blind_index(value))`` finds the row.
- Every encrypted field registers itself, so ``ketnoi rotate-keys`` finds them all (``encrypted_fields``).
"""

from __future__ import annotations

from django import forms
from django.core import validators
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull
from django.db.models.signals import pre_save

from . import crypto

_REGISTRY: list[EncryptedTextField] = []


class _EmptyOnlyExact(Exact):
    """``field=""`` (or None) only: equality with any other text can never match a token."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.model.__name__}.{self.lhs.target.name} is encrypted and cannot be searched; "
                "use its blind index"
            )
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest (Fernet)"

    def __init__(self, *args, blind_index: str | None = None, normalise=None, **kwargs):
        self.blind_index = blind_index
        self.normalise = normalise or crypto.normalise_contact
        super().__init__(*args, **kwargs)
        if self.max_length:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        if not cls._meta.abstract and cls.__module__.startswith("ketnoi."):
            if all(f is not self for f in _REGISTRY):
                _REGISTRY.append(self)
            if self.blind_index:
                pre_save.connect(
                    self._keep_index, sender=cls, weak=False, dispatch_uid=f"blind-index:{cls._meta.label}.{name}"
                )

    def _keep_index(self, sender, instance, raw=False, **kwargs):
        setattr(instance, self.blind_index, crypto.blind_index(getattr(instance, self.attname), self.normalise))

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None

    def get_transform(self, name):
        return None

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value)

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def formfield(self, **kwargs):
        defaults = {"form_class": forms.CharField, "max_length": self.max_length, "widget": forms.TextInput}
        defaults.update(kwargs)
        return super().formfield(**defaults)


def encrypted_fields() -> list[EncryptedTextField]:
    """Every encrypted field of the installed models (for rotation and the inventory)."""
    from django.apps import apps

    installed = {m for m in apps.get_models()}
    return [f for f in _REGISTRY if f.model in installed and f.model._meta.concrete_model is f.model]
