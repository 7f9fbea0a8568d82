"""Writes of the portal: citizens send feedback; moderators answer and publish it, or reject it."""

from __future__ import annotations

import re

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.content import selectors as content
from ketnoi.content.models import ContentVariant
from ketnoi.core import audit, crypto
from ketnoi.core.roles import CONTENT_APPRAISE
from ketnoi.core.scoping import require
from ketnoi.core.text import normalize_text
from ketnoi.geo.models import AdminUnit
from ketnoi.people.models import Language

from .models import ERASED_MESSAGE, Feedback, FeedbackSender

MESSAGE_MIN = 10
MESSAGE_MAX = 5000
ANSWER_MAX = 10000
# Feedback accepted from one address per window (counted in the shared cache, like failed logins).
RATE_LIMIT = 5
RATE_WINDOW_SECONDS = 3600
_PHONE = re.compile(r"^\+?[0-9 .\-()]{8,20}$")


def _rate_key(ip: str) -> str:
    return f"portal-feedback:ip:{ip}"


def feedback_rate_limited(ip: str | None) -> bool:
    """True when this address has already sent RATE_LIMIT messages in the window."""
    return bool(ip) and (cache.get(_rate_key(ip)) or 0) >= RATE_LIMIT


def _count(ip: str | None) -> None:
    if not ip:
        return
    key = _rate_key(ip)
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW_SECONDS)


def feedback_count_attempt(*, ip: str | None) -> None:
    """Count a submission (also a refused one, so trial and error is limited too)."""
    _count(ip)


def _clean_contact(contact: str) -> str:
    contact = normalize_text(contact, collapse_spaces=True)
    if not contact:
        return ""
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError:
            raise ValidationError({"contact": _("Enter a valid e-mail address or phone number.")}) from None
        return contact
    if not _PHONE.match(contact) or len(re.sub(r"\D", "", contact)) < 8:
        raise ValidationError({"contact": _("Enter a valid e-mail address or phone number.")})
    return contact


def feedback_submit(
    *,
    language: Language,
    message: str,
    name: str = "",
    contact: str = "",
    item_slug: str = "",
    commune_code: str = "",
) -> Feedback:
    """Record a citizen's feedback (no sign-in). The sender's name and contact are stored apart."""
    errors: dict[str, str] = {}
    message = normalize_text(message).strip()
    name = normalize_text(name, collapse_spaces=True)
    if len(message) < MESSAGE_MIN:
        errors["message"] = _("Write at least %(n)s characters.") % {"n": MESSAGE_MIN}
    elif len(message) > MESSAGE_MAX:
        errors["message"] = _("Write at most %(n)s characters.") % {"n": MESSAGE_MAX}
    if len(name) > 200:
        errors["name"] = _("Write at most %(n)s characters.") % {"n": 200}
    try:
        contact = _clean_contact(contact)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    item = None
    if item_slug:
        try:
            item = content.public_variant(slug=item_slug, language=language).item
        except ContentVariant.DoesNotExist:  # not public here: the same answer as for an unknown address
            errors["item"] = _("No such article.")
    unit = None
    commune_code = (commune_code or "").strip()
    if commune_code:
        unit = AdminUnit.objects.filter(structure="current", level="commune", code=commune_code).first()
        if unit is None:
            errors["commune_code"] = _("No current commune has the code %(code)s.") % {"code": commune_code}
    if errors:
        raise ValidationError(errors)
    if unit is None and item is not None:
        unit = item.owner_unit
    from ketnoi.inbox import services as inbox

    with transaction.atomic():
        feedback = Feedback.objects.create(
            language=language, item=item, unit=unit, message=message, **inbox.intake_defaults(unit=unit)
        )
        if name or contact:
            FeedbackSender.objects.create(feedback=feedback, name=name, contact=contact)
        inbox.record_received(feedback)
    return feedback


def _check_open(feedback: Feedback) -> None:
    if not feedback.open:  # received or routed (the inbox, issue 8.9)
        raise ValidationError(_("This feedback has already been %(state)s.") % {"state": feedback.get_state_display()})


def feedback_answer(*, user, feedback: Feedback, answer: str) -> Feedback:
    """Answer the feedback and publish question and answer on the portal (without the sender)."""
    require(user, CONTENT_APPRAISE, feedback)
    answer = normalize_text(answer).strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    if len(answer) > ANSWER_MAX:
        raise ValidationError({"answer": _("Write at most %(n)s characters.") % {"n": ANSWER_MAX}})
    with transaction.atomic():
        feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
        _check_open(feedback)
        feedback.answer = answer
        feedback.state = Feedback.State.PUBLISHED
        feedback.answered_by = user
        feedback.answered_at = timezone.now()
        feedback.answer_delivery = Feedback.AnswerDelivery.PUBLISHED
        feedback.save()
    return feedback


