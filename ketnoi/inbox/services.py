"""Writes of the citizen feedback inbox (issue 8.9; docs/channels.md "Citizen feedback inbox").

Every channel ends in one ``portal.Feedback``: the portal form (portal.services.feedback_submit),
SMS and messaging replies (``receive_events``, from the receipt endpoint), and what commune staff
note from meetings and loudspeaker call-ins (``note``). Staff route it to the responsible agency
(rules as data: inbox.Topic, inbox.RoutingRule), answer it, and the answer goes back on the channel
it came from (``deliver_answer``, a job, idempotent: one message per feedback whatever the retries).
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core import crypto
from ketnoi.core.roles import FEEDBACK_HANDLE
from ketnoi.core.scoping import allows, require
from ketnoi.core.text import normalize_text
from ketnoi.portal.models import Feedback, FeedbackSender

from .models import FeedbackEvent, RoutingRule, Topic

log = logging.getLogger(__name__)

MESSAGE_MIN = 2  # an SMS reply may be one word ("Có"); the portal form keeps its own minimum
MESSAGE_MAX = 5000
ANSWER_MAX = 10000
# A send that started this long ago and never finished (a killed worker) may be tried again: the
# provider receives the same idempotency key and does not send twice where it supports one.
STALE_SENDING = dt.timedelta(minutes=10)

PLATFORM_CHANNEL = {"sms": Feedback.Channel.SMS, "zalo": Feedback.Channel.ZALO, "webhook": Feedback.Channel.MESSAGING}
CHANNEL_PLATFORM = {value: key for key, value in PLATFORM_CHANNEL.items()}
STAFF_CHANNELS = (Feedback.Channel.MEETING, Feedback.Channel.CALL_IN, Feedback.Channel.OTHER)


def _event(feedback, action, *, actor=None, note=""):
    FeedbackEvent.objects.create(feedback=feedback, action=action, actor=actor, note=str(note)[:500])


# ---- routing ------------------------------------------------------------------------------------


def default_due_days() -> int:
    """[M] Days to answer feedback without a topic: settings.FEEDBACK_DEFAULT_DUE_DAYS, a default."""
    return int(getattr(settings, "FEEDBACK_DEFAULT_DUE_DAYS", 15))


def due_on(*, topic: Topic | None, received_at) -> dt.date:
    days = topic.due_days if topic is not None else default_due_days()
    return timezone.localdate(received_at) + dt.timedelta(days=days)


def route_for(*, unit, topic: Topic | None):
    """The agency that answers feedback on ``topic`` about ``unit`` (a commune, or None):
    an explicit rule for the commune, then for its province; then the current agency of the
    topic's kind at the commune or its province; then the commune's people's committee. None when
    nothing matches (central feedback, or no such agency in the data): staff choose."""
    from ketnoi.orgs.models import Agency

    if unit is None:
        return None
    province_id = unit.province_id if unit.level == "commune" else unit.pk
    today = timezone.localdate()
    current = Agency.objects.exclude(valid_to__lt=today).exclude(valid_from__gt=today)
    if topic is not None:
        for target in (unit.pk, province_id):
            rule = RoutingRule.objects.filter(topic=topic, unit_id=target).select_related("agency").first()
            if rule is not None:
                return rule.agency
        at = unit.pk if topic.agency_level == Topic.Level.COMMUNE else province_id
        agency = current.filter(kind=topic.agency_kind, unit_id=at).order_by("code").first()
        if agency is not None:
            return agency
    if unit.level == "commune":
        return current.filter(kind=Agency.Kind.COMMUNE_COMMITTEE, unit_id=unit.pk).order_by("code").first()
    return None


def intake_defaults(*, unit, topic=None, received_at=None) -> dict:
    """The due date and suggested agency every new feedback gets (portal form included)."""
    received_at = received_at or timezone.now()
    return {
        "received_at": received_at,
        "due_on": due_on(topic=topic, received_at=received_at),
        "agency": route_for(unit=unit, topic=topic),
        "topic": topic,
    }


def record_received(feedback: Feedback, *, actor=None) -> None:
    """History: the first step (called by every intake path in its transaction)."""
    action = FeedbackEvent.Action.NOTED if feedback.channel in STAFF_CHANNELS else FeedbackEvent.Action.RECEIVED
    _event(feedback, action, actor=actor, note=feedback.get_channel_display())


# ---- intake: SMS and messaging ------------------------------------------------------------------


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch)).upper()


def is_opt_out_keyword(text: str) -> bool:
    """SMS_OPT_OUT_KEYWORDS ([M] the operator's), compared without case, diacritics or spaces."""
    words = {_fold(word) for word in getattr(settings, "SMS_OPT_OUT_KEYWORDS", ()) if word.strip()}
    return bool(words) and _fold(text) in words


def opt_out(*, phone: str, source: str) -> int:
    """Every SMS recipient with this number stops receiving bulletins. Returns how many changed."""
    from ketnoi.channels.models import SmsRecipient

    index = crypto.blind_index(phone)
    if not index:
        return 0
    return SmsRecipient.objects.filter(phone_index=index, opted_out_at__isnull=True).update(
        opted_out_at=timezone.now(), opt_out_source=source[:40]
    )


def _vietnamese():
    from ketnoi.people.models import Language

    return Language.objects.filter(bcp47="vi").first() or Language.objects.order_by("pk").first()


def _sms_context(phone: str) -> dict:
    """What we know of an SMS sender from the bulletins sent to them: commune, village, language and
    the latest bulletin they received (a reply most often answers it)."""
    from ketnoi.channels.models import Delivery, SmsRecipient

    index = crypto.blind_index(phone)
    recipients = list(SmsRecipient.objects.filter(phone_index=index).select_related("commune", "language"))
    if not recipients:
        return {}
    last = (
        Delivery.objects.filter(recipient__in=recipients, sent_at__isnull=False)
        .select_related("rendition__bulletin", "recipient")
        .order_by("-sent_at", "-id")
        .first()
    )
    recipient = last.recipient if last is not None else recipients[0]
    return {
        "unit": recipient.commune,
        "village_id": recipient.village_id,
        "language": recipient.language,
        "bulletin": last.rendition.bulletin if last is not None else None,
    }


def receive_inbound(*, platform: str, message) -> Feedback | None:
    """An InboundMessage → feedback (or an opt-out when the text is an opt-out keyword). The same
    provider id posted twice is one feedback. None when nothing is recorded (empty, opt-out)."""
    from ketnoi.geo.models import AdminUnit

    channel = PLATFORM_CHANNEL.get(platform, Feedback.Channel.MESSAGING)
    text = normalize_text(message.text).strip()[:MESSAGE_MAX]
    if channel == Feedback.Channel.SMS and is_opt_out_keyword(text):
        opt_out(phone=message.sender, source="SMS keyword")
        return None
    if len(text) < MESSAGE_MIN:
        return None
    if message.provider_id:
        existing = Feedback.objects.filter(channel=channel, provider_id=message.provider_id).first()
        if existing is not None:
            return existing
    context = _sms_context(message.sender) if channel == Feedback.Channel.SMS else {}
    unit = context.get("unit")
    if unit is None and message.commune:
        unit = AdminUnit.objects.filter(structure="current", level="commune", code=message.commune).first()
    defaults = intake_defaults(unit=unit, received_at=message.at or timezone.now())
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                channel=channel,
                language=context.get("language") or _vietnamese(),
                unit=unit,
                village_id=context.get("village_id"),
                bulletin=context.get("bulletin"),
                message=text,
                provider_id=message.provider_id[:100],
                **defaults,
            )
            FeedbackSender.objects.create(feedback=feedback, contact=message.sender)
            record_received(feedback)
    except IntegrityError:  # the same message posted twice at once: the other post recorded it
        return Feedback.objects.filter(channel=channel, provider_id=message.provider_id).first()
    return feedback


