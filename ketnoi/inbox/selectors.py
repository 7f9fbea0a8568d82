"""Reads of the inbox: the feedback a user may handle (FEEDBACK_HANDLE over its commune or province)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from ketnoi.core.roles import FEEDBACK_HANDLE
from ketnoi.core.scoping import restrict
from ketnoi.portal.models import Feedback

OPEN = [Feedback.State.RECEIVED, Feedback.State.ROUTED]


def inbox_for(
    *, user, state: str = "", channel: str = "", topic: str = "", overdue: bool = False, today=None
) -> QuerySet[Feedback]:
    rows = restrict(Feedback.objects.all(), user, FEEDBACK_HANDLE)
    if state == "open":
        rows = rows.filter(state__in=OPEN)
    elif state:
        rows = rows.filter(state=state)
    if channel:
        rows = rows.filter(channel=channel)
    if topic:
        rows = rows.filter(topic__code=topic)
    if overdue:
        rows = overdue_only(rows, today=today)
    return rows.select_related("language", "unit", "topic", "agency", "village").order_by("due_on", "received_at", "id")


def overdue_only(rows: QuerySet[Feedback], *, today=None) -> QuerySet[Feedback]:
    """Open feedback whose answer was due before today."""
    today = today or timezone.localdate()
    return rows.filter(state__in=OPEN, due_on__lt=today)


def feedback_for(*, user, pk: int) -> Feedback:
    """Feedback.DoesNotExist outside the user's area: the views answer 404."""
    return inbox_for(user=user).get(pk=pk)
