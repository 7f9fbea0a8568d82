"""Reads of the portal's own data (citizen feedback). Content is read through content.selectors."""

from __future__ import annotations

from django.db.models import QuerySet

from ketnoi.core.roles import CONTENT_APPRAISE
from ketnoi.core.scoping import restrict

from .models import ERASED_MESSAGE, Feedback


def published_answers(*, language=None) -> QuerySet[Feedback]:
    """Answered feedback that moderators published: message and answer only, never the sender."""
    answers = (
        # only what came through the portal: an SMS or a meeting's answer went back to its sender
        Feedback.objects.filter(
            state__in=[Feedback.State.PUBLISHED, Feedback.State.CLOSED], channel=Feedback.Channel.PORTAL
        )
        .exclude(message=ERASED_MESSAGE)  # the sender asked for erasure: the pair is no longer shown
        .select_related("language", "unit")
    )
    if language is not None:
        answers = answers.filter(language=language)
    return answers.order_by("-answered_at", "-id")


def feedback_list_for_user(*, user, state: str | None = None) -> QuerySet[Feedback]:
    """Feedback the user may moderate: CONTENT_APPRAISE over the feedback's unit (central: country scope)."""
    # the portal's own feedback; every channel's is in the inbox (ketnoi.inbox, issue 8.9)
    feedback = restrict(Feedback.objects.filter(channel=Feedback.Channel.PORTAL), user, CONTENT_APPRAISE)
    if state:
        feedback = feedback.filter(state=state)
    return feedback.select_related("language", "unit", "item", "answered_by", "sender").order_by("-created_at", "-id")


def feedback_get_for_user(*, user, pk: int) -> Feedback:
    """Feedback.DoesNotExist when outside the user's area, so views and the API answer 404."""
    return feedback_list_for_user(user=user).get(pk=pk)


COMMUNE_CHOICES_MAX = 20


def commune_matches(*, text: str) -> list:
    """Current communes a citizen's words name: "Tả Van", "ta van", or "Tả Van, Lào Cai" (the words after
    a comma narrow it to a province). An exact name match wins over communes that merely contain the words."""
    from ketnoi.core.text import fold
    from ketnoi.geo.models import AdminUnit
    from ketnoi.geo.selectors import unit_search

    name, _sep, province = (text or "").partition(",")
    if not fold(name):
        return []
    units = unit_search(query=name, level=AdminUnit.Level.COMMUNE)
    for word in fold(province).split():
        units = units.filter(province__search_key__contains=word)
    units = list(units[:500])
    wanted = fold(name)
    exact = [u for u in units if wanted in (fold(u.name), fold(u.short_name))]
    return (exact or units)[:COMMUNE_CHOICES_MAX]


def portal_owner():
    """The agency named as the portal's owner (settings.PORTAL_OWNER_AGENCY), or its current successor if
    it no longer exists (a ministry merged in 2025 is never shown as the owner); None if unknown."""
    from django.conf import settings

    from ketnoi.orgs.models import Agency

    agency = Agency.objects.filter(code=settings.PORTAL_OWNER_AGENCY).first()
    if agency is None:
        return None
    current = agency.current_successors()
    return current[0] if current else None
