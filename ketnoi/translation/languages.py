"""Language codes at the boundary: BCP 47 tags of people.Language, refused by name when unknown."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ketnoi.people.models import Language


def language_for(code: str | None, *, field: str = "language") -> Language:
    """The Language whose BCP 47 tag is ``code`` (case-insensitive; "vi-VN" falls back to "vi")."""
    text = (code or "").strip().replace("_", "-")
    if not text:
        raise ValidationError({field: _("a language code is required")})
    language = Language.objects.filter(bcp47__iexact=text).first()
    if language is None and "-" in text:
        language = Language.objects.filter(bcp47__iexact=text.split("-", 1)[0]).first()
    if language is None:
        message = _("unknown language code %(code)s (use a BCP 47 tag of the languages table, e.g. vi, en, th)")
        raise ValidationError({field: message % {"code": repr(text)}})
    return language