def feedback_reject(*, user, feedback: Feedback, reason: str) -> Feedback:
    """Reject the feedback (spam, abuse, not a matter for this portal) with a recorded reason."""
    require(user, CONTENT_APPRAISE, feedback)
    reason = normalize_text(reason, collapse_spaces=True)
    if not reason:
        raise ValidationError({"rejection_reason": _("Give the reason for rejecting.")})
    if len(reason) > 500:
        raise ValidationError({"rejection_reason": _("Write at most %(n)s characters.") % {"n": 500}})
    with transaction.atomic():
        feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
        _check_open(feedback)
        feedback.state = Feedback.State.REJECTED
        feedback.rejection_reason = reason
        feedback.answered_by = user
        feedback.answered_at = timezone.now()
        feedback.save()
    return feedback


def record_sender_view(sender: FeedbackSender, *, feedback: Feedback, request=None) -> None:
    """Log that the current actor was shown this sender's name and contact (once per request)."""
    audit.record_personal_view(
        sender,
        fields=("name", "contact"),
        request=request,
        about=feedback,
        label=f"sender of feedback #{feedback.pk}",
    )


# ---- Data subjects (Decree 13/2023): a citizen's feedback found by phone or e-mail ---------------


def senders_with_contact(contact: str):
    """The feedback senders who gave this phone number or e-mail (through the blind index; the
    contact is normalised first, so 0912 345 678 finds +84 912 345 678)."""
    index = crypto.blind_index(contact)
    if not index:
        return FeedbackSender.objects.none()
    return FeedbackSender.objects.filter(contact_index=index).select_related("feedback", "feedback__language")


def sender_personal_data(*, contact: str) -> list[dict]:
    """Everything held about the sender with this contact: each message with what became of it."""
    rows = []
    for sender in senders_with_contact(contact).order_by("feedback_id"):
        feedback = sender.feedback
        rows.append(
            {
                "reference": feedback.reference,
                "sent": feedback.created_at.isoformat(),
                "channel": feedback.channel,
                "received": feedback.received_at.isoformat(),
                "language": feedback.language.bcp47,
                "name": sender.name,
                "contact": sender.contact,
                "message": feedback.message,
                "state": feedback.state,
                "answer": feedback.answer,
                "answer_delivery": feedback.answer_delivery,
                "rejection_reason": feedback.rejection_reason,
                "history": [
                    {"at": e.at.isoformat(), "action": e.action, "note": e.note} for e in feedback.events.all()
                ],
            }
        )
    return rows


@transaction.atomic
def senders_erase(*, contact: str) -> list[int]:
    """Erase the sender with this contact: the name and contact removed, each message replaced by a
    marker; the feedback stays (state, dates, unit and answer) for the statistics. Returns the ids
    of the feedback concerned."""
    senders = list(senders_with_contact(contact).select_for_update())
    ids = []
    for sender in senders:
        feedback = sender.feedback
        sender.delete()
        if feedback.message != ERASED_MESSAGE:
            feedback.message = ERASED_MESSAGE
            feedback.save()
        ids.append(feedback.pk)
    return sorted(ids)


def feedback_retention_expire(*, now=None) -> dict:
    """Enforce the retention periods of feedback (``feedback_sender``, ``rejected_feedback_message``):
    senders of feedback closed before the cut-off are removed, rejected messages replaced by a marker.
    Idempotent; one summary audit entry per category that erased something."""
    from ketnoi.core import retention

    closed = [Feedback.State.PUBLISHED, Feedback.State.CLOSED, Feedback.State.REJECTED]
    result = {"feedback_sender": 0, "rejected_feedback_message": 0}
    limit = retention.cutoff("feedback_sender", now)
    if limit is not None:
        with transaction.atomic():
            senders = FeedbackSender.objects.filter(feedback__state__in=closed, feedback__answered_at__lt=limit)
            ids = sorted(senders.values_list("feedback_id", flat=True))
            senders.delete()
            result["feedback_sender"] = len(ids)
            retention.record_expiry("feedback_sender", model="portal.feedbacksender", count=len(ids), ids=ids)
    limit = retention.cutoff("rejected_feedback_message", now)
    if limit is not None:
        with transaction.atomic():
            rows = Feedback.objects.filter(state=Feedback.State.REJECTED, answered_at__lt=limit).exclude(
                message=ERASED_MESSAGE
            )
            ids = []
            for feedback in rows.select_for_update():
                feedback.message = ERASED_MESSAGE
                feedback.save(update_fields=["message", "updated_at"])
                ids.append(feedback.pk)
            result["rejected_feedback_message"] = len(ids)
            retention.record_expiry("rejected_feedback_message", model="portal.feedback", count=len(ids), ids=ids)
    return result
