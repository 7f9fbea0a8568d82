"""The commune operator's console (issue 8.6): the writes. A commune accepts or declines the normal
bulletins of its stations' programme and orders the normal and priority ones within a slot
(Circular 39/2020: emergencies play at once and first, priority ones always play).

Every write locks the station row first (``select_for_update``; on SQLite the IMMEDIATE transaction
takes the write lock), then reads the programme again and decides on what it finds: two operators
pressing the same button at once give one decision and an order without gaps or duplicates, and the
later one is told that the programme changed (``ProgrammeChanged``) instead of moving the bulletin
twice. ProgrammeDecision is Audited, so each row written is in the audit log."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core.roles import CHANNELS_MANAGE
from ketnoi.core.scoping import require

from .models import Bulletin, ProgrammeDecision, RadioStation
from .selectors import station_programme

ACTIONS = ("accept", "decline", "up", "down")


class ProgrammeChanged(ValidationError):
    """The programme is no longer what the operator saw (someone else changed it meanwhile)."""


def slot_label(at) -> str:
    """An item's slot as the form sends it: "06:00" in local time; "" for an emergency (at once)."""
    return "" if at is None else timezone.localtime(at).strftime("%H:%M")


def programme_decide(
    *, user, station, bulletin_id: int, action: str, day, slot: str | None = None, seen: int | None = None
) -> ProgrammeDecision | None:
    """Apply ``action`` (accept, decline, up, down) to a bulletin of ``station``'s programme on ``day``.
    ``slot`` names the time ("06:00") when the bulletin plays more than once that day; ``seen`` is the
    place the operator saw it in within its slot (0 = first): when the order is no longer that, the
    move is refused with ProgrammeChanged. Returns the decision written, or None when nothing changed."""
    require(user, CHANNELS_MANAGE, station)
    if action not in ACTIONS:
        raise ValidationError(_("Unknown action."))
    with transaction.atomic():
        station = RadioStation.objects.select_for_update().get(pk=station.pk)
        items = station_programme(station, day)
        mine = [item for item in items if item.bulletin.pk == bulletin_id]
        if not mine:
            raise ValidationError(_("This bulletin is not in the station's programme on that day."))
        bulletin = mine[0].bulletin
        if action in ("accept", "decline"):
            return _accept(user, station, bulletin, accepted=action == "accept")
        return _move(user, station, bulletin, items, mine, up=action == "up", slot=slot, seen=seen)


def _accept(user, station, bulletin, *, accepted: bool):
    if bulletin.priority != Bulletin.Priority.NORMAL:
        message = _("Priority and emergency bulletins always play (Circular 39/2020); only normal ones are accepted.")
        raise ValidationError(message)
    decision = ProgrammeDecision.objects.filter(station=station, bulletin=bulletin).first()
    if decision is None:
        return ProgrammeDecision.objects.create(station=station, bulletin=bulletin, accepted=accepted, decided_by=user)
    if decision.accepted == accepted:
        return None
    decision.accepted = accepted
    decision.decided_by = user
    decision.save()
    return decision


def _move(user, station, bulletin, items, mine, *, up: bool, slot, seen):
    if bulletin.priority == Bulletin.Priority.EMERGENCY:
        raise ValidationError(_("An emergency bulletin plays at once and first; it cannot be moved."))
    if slot:
        mine = [item for item in mine if slot_label(item.at) == slot]
        if not mine:
            message = _("The bulletin no longer plays at %(slot)s. Look at the programme again.")
            raise ProgrammeChanged(message % {"slot": slot})
    item = mine[0]
    if not item.plays:
        raise ValidationError(_("Accept the bulletin before you move it: only what plays has a place in the order."))
    group = [i for i in items if i.at == item.at and i.priority == item.priority and i.plays]
    order = [i.bulletin.pk for i in group]
    index = order.index(bulletin.pk)
    if seen is not None and seen != index:
        raise ProgrammeChanged(_("Someone changed this programme meanwhile. Look at the order again and repeat."))
    target = index - 1 if up else index + 1
    if not 0 <= target < len(order):
        if up:
            raise ValidationError(_("The bulletin is already the first in its slot."))
        raise ValidationError(_("The bulletin is already the last in its slot."))
    order[index], order[target] = order[target], order[index]
    decisions = {d.bulletin_id: d for d in ProgrammeDecision.objects.filter(station=station, bulletin_id__in=order)}
    written = None
    for position, pk in enumerate(order, start=1):
        decision = decisions.get(pk)
        if decision is None:  # a priority bulletin, which plays without a decision
            decision = ProgrammeDecision.objects.create(
                station=station, bulletin_id=pk, accepted=True, position=position, decided_by=user
            )
        elif decision.position != position:
            decision.position = position
            decision.decided_by = user
            decision.save()
        else:
            continue
        if pk == bulletin.pk:
            written = decision
    return written
