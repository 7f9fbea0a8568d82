"""Writes of the channel inventory outside imports: validate, scope-check, one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ketnoi.core.roles import CHANNELS_MANAGE
from ketnoi.core.scoping import require
from ketnoi.core.text import fold, normalize_text

from .models import MessagingAccount


@transaction.atomic
def messaging_account_create(*, user, commune, platform: str, handle: str, url: str = "", followers=None):
    require(user, CHANNELS_MANAGE, commune)
    handle = normalize_text(handle or "").strip()
    if not handle:
        raise ValidationError({"handle": _("Give the account's name or the SMS sender name.")})
    if platform not in MessagingAccount.Platform.values:
        raise ValidationError({"platform": _("Choose a platform from the list.")})
    taken = MessagingAccount.objects.select_for_update().filter(commune=commune, platform=platform)
    if any(fold(a.handle) == fold(handle) for a in taken):
        raise ValidationError({"handle": _("This commune already has this account.")})
    return MessagingAccount.objects.create(
        commune=commune, platform=platform, handle=handle, url=url or "", followers=followers
    )


def record_phone_views(inventory: dict, *, request=None) -> None:
    """Log, once per request and person, that the propagandists' phones of a commune were shown."""
    from ketnoi.core.audit import record_personal_view

    if not inventory["show_phones"]:
        return
    for person in inventory["propagandists"]:
        record_personal_view(
            person, fields=("phone",), request=request, label=f"{person._meta.label_lower}#{person.pk}"
        )