def receive_events(*, platform: str, events) -> dict[str, int]:
    """What a provider posted to the receipt endpoint: delivery reports update the outbox (and the
    feedback answers), opt-outs stop bulletins, inbound messages become feedback."""
    from ketnoi.channels import outbox
    from ketnoi.channels.senders import InboundMessage, OptOut, Receipt

    counts = {"receipts": 0, "opt_outs": 0, "feedback": 0}
    for event in events:
        if isinstance(event, Receipt):
            outbox.record_receipt(
                provider_id=event.provider_id, delivered=event.delivered, reason=event.reason, at=event.at
            )
            answer_receipt(provider_id=event.provider_id, delivered=event.delivered, reason=event.reason)
            counts["receipts"] += 1
        elif isinstance(event, OptOut):
            if platform == "sms":
                opt_out(phone=event.to, source=event.reason or "opt-out")
            counts["opt_outs"] += 1
        elif isinstance(event, InboundMessage):
            if receive_inbound(platform=platform, message=event) is not None:
                counts["feedback"] += 1
            elif platform == "sms" and is_opt_out_keyword(event.text):
                counts["opt_outs"] += 1
    return counts


# ---- intake: noted by staff ---------------------------------------------------------------------


def note(
    *,
    user,
    commune,
    channel: str,
    message: str,
    topic: Topic | None = None,
    village=None,
    language=None,
    name: str = "",
    contact: str = "",
    received_at=None,
) -> Feedback:
    """Feedback commune staff heard at a meeting or on a loudspeaker call-in, written down."""
    from ketnoi.portal.services import _clean_contact

    require(user, FEEDBACK_HANDLE, commune)
    errors = {}
    if channel not in STAFF_CHANNELS:
        errors["channel"] = _("Choose a meeting, a loudspeaker call-in or other.")
    message = normalize_text(message).strip()
    name = normalize_text(name, collapse_spaces=True)
    if len(message) < MESSAGE_MIN:
        errors["message"] = _("Write what the citizen said.")
    elif len(message) > MESSAGE_MAX:
        errors["message"] = _("Write at most %(n)s characters.") % {"n": MESSAGE_MAX}
    if len(name) > 200:
        errors["name"] = _("Write at most %(n)s characters.") % {"n": 200}
    try:
        contact = _clean_contact(contact)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if village is not None and village.commune_id != commune.pk:
        errors["village"] = _("The village is not in this commune.")
    if received_at is not None and received_at > timezone.now():
        errors["received_at"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        feedback = Feedback.objects.create(
            channel=channel,
            language=language or _vietnamese(),
            unit=commune,
            village=village,
            message=message,
            noted_by=user,
            **intake_defaults(unit=commune, topic=topic, received_at=received_at),
        )
        if name or contact:
            FeedbackSender.objects.create(feedback=feedback, name=name, contact=contact)
        record_received(feedback, actor=user)
    return feedback


# ---- handling -----------------------------------------------------------------------------------


def _locked(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update().get(pk=feedback.pk)


def _require_open(feedback: Feedback) -> None:
    if not feedback.open:
        raise ValidationError(_("This feedback has already been %(state)s.") % {"state": feedback.get_state_display()})


def route(*, user, feedback: Feedback, topic: Topic | None, agency=None) -> Feedback:
    """Hand the feedback to the responsible agency (the rules' choice unless staff name another);
    the due date follows the topic, counted from receipt."""
    require(user, FEEDBACK_HANDLE, feedback)
    agency = agency or route_for(unit=feedback.unit, topic=topic)
    if agency is None:
        raise ValidationError({"agency": _("No agency answers this topic here: choose the agency.")})
    with transaction.atomic():
        feedback = _locked(feedback)
        _require_open(feedback)
        feedback.topic = topic
        feedback.agency = agency
        feedback.due_on = due_on(topic=topic, received_at=feedback.received_at)
        feedback.state = Feedback.State.ROUTED
        feedback.routed_at = timezone.now()
        feedback.save()
        _event(feedback, FeedbackEvent.Action.ROUTED, actor=user, note=agency.name_vi)
    return feedback


def answer(*, user, feedback: Feedback, text: str) -> Feedback:
    """Record the competent answer and send it back on the channel the feedback came from:
    published (portal), an SMS or message (a job), or marked for reading out (meeting, call-in)."""
    require(user, FEEDBACK_HANDLE, feedback)
    text = normalize_text(text).strip()
    if not text:
        raise ValidationError({"answer": _("Write the answer.")})
    if len(text) > ANSWER_MAX:
        raise ValidationError({"answer": _("Write at most %(n)s characters.") % {"n": ANSWER_MAX}})
    with transaction.atomic():
        feedback = _locked(feedback)
        _require_open(feedback)
        feedback.answer = text
        feedback.state = Feedback.State.PUBLISHED
        feedback.answered_by = user
        feedback.answered_at = timezone.now()
        feedback.answer_delivery = _delivery_for(feedback)
        feedback.save()
        _event(feedback, FeedbackEvent.Action.ANSWERED, actor=user, note=feedback.get_answer_delivery_display())
        if feedback.answer_delivery == Feedback.AnswerDelivery.PENDING:
            from ketnoi.core.jobs import enqueue_on_commit

            from .tasks import deliver_answer_job

            enqueue_on_commit(deliver_answer_job, feedback.pk)
    return feedback


def _delivery_for(feedback: Feedback) -> str:
    D = Feedback.AnswerDelivery
    if feedback.channel == Feedback.Channel.PORTAL:
        return D.PUBLISHED
    if feedback.channel in STAFF_CHANNELS:
        return D.TO_READ_OUT
    has_contact = FeedbackSender.objects.filter(feedback=feedback).exclude(contact_index="").exists()
    return D.PENDING if has_contact else D.NO_ADDRESS


def mark_read_out(*, user, feedback: Feedback) -> Feedback:
    """The answer to a meeting or call-in feedback was read out (at the next meeting, on the loudspeakers)."""
    require(user, FEEDBACK_HANDLE, feedback)
    with transaction.atomic():
        feedback = _locked(feedback)
        if feedback.answer_delivery != Feedback.AnswerDelivery.TO_READ_OUT:
            raise ValidationError(_("This answer is not waiting to be read out."))
        feedback.answer_delivery = Feedback.AnswerDelivery.READ_OUT
        feedback.save()
        _event(feedback, FeedbackEvent.Action.READ_OUT, actor=user)
    return feedback


def close(*, user, feedback: Feedback) -> Feedback:
    """Close answered feedback (the matter is settled); a portal answer stays published."""
    require(user, FEEDBACK_HANDLE, feedback)
    with transaction.atomic():
        feedback = _locked(feedback)
        if feedback.state != Feedback.State.PUBLISHED:
            raise ValidationError(_("Only answered feedback can be closed."))
        feedback.state = Feedback.State.CLOSED
        feedback.closed_at = timezone.now()
        feedback.save()
        _event(feedback, FeedbackEvent.Action.CLOSED, actor=user)
    return feedback


def reject(*, user, feedback: Feedback, reason: str) -> Feedback:
    """Reject (spam, abuse, not a matter for the administration) with the recorded reason."""
    require(user, FEEDBACK_HANDLE, feedback)
    reason = normalize_text(reason, collapse_spaces=True)
    if not reason:
        raise ValidationError({"rejection_reason": _("Give the reason for rejecting.")})
    if len(reason) > 500:
        raise ValidationError({"rejection_reason": _("Write at most %(n)s characters.") % {"n": 500}})
    with transaction.atomic():
        feedback = _locked(feedback)
        _require_open(feedback)
        feedback.state = Feedback.State.REJECTED
        feedback.rejection_reason = reason
        feedback.answered_by = user
        feedback.answered_at = timezone.now()
        feedback.closed_at = feedback.answered_at
        feedback.save()
        _event(feedback, FeedbackEvent.Action.REJECTED, actor=user, note=reason)
    return feedback


# ---- the answer, back on the channel it came from -----------------------------------------------


def answer_text(feedback: Feedback) -> str:
    return f"{feedback.reference}: {feedback.answer}"


def deliver_answer(feedback_id: int, *, now=None) -> str:
    """Send a feedback's answer by SMS or message, once: the state moves pending → sending → sent
    under a row lock, a second run finds it sent and does nothing, and the provider gets the
    feedback's own idempotency key (``feedback-<id>``) so a retry after a lost answer is not a second
    message. Transient errors raise (the job retries); permanent ones mark the delivery failed."""
    from ketnoi.channels.senders import (
        OutboundMessage,
        PermanentSendError,
        SenderNotConfigured,
        TransientSendError,
        sender_for,
    )

    D = Feedback.AnswerDelivery
    now = now or timezone.now()
    with transaction.atomic():
        feedback = Feedback.objects.select_for_update().filter(pk=feedback_id).first()
        if feedback is None:
            return "gone"
        stale = feedback.answer_delivery == D.SENDING and feedback.updated_at < now - STALE_SENDING
        if feedback.answer_delivery != D.PENDING and not stale:
            return "skipped"
        sender_row = FeedbackSender.objects.filter(feedback=feedback).first()
        if sender_row is None or not sender_row.contact:
            feedback.answer_delivery = D.NO_ADDRESS
            feedback.save(update_fields=["answer_delivery", "updated_at"])
            return "no_address"
        feedback.answer_delivery = D.SENDING
        feedback.save(update_fields=["answer_delivery", "updated_at"])
        to, text = sender_row.contact, answer_text(feedback)
    platform = CHANNEL_PLATFORM.get(feedback.channel, "webhook")
    try:
        with sender_for(platform) as sender:
            result = sender.send(OutboundMessage(to=to, text=text, key=f"feedback-{feedback.pk}"))
    except TransientSendError as exc:
        Feedback.objects.filter(pk=feedback.pk).update(
            answer_delivery=D.PENDING, answer_delivery_reason=exc.reason[:500], updated_at=timezone.now()
        )
        raise
    except (PermanentSendError, SenderNotConfigured) as exc:
        reason = getattr(exc, "reason", None) or str(exc)
        Feedback.objects.filter(pk=feedback.pk).update(
            answer_delivery=D.FAILED, answer_delivery_reason=reason[:500], updated_at=timezone.now()
        )
        _event(feedback, FeedbackEvent.Action.ANSWER_FAILED, note=reason)
        return "failed"
    Feedback.objects.filter(pk=feedback.pk).update(
        answer_delivery=D.SENT,
        answer_provider_id=result.provider_id[:100],
        answer_delivery_reason="",
        updated_at=timezone.now(),
    )
    _event(feedback, FeedbackEvent.Action.ANSWER_SENT, note=platform)
    return "sent"


def answer_receipt(*, provider_id: str, delivered: bool, reason: str = "") -> int:
    """A provider's delivery report for an answer: sent → delivered or not delivered. Twice: no change."""
    D = Feedback.AnswerDelivery
    if not provider_id:
        return 0
    changed = 0
    for feedback in Feedback.objects.filter(answer_provider_id=provider_id, answer_delivery=D.SENT):
        state = D.DELIVERED if delivered else D.FAILED
        changed += Feedback.objects.filter(pk=feedback.pk, answer_delivery=D.SENT).update(
            answer_delivery=state, answer_delivery_reason="" if delivered else reason[:500]
        )
        action = FeedbackEvent.Action.ANSWER_DELIVERED if delivered else FeedbackEvent.Action.ANSWER_FAILED
        _event(feedback, action, note=reason)
    return changed


# ---- the citizen's lookup -----------------------------------------------------------------------


def lookup(reference: str) -> Feedback | None:
    """The feedback a citizen's reference names (GY-2026-000123-K7M), or None: a wrong check code,
    year or number all answer the same None. Spaces, case and dashes are forgiven."""
    import hmac
    import re

    text = re.sub(r"[\s\-–—]", "", normalize_text(reference or "")).upper()
    match = re.fullmatch(r"GY(\d{4})(\d{6,9})([A-Z0-9]{3})", text)
    if not match:
        return None
    year, number, check = int(match[1]), int(match[2]), match[3]
    feedback = Feedback.objects.filter(pk=number).select_related("language", "unit").first()
    if feedback is None or feedback.created_at.year != year:
        return None
    if not hmac.compare_digest(feedback.check_code.encode(), check.encode()):
        return None
    return feedback


def can_handle(user, feedback: Feedback) -> bool:
    return allows(user, FEEDBACK_HANDLE, feedback)


# ---- retention ----------------------------------------------------------------------------------


def retention_expire(*, now=None) -> dict:
    """``private_feedback_message``: the words of feedback that came by SMS, messaging, a meeting or a
    call-in (never published) are replaced by the marker once answered or rejected longer ago than
    the period. The sender's contact follows ``feedback_sender`` (portal.services). Idempotent."""
    from ketnoi.core import retention
    from ketnoi.portal.models import ERASED_MESSAGE

    limit = retention.cutoff("private_feedback_message", now)
    if limit is None:
        return {"private_feedback_message": 0}
    with transaction.atomic():
        rows = (
            Feedback.objects.exclude(channel=Feedback.Channel.PORTAL)
            .filter(state__in=[Feedback.State.PUBLISHED, Feedback.State.CLOSED, Feedback.State.REJECTED])
            .filter(answered_at__lt=limit)
            .exclude(message=ERASED_MESSAGE)
        )
        ids = []
        for feedback in rows.select_for_update():
            feedback.message = ERASED_MESSAGE
            feedback.save(update_fields=["message", "updated_at"])
            ids.append(feedback.pk)
        retention.record_expiry("private_feedback_message", model="portal.feedback", count=len(ids), ids=ids)
    return {"private_feedback_message": len(ids)}
