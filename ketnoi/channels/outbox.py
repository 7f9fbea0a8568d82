"""The one outbox of every channel (issue 8.4).

Approving a bulletin queues one ``Delivery`` per (rendition, endpoint) in the approval's
transaction; the unique ``key`` makes queueing idempotent. Loudspeaker clusters and e-boards pull:
their deliveries move on when the device fetches its schedule (sent), has the audio (delivered) and
logs the play (played). SMS recipients and messaging accounts are pushed by ``dispatch_due``:

1. claim — one conditional UPDATE moves a delivery from queued to sending (a second worker, or the
   same job run twice, claims nothing);
2. send — through the channel's adapter, with the delivery's key as the idempotency key;
3. record — sent with the provider's id, or queued again with back-off after a transient error, or
   failed with the reason after a permanent one or too many attempts.

A worker killed between 1 and 3 leaves the delivery "sending". ``recover_stalled`` hands it back to
the queue when the adapter honours idempotency keys (the provider drops the second copy), and
otherwise (SMPP has no such key) marks it failed with "outcome unknown" for a person to check,
rather than risk sending it twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Bulletin, BulletinBoard, Delivery, LoudspeakerCluster, MessagingAccount, Rendition, SmsRecipient

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY = dt.timedelta(seconds=30)
LAST_RETRY = dt.timedelta(hours=1)
SEND_TIMEOUT = dt.timedelta(minutes=5)  # a delivery "sending" for longer was left by a dead worker
PUSHED = (Delivery.Endpoint.SMS, Delivery.Endpoint.ACCOUNT)
OPEN = (Delivery.State.QUEUED, Delivery.State.SENDING, Delivery.State.SENT, Delivery.State.DELIVERED)


def _key(rendition, endpoint: str, pk: int) -> str:
    return f"b{rendition.bulletin_id}-r{rendition.pk}-{endpoint}{pk}"


def _endpoints(bulletin: Bulletin) -> dict[str, list]:
    """The in-service endpoints of the bulletin's targets, by kind."""
    from .selectors import target_communes

    communes = list(target_communes(bulletin).values_list("pk", flat=True))
    villages = list(bulletin.target_villages.values_list("pk", flat=True))
    named_communes = {u.pk for u in bulletin.target_units.all() if u.level == "commune"}
    named_provinces = {u.pk for u in bulletin.target_units.all() if u.level == "province"}

    def in_target(commune_id, province_id, village_id) -> bool:
        # a commune or province named whole takes every village; a village named alone only itself
        return commune_id in named_communes or province_id in named_provinces or village_id in villages

    clusters = LoudspeakerCluster.objects.filter(
        station__commune__in=communes, retired_on__isnull=True, station__retired_on__isnull=True
    ).select_related("station__commune")
    boards = BulletinBoard.objects.filter(commune__in=communes, retired_on__isnull=True).select_related("commune")
    recipients = SmsRecipient.objects.filter(commune__in=communes, opted_out_at__isnull=True).select_related("commune")
    accounts = MessagingAccount.objects.filter(commune__in=communes, active=True).exclude(
        platform=MessagingAccount.Platform.SMS
    )
    return {
        "cluster": [
            c for c in clusters if in_target(c.station.commune_id, c.station.commune.province_id, c.village_id)
        ],
        "board": [b for b in boards if in_target(b.commune_id, b.commune.province_id, b.village_id)],
        "sms": [r for r in recipients if in_target(r.commune_id, r.commune.province_id, r.village_id)],
        "account": list(accounts.select_related("commune")),
    }


