"""Language codes at the boundary: BCP 47 tags of people.Language, refused by name when unknown."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
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


def language_pair(source: str | None, target: str | None) -> tuple[Language, Language]:
    """``language_for`` of a source and a target code (fields ``source_lang`` / ``target_lang``),
    in one query when both are tags of the table as given (the common case)."""
    codes = [(code or "").strip().replace("_", "-") for code in (source, target)]
    found: dict[str, Language] = {}
    if all(codes):
        rows = Language.objects.filter(Q(bcp47__iexact=codes[0]) | Q(bcp47__iexact=codes[1]))
        for language in rows.order_by("pk"):
            found.setdefault(language.bcp47.lower(), language)
    source_language = found.get(codes[0].lower()) or language_for(source, field="source_lang")
    target_language = found.get(codes[1].lower()) or language_for(target, field="target_lang")
    return source_language, target_language
