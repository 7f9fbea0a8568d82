"""Which languages the portal speaks, and in which interface language each one is shown.

Portal languages are every language that has public content, plus Vietnamese (the default) and
English. The interface (menus, buttons) exists in Vietnamese, English and Thai; a page in another
content language shows its interface in Vietnamese when the language is spoken by one of
Vietnam's ethnic groups (its readers live in Vietnam) and in English otherwise, and marks that
interface text with its own ``lang`` attribute.
"""

from __future__ import annotations

from django.http import Http404

from ketnoi.content import selectors as content
from ketnoi.people.models import Language

DEFAULT = "vi"
ALWAYS = ("vi", "en")
UI_LANGUAGES = ("vi", "en", "th")


def portal_languages() -> list[Language]:
    """Vietnamese and English first, then every other language with public content, by code."""
    languages = []
    for language in Language.objects.order_by("bcp47"):
        if language.bcp47 in ALWAYS or content.public_items(language=language.bcp47).exists():
            languages.append(language)
    languages.sort(key=lambda lang: (ALWAYS.index(lang.bcp47) if lang.bcp47 in ALWAYS else len(ALWAYS), lang.bcp47))
    return languages


def portal_language(code: str) -> Language:
    """The portal language with this BCP 47 tag, or 404 (unknown, or no public content in it)."""
    language = Language.objects.filter(bcp47=code).first()
    if language is None:
        raise Http404
    if code not in ALWAYS and not content.public_items(language=code).exists():
        raise Http404
    return language


def ui_language(language: Language) -> str:
    """The interface language for a page in ``language``."""
    if language.bcp47 in UI_LANGUAGES:
        return language.bcp47
    return DEFAULT if language.ethnic_groups.exists() else "en"


def language_name(language: Language, ui: str) -> str:
    """The language's name in the interface language (Vietnamese if none is recorded)."""
    return getattr(language, f"name_{ui}", "") or language.name_vi


def autonym(language: Language) -> tuple[str, bool]:
    """The language's name in itself when known (for language switchers), else (name in Vietnamese, False)."""
    own = getattr(language, f"name_{language.bcp47}", "")
    if own:
        return own, True
    from django.conf.locale import LANG_INFO

    info = LANG_INFO.get(language.bcp47)
    if info and info.get("name_local"):
        return info["name_local"], True
    return language.name_vi, False
