"""Inbox API (docs/api.md): the feedback the caller may handle (FEEDBACK_HANDLE in their area),
routing, answering and closing. The sender's contact only masked, never the name."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from ninja.pagination import paginate

from ketnoi.core.api import Page
from ketnoi.portal.models import FeedbackSender

from . import selectors, services
from .models import Topic

router = Router(tags=["inbox"])


class InboxFeedbackOut(Schema):
    id: int
    reference: str
    channel: str
    received_at: dt.datetime
    language: str
    commune: str | None = None
    topic: str | None = None
    agency: str | None = None
    state: str
    due_on: dt.date | None = None
    overdue: bool
    message: str
    answer: str
    answered_at: dt.datetime | None = None
    answer_delivery: str
    contact: str = ""

    @staticmethod
    def resolve_language(obj):
        return obj.language.bcp47

    @staticmethod
    def resolve_commune(obj):
        return obj.unit.code if obj.unit_id else None

    @staticmethod
    def resolve_topic(obj):
        return obj.topic.code if obj.topic_id else None

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.code if obj.agency_id else None

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()

    @staticmethod
    def resolve_contact(obj):
        from .views import mask_contact

        sender = FeedbackSender.objects.filter(feedback=obj).first()
        return mask_contact(sender.contact) if sender else ""


class RouteIn(Schema):
    topic: str | None = None
    agency: str | None = None


class AnswerIn(Schema):
    answer: str


@router.get("/inbox/feedback", response=list[InboxFeedbackOut])
@paginate(Page)
def list_feedback(request, state: str = "", channel: str = "", topic: str = "", overdue: bool = False):
    """Feedback of every channel in the caller's area; `state=open` for received and routed."""
    return selectors.inbox_for(user=request.user, state=state, channel=channel, topic=topic, overdue=overdue)


@router.get("/inbox/feedback/{int:feedback_id}", response=InboxFeedbackOut)
def get_feedback(request, feedback_id: int):
    return selectors.feedback_for(user=request.user, pk=feedback_id)


@router.post("/inbox/feedback/{int:feedback_id}/route", response=InboxFeedbackOut)
def route_feedback(request, feedback_id: int, payload: RouteIn):
    """Route by topic code (the rules choose the agency) or name the agency by its code."""
    from ketnoi.orgs.models import Agency

    feedback = selectors.feedback_for(user=request.user, pk=feedback_id)
    topic = Topic.objects.filter(code=payload.topic).first() if payload.topic else None
    if payload.topic and topic is None:
        raise ValidationError({"topic": f"no topic {payload.topic!r}"})
    agency = Agency.objects.filter(code=payload.agency).first() if payload.agency else None
    if payload.agency and agency is None:
        raise ValidationError({"agency": f"no agency {payload.agency!r}"})
    return services.route(user=request.user, feedback=feedback, topic=topic, agency=agency)


@router.post("/inbox/feedback/{int:feedback_id}/answer", response=InboxFeedbackOut)
def answer_feedback(request, feedback_id: int, payload: AnswerIn):
    """Answer; the answer goes back on the channel the feedback came from."""
    feedback = selectors.feedback_for(user=request.user, pk=feedback_id)
    return services.answer(user=request.user, feedback=feedback, text=payload.answer)


@router.post("/inbox/feedback/{int:feedback_id}/close", response=InboxFeedbackOut)
def close_feedback(request, feedback_id: int):
    feedback = selectors.feedback_for(user=request.user, pk=feedback_id)
    return services.close(user=request.user, feedback=feedback)