def queue_bulletin(bulletin: Bulletin) -> int:
    """Queue the approved bulletin for every endpoint of its targets; returns how many deliveries
    are new. Call inside the approval's transaction. Idempotent."""
    renditions = {}
    for rendition in bulletin.renditions.select_related("language"):
        renditions.setdefault(rendition.channel, {})[rendition.language.bcp47] = rendition
    endpoints = _endpoints(bulletin)
    rows = []

    def add(rendition, kind: str, endpoint, commune_id):
        rows.append(
            Delivery(
                key=_key(rendition, kind, endpoint.pk),
                bulletin=bulletin,
                rendition=rendition,
                commune_id=commune_id,
                endpoint=kind,
                **{{"cluster": "cluster", "board": "board", "sms": "recipient", "account": "account"}[kind]: endpoint},
            )
        )

    for cluster in endpoints["cluster"]:  # a cluster plays the bulletin in every language it has
        for rendition in renditions.get(Rendition.Channel.LOUDSPEAKER, {}).values():
            add(rendition, "cluster", cluster, cluster.station.commune_id)
    for board in endpoints["board"]:
        for rendition in renditions.get(Rendition.Channel.BOARD, {}).values():
            add(rendition, "board", board, board.commune_id)
    sms = renditions.get(Rendition.Channel.SMS, {})
    for recipient in endpoints["sms"]:  # one SMS each, in the recipient's language where there is one
        rendition = sms.get(recipient.language.bcp47 if recipient.language_id else "vi") or sms.get("vi")
        if rendition is not None:
            add(rendition, "sms", recipient, recipient.commune_id)
    social = renditions.get(Rendition.Channel.SOCIAL, {})
    for account in endpoints["account"]:
        rendition = social.get("vi") or next(iter(social.values()), None)
        if rendition is not None:
            add(rendition, "account", account, account.commune_id)
    before = Delivery.objects.filter(bulletin=bulletin).count()
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return Delivery.objects.filter(bulletin=bulletin).count() - before


def cancel_bulletin(bulletin: Bulletin, *, reason: str = "") -> int:
    """Withdrawal: nothing more is sent, and devices drop the bulletin from their schedules."""
    now = timezone.now()
    changed = Delivery.objects.filter(bulletin=bulletin, state__in=OPEN).update(
        state=Delivery.State.CANCELLED, cancelled_at=now, reason=reason[:500]
    )
    Delivery.objects.filter(bulletin=bulletin, state=Delivery.State.PLAYED, cancelled_at__isnull=True).update(
        cancelled_at=now
    )
    return changed


def _backoff(attempts: int) -> dt.timedelta:
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LAST_RETRY)


def _claim(delivery_id: int, now) -> bool:
    ready = models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now)
    return bool(
        Delivery.objects.filter(pk=delivery_id, state=Delivery.State.QUEUED)
        .filter(ready)
        .update(state=Delivery.State.SENDING, claimed_at=now, attempts=models.F("attempts") + 1)
    )


def _message(delivery: Delivery):
    from .phones import normalise_phone
    from .senders import OutboundMessage

    rendition = delivery.rendition
    if delivery.endpoint == Delivery.Endpoint.SMS:
        to = normalise_phone(delivery.recipient.phone, for_sms=True)
        return OutboundMessage(to=to, text=rendition.text, key=delivery.key)
    return OutboundMessage(to=delivery.account.handle, text=rendition.text, key=delivery.key)


def _platform(delivery: Delivery) -> str:
    return "sms" if delivery.endpoint == Delivery.Endpoint.SMS else delivery.account.platform


