"""Reads of the portal's own data (citizen feedback). Content is read through content.selectors."""

from __future__ import annotations

from django.db.models import QuerySet

from ketnoi.core.roles import CONTENT_APPRAISE
from ketnoi.core.scoping import restrict

from .models import Feedback


def published_answers(*, language=None) -> QuerySet[Feedback]:
    """Answered feedback that moderators published: message and answer only, never the sender."""
    answers = Feedback.objects.filter(state=Feedback.State.PUBLISHED).select_related("language", "unit")
    if language is not None:
        answers = answers.filter(language=language)
    return answers.order_by("-answered_at", "-id")


def feedback_list_for_user(*, user, state: str | None = None) -> QuerySet[Feedback]:
    """Feedback the user may moderate: CONTENT_APPRAISE over the feedback's unit (central: country scope)."""
    feedback = restrict(Feedback.objects.all(), user, CONTENT_APPRAISE)
    if state:
        feedback = feedback.filter(state=state)
    return feedback.select_related("language", "unit", "item", "answered_by", "sender").order_by("-created_at", "-id")


def feedback_get_for_user(*, user, pk: int) -> Feedback:
    """Feedback.DoesNotExist when outside the user's area, so views and the API answer 404."""
    return feedback_list_for_user(user=user).get(pk=pk)
