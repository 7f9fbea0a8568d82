import datetime as dt

from django.urls import reverse
from ninja import Schema

from .services import record_sender_view


class AnswerOut(Schema):
    """A published question and its answer: never the sender's name or contact."""

    id: int
    language: str
    message: str
    answer: str
    answered_at: dt.datetime | None
    article: str | None = None
    commune: str | None = None

    @staticmethod
    def resolve_language(obj):
        return obj.language.bcp47

    @staticmethod
    def resolve_article(obj):
        return obj.item.slug if obj.item_id else None

    @staticmethod
    def resolve_commune(obj):
        return obj.unit.code if obj.unit_id else None


class PublicItemOut(Schema):
    slug: str
    language: str
    kind: str
    title: str
    summary: str
    published_at: dt.datetime | None
    url: str

    @staticmethod
    def resolve_slug(obj):
        return obj.item.slug

    @staticmethod
    def resolve_language(obj):
        return obj.language.bcp47

    @staticmethod
    def resolve_kind(obj):
        return obj.item.kind

    @staticmethod
    def resolve_published_at(obj):
        return obj.item.published_at

    @staticmethod
    def resolve_url(obj):
        return reverse("portal-article", args=[obj.language.bcp47, obj.item.slug])


class FeedbackOut(Schema):
    """Feedback as moderators see it, with the sender's details (personal data: staff only)."""

    id: int
    language: str
    state: str
    message: str
    name: str = ""
    contact: str = ""
    article: str | None = None
    unit: str | None = None
    answer: str
    rejection_reason: str
    answered_by: str | None = None
    answered_at: dt.datetime | None = None
    created_at: dt.datetime

    @staticmethod
    def _sender(obj):
        try:
            return obj.sender
        except Exception:  # RelatedObjectDoesNotExist: sent anonymously
            return None

    @staticmethod
    def resolve_language(obj):
        return obj.language.bcp47

    @staticmethod
    def _shown_sender(obj, context):
        """The sender, its view logged once per request (personal data shown through the API)."""
        sender = FeedbackOut._sender(obj)
        if sender is not None:
            record_sender_view(sender, feedback=obj, request=(context or {}).get("request"))
        return sender

    @staticmethod
    def resolve_name(obj, context):
        sender = FeedbackOut._shown_sender(obj, context)
        return sender.name if sender else ""

    @staticmethod
    def resolve_contact(obj, context):
        sender = FeedbackOut._shown_sender(obj, context)
        return sender.contact if sender else ""

    @staticmethod
    def resolve_article(obj):
        return obj.item.slug if obj.item_id else None

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code if obj.unit_id else None

    @staticmethod
    def resolve_answered_by(obj):
        return obj.answered_by.get_username() if obj.answered_by_id else None


class AnswerIn(Schema):
    answer: str


class RejectIn(Schema):
    reason: str