def send_one(delivery_id: int, *, now=None) -> str:
    """Claim, send and record one pushed delivery; returns its state afterwards."""
    from django.core.exceptions import ValidationError

    from .senders import PermanentSendError, SenderNotConfigured, TransientSendError, sender_for

    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = Delivery.objects.select_related("rendition", "recipient", "account", "bulletin").get(pk=delivery_id)
    if delivery.bulletin.state != Bulletin.State.APPROVED:  # withdrawn meanwhile
        Delivery.objects.filter(pk=delivery_id, state=Delivery.State.SENDING).update(state=Delivery.State.CANCELLED)
        return Delivery.State.CANCELLED
    if delivery.recipient_id and delivery.recipient.opted_out_at is not None:
        _fail(delivery_id, _("The recipient opted out."))
        return Delivery.State.FAILED
    try:
        message = _message(delivery)
        with sender_for(_platform(delivery)) as sender:
            result = sender.send(message)
    except TransientSendError as exc:
        attempts = delivery.attempts
        if attempts >= MAX_ATTEMPTS:
            _fail(delivery_id, _("Gave up after %(n)s attempts: %(reason)s") % {"n": attempts, "reason": exc})
            return Delivery.State.FAILED
        wait = _backoff(attempts)
        if getattr(exc, "retry_after", None):
            wait = max(wait, dt.timedelta(seconds=float(exc.retry_after)))
        Delivery.objects.filter(pk=delivery_id, state=Delivery.State.SENDING).update(
            state=Delivery.State.QUEUED, next_attempt_at=timezone.now() + wait, reason=str(exc)[:500]
        )
        return Delivery.State.QUEUED
    except PermanentSendError as exc:
        if getattr(exc, "opted_out", False) and delivery.recipient_id:
            SmsRecipient.objects.filter(pk=delivery.recipient_id, opted_out_at__isnull=True).update(
                opted_out_at=timezone.now(), opt_out_source=_platform(delivery)
            )
        _fail(delivery_id, str(exc))
        return Delivery.State.FAILED
    except (SenderNotConfigured, ValidationError) as exc:
        _fail(delivery_id, " ".join(getattr(exc, "messages", [str(exc)])))
        return Delivery.State.FAILED
    Delivery.objects.filter(pk=delivery_id, state=Delivery.State.SENDING).update(
        state=Delivery.State.SENT, provider_id=result.provider_id[:120], sent_at=timezone.now(), reason=""
    )
    return Delivery.State.SENT


def _fail(delivery_id: int, reason: str) -> None:
    Delivery.objects.filter(pk=delivery_id).exclude(state=Delivery.State.CANCELLED).update(
        state=Delivery.State.FAILED, reason=reason[:500]
    )


def dispatch_due(*, now=None, limit: int = 500) -> dict[str, int]:
    """Send what is due (each delivery claimed on its own, so several workers can share the work)."""
    now = now or timezone.now()
    recover_stalled(now=now)
    due = (
        Delivery.objects.filter(state=Delivery.State.QUEUED, endpoint__in=PUSHED, bulletin__state="approved")
        .filter(models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for delivery_id in list(due):
        state = send_one(delivery_id, now=now)
        counts[state] = counts.get(state, 0) + 1
    return counts


def recover_stalled(*, now=None) -> dict[str, int]:
    """Deliveries left "sending" by a dead worker: back to the queue where the provider honours the
    idempotency key, otherwise failed with "outcome unknown" (never sent twice)."""
    now = now or timezone.now()
    stalled = Delivery.objects.filter(state=Delivery.State.SENDING, claimed_at__lt=now - SEND_TIMEOUT).select_related(
        "account"
    )
    counts = {"requeued": 0, "unknown": 0}
    for delivery in stalled:
        from .senders import sender_for

        try:
            with sender_for(_platform(delivery)) as sender:
                idempotent = sender.idempotent
        except Exception:  # not configured any more: resending cannot happen either
            idempotent = False
        with transaction.atomic():
            if idempotent:
                changed = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENDING).update(
                    state=Delivery.State.QUEUED, next_attempt_at=now, claimed_at=None
                )
                counts["requeued"] += changed
            else:
                changed = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENDING).update(
                    state=Delivery.State.FAILED,
                    reason=_("Outcome unknown: sending stopped half-way. Check the provider's report first."),
                )
                counts["unknown"] += changed
    return counts


def record_receipt(*, provider_id: str, delivered: bool, reason: str = "", at=None) -> int:
    """A delivery receipt from a provider: sent → delivered, or failed with the provider's reason.
    A receipt for an unknown id, or one that arrives twice, changes nothing."""
    at = at or timezone.now()
    if delivered:
        return Delivery.objects.filter(provider_id=provider_id, state=Delivery.State.SENT).update(
            state=Delivery.State.DELIVERED, delivered_at=at
        )
    return Delivery.objects.filter(provider_id=provider_id, state=Delivery.State.SENT).update(
        state=Delivery.State.FAILED, reason=(reason or _("The provider reported the message undelivered."))[:500]
    )
