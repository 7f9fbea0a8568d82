"""gettext for QA messages that also works where Django is not set up (``ketnoi qa`` without a
database): the English msgid is returned then. Messages use %(name)s placeholders."""

from __future__ import annotations


def _configured() -> bool:
    try:
        from django.conf import settings

        return bool(settings.configured)
    except ImportError:  # pragma: no cover - Django is a dependency
        return False


def gettext(message: str) -> str:
    if not _configured():
        return message
    from django.utils.translation import gettext as django_gettext

    return django_gettext(message)


def ngettext(singular: str, plural: str, number: int) -> str:
    if not _configured():
        return singular if number == 1 else plural
    from django.utils.translation import ngettext as django_ngettext

    return django_ngettext(singular, plural, number)


def gettext_noop(message: str) -> str:
    """Marks a msgid for extraction; translate it with gettext where it is used."""
    return message
