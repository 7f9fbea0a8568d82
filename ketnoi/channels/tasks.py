"""Background jobs of the channels: speech synthesis of loudspeaker renditions (idempotent)."""

from __future__ import annotations

from ketnoi.core.jobs import crontab, job, periodic

from . import services


@job(retries=2, retry_delay=30, name="channels.synthesize_rendition")
def synthesize_rendition(rendition_id: int, text_checksum: str):
    """Speak a rendition's text and store the loudness-normalised audio; a rendition whose text
    changed since the request is left for the newer request."""
    return services.synthesize_rendition_now(rendition_id, text_checksum)


@job(retries=3, retry_delay=30, name="channels.dispatch_bulletin")
def dispatch_bulletin(bulletin_id: int):
    """Send an approved bulletin's pushed deliveries (SMS, messaging) now rather than at the next
    minute; each delivery is claimed on its own, so this and dispatch_due never send one twice."""
    from . import outbox
    from .models import Delivery

    ids = Delivery.objects.filter(
        bulletin_id=bulletin_id, state=Delivery.State.QUEUED, endpoint__in=outbox.PUSHED
    ).values_list("pk", flat=True)
    return {delivery_id: outbox.send_one(delivery_id) for delivery_id in list(ids)}


@periodic(crontab(minute="*"), name="channels.dispatch_due")
def dispatch_due():
    """Every minute: retries whose back-off has passed, sends a dead worker left, anything missed."""
    from . import outbox

    return outbox.dispatch_due()


@job(retries=2, retry_delay=60, name="channels.compute_evidence")
def compute_evidence(period: str):
    """Count the logs of one period into the values of the elements computed from the logs (issue
    8.10), in one transaction; idempotent: a value is rewritten only when its logs changed."""
    from . import evidence

    return evidence.compute_period(period)


@periodic(crontab(minute="17"), name="channels.compute_evidence_current")
def compute_evidence_current():
    """Every hour: this month, quarter and year, and last month's (late logs and receipts)."""
    from . import evidence

    return {period: evidence.compute_period(period) for period in evidence.current_periods()}


@job(retries=5, retry_delay=10, name="channels.push_emergency")
def push_emergency(bulletin_id: int):
    """Publish an emergency bulletin's state (approved or withdrawn) over MQTT; idempotent: the
    devices recognise a message by its bulletin and event id, and the retained topic is replaced."""
    from . import device_push

    return device_push.push_emergency_now(bulletin_id)


@periodic(crontab(minute="*"), name="channels.devices_offline")
def devices_offline():
    """Every minute: devices silent for DEVICE_OFFLINE_MINUTES are offline; operators told once."""
    from . import devices

    return devices.offline_sweep()
