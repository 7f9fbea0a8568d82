"""Emergency bulletins pushed to the devices, not waited for (issue 8.5).

When an emergency bulletin is approved or withdrawn, ``on_transition`` enqueues the job
``channels.push_emergency`` for after the commit, so the approval never waits for a broker. The job
publishes over MQTT (paho-mqtt, QoS 1) when ``MQTT_URL`` is set:

- ``<root>/<province>/<commune>/<device>`` — one message per device the bulletin was queued for
  (device = the cluster's or board's device id, else its credential's prefix), not retained: a
  device keeps a persistent session (clean_session false) to get what it missed;
- ``<root>/<province>/<commune>/emergency`` — retained: the commune's emergencies in force, so a
  device that (re)connects learns them at once; an empty retained message clears it when the last
  one is withdrawn.

Without a broker the devices hold ``GET /api/v1/devices/events`` open (server-sent events), which
polls the database about every second: ``event_stream``. Both carry the same JSON payload.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils import timezone

from .models import Bulletin, BulletinEvent, Delivery, DeviceCredential, Rendition

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^0-9A-Za-z_.\-]")


def _level(value: str) -> str:
    """A topic level: no wildcards, no separators, never empty."""
    return _UNSAFE.sub("_", value or "")[:64] or "_"


def audio_url(rendition_id: int, base: str = "") -> str:
    base = (base or settings.KETNOI_SITE_URL or "").rstrip("/")
    return f"{base}/api/v1/devices/audio/{rendition_id}"


def commune_topic(commune) -> str:
    return f"{settings.MQTT_TOPIC_ROOT}/{commune.province.code}/{commune.code}/emergency"


def device_topic(commune, device, credential=None) -> str:
    name = device.device_id or (credential.prefix if credential is not None else f"{type(device).__name__}-{device.pk}")
    if name == "emergency":
        name = credential.prefix if credential is not None else f"device-{device.pk}"
    return f"{settings.MQTT_TOPIC_ROOT}/{commune.province.code}/{commune.code}/{_level(name)}"


def emergency_payload(bulletin, *, renditions, base: str = "", event_id=None) -> dict:
    active = bulletin.state == Bulletin.State.APPROVED
    return {
        "type": "emergency" if active else "emergency_withdrawn",
        "event_id": event_id,
        "bulletin": bulletin.pk,
        "title": bulletin.title,
        "priority": bulletin.priority,
        "approved_at": bulletin.approved_at.isoformat() if bulletin.approved_at else None,
        "valid_until": bulletin.valid_until.isoformat() if bulletin.valid_until else None,
        "renditions": [
            {
                "id": r.pk,
                "language": r.language.bcp47,
                "audio_url": audio_url(r.pk, base),
                "sha256": r.audio_sha256 or None,
                "seconds": r.audio_seconds,
            }
            for r in renditions
            if r.channel == Rendition.Channel.LOUDSPEAKER and r.audio
        ]
        if active
        else [],
    }


def on_transition(bulletin) -> None:
    """Called by services.bulletin_transition after approve and withdraw: push an emergency once
    the transaction commits (nothing for normal and priority bulletins: devices poll for those)."""
    if bulletin.priority != Bulletin.Priority.EMERGENCY:
        return
    from ketnoi.core.jobs import enqueue_on_commit

    from .tasks import push_emergency

    enqueue_on_commit(push_emergency, bulletin.pk)


def _latest_event_id(bulletin) -> int | None:
    event = (
        BulletinEvent.objects.filter(bulletin=bulletin, to_state__in=["approved", "withdrawn"]).order_by("-pk").first()
    )
    return event.pk if event else None


def messages_for(bulletin) -> list[tuple[str, str, bool]]:
    """(topic, payload, retain) of everything to publish for the bulletin's current state."""
    deliveries = list(
        Delivery.objects.filter(bulletin=bulletin, endpoint__in=[Delivery.Endpoint.CLUSTER, Delivery.Endpoint.BOARD])
        .select_related("commune__province", "cluster", "board", "rendition__language")
        .order_by("pk")
    )
    renditions = sorted({d.rendition for d in deliveries}, key=lambda r: (r.language.bcp47 != "vi", r.language.bcp47))
    payload = emergency_payload(bulletin, renditions=renditions, event_id=_latest_event_id(bulletin))
    credentials = {
        (c.cluster_id, c.board_id): c
        for c in DeviceCredential.objects.filter(
            revoked_at__isnull=True, commune__in={d.commune_id for d in deliveries}
        )
    }
    body = json.dumps(payload, ensure_ascii=False)
    out, devices, communes = [], set(), {}
    for delivery in deliveries:
        device = delivery.cluster or delivery.board
        communes[delivery.commune_id] = delivery.commune
        if (type(device), device.pk) in devices:
            continue
        devices.add((type(device), device.pk))
        credential = credentials.get((delivery.cluster_id, delivery.board_id))
        out.append((device_topic(delivery.commune, device, credential), body, False))
    # The communes' retained state goes first: every device subscribed to its commune's topic has the
    # emergency from one message the broker fans out, before the per-device copies are all sent.
    return [_commune_state(commune) for commune in communes.values()] + out


def active_emergencies(commune) -> list:
    return list(
        Bulletin.objects.filter(
            priority=Bulletin.Priority.EMERGENCY,
            state=Bulletin.State.APPROVED,
            deliveries__commune=commune,
            deliveries__endpoint__in=[Delivery.Endpoint.CLUSTER, Delivery.Endpoint.BOARD],
        )
        .filter(models_valid_today())
        .distinct()
        .order_by("approved_at", "pk")
    )


def models_valid_today():
    from django.db.models import Q

    return Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate())


def _commune_state(commune) -> tuple[str, str, bool]:
    """The retained state topic: the emergencies in force, or an empty payload that clears it."""
    bulletins = active_emergencies(commune)
    if not bulletins:
        return commune_topic(commune), "", True
    state = {
        "commune": commune.code,
        "emergencies": [
            emergency_payload(
                b,
                renditions=list(
                    Rendition.objects.filter(deliveries__bulletin=b, deliveries__commune=commune)
                    .select_related("language")
                    .distinct()
                ),
                event_id=_latest_event_id(b),
            )
            for b in bulletins
        ],
    }
    return commune_topic(commune), json.dumps(state, ensure_ascii=False), True


class BrokerUnavailable(RuntimeError):
    pass


def _client(url: str):
    import paho.mqtt.client as mqtt

    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise BrokerUnavailable(f"MQTT_URL must start with mqtt:// or mqtts://, not {parts.scheme}://")
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"ketnoi-{uuid.uuid4().hex[:12]}", protocol=mqtt.MQTTv311
    )
    if parts.username:
        client.username_pw_set(unquote(parts.username), unquote(parts.password or ""))
    if parts.scheme in ("mqtts", "ssl"):
        client.tls_set()
    port = parts.port or (8883 if parts.scheme in ("mqtts", "ssl") else 1883)
    return client, parts.hostname or "127.0.0.1", port


def publish(messages, *, url: str | None = None, timeout: float | None = None) -> int:
    """Publish (topic, payload, retain) messages at QoS 1 and wait until the broker has each one;
    raises BrokerUnavailable (the job retries) when it cannot."""
    url = url if url is not None else settings.MQTT_URL
    timeout = timeout if timeout is not None else settings.MQTT_TIMEOUT
    if not url or not messages:
        return 0
    client, host, port = _client(url)
    try:
        client.connect(host, port, keepalive=30)
    except OSError as exc:
        raise BrokerUnavailable(f"cannot reach the MQTT broker at {host}:{port}: {exc}") from exc
    client.loop_start()
    try:
        infos = [client.publish(topic, payload, qos=1, retain=retain) for topic, payload, retain in messages]
        deadline = time.monotonic() + timeout
        for info in infos:
            info.wait_for_publish(timeout=max(0.1, deadline - time.monotonic()))
            if not info.is_published():
                raise BrokerUnavailable("the MQTT broker did not acknowledge a message in time")
        return len(infos)
    finally:
        client.disconnect()
        client.loop_stop()


def push_emergency_now(bulletin_id: int) -> dict:
    bulletin = Bulletin.objects.filter(pk=bulletin_id).first()
    if bulletin is None or bulletin.priority != Bulletin.Priority.EMERGENCY:
        return {"published": 0}
    if not settings.MQTT_URL:
        return {"published": 0, "broker": "none: devices get emergencies over server-sent events"}
    return {"published": publish(messages_for(bulletin))}


# ---- server-sent events (the fallback without a broker) ----------------------------------------


def _device_events(credential, after_id: int):
    field = "cluster_id" if credential.cluster_id else "board_id"
    device_id = credential.cluster_id or credential.board_id
    bulletin_ids = Delivery.objects.filter(**{field: device_id}, bulletin__priority="emergency").values("bulletin_id")
    return list(
        BulletinEvent.objects.filter(
            pk__gt=after_id, to_state__in=["approved", "withdrawn"], bulletin_id__in=bulletin_ids
        ).order_by("pk")[:50]
    )


def _device_payload(credential, bulletin, event_id, base):
    field = "cluster_id" if credential.cluster_id else "board_id"
    renditions = list(
        Rendition.objects.filter(
            deliveries__bulletin=bulletin, **{f"deliveries__{field}": credential.cluster_id or credential.board_id}
        )
        .select_related("language")
        .distinct()
    )
    return emergency_payload(bulletin, renditions=renditions, base=base, event_id=event_id)


def _sse(event: str, data: dict, event_id=None) -> bytes:
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False))
    return ("\n".join(lines) + "\n\n").encode()


def event_stream(credential, *, last_event_id: int | None, base: str, lifetime=None, poll=None):
    """Server-sent events for one device: its emergencies as they are approved or withdrawn. Without
    Last-Event-ID the stream opens with the emergencies in force; with it, it sends what came after.
    The connection ends after DEVICE_SSE_SECONDS (the device reconnects with Last-Event-ID)."""
    lifetime = settings.DEVICE_SSE_SECONDS if lifetime is None else lifetime
    poll = settings.DEVICE_SSE_POLL_SECONDS if poll is None else poll
    started = time.monotonic()
    yield b"retry: 3000\n\n"
    if last_event_id is None:
        latest = BulletinEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        field = "cluster_id" if credential.cluster_id else "board_id"
        in_force = (
            Bulletin.objects.filter(
                priority=Bulletin.Priority.EMERGENCY,
                state=Bulletin.State.APPROVED,
                **{f"deliveries__{field}": credential.cluster_id or credential.board_id},
                deliveries__cancelled_at__isnull=True,
            )
            .filter(models_valid_today())
            .distinct()
        )
        for bulletin in in_force.order_by("approved_at", "pk"):
            event_id = _latest_event_id(bulletin)
            yield _sse("emergency", _device_payload(credential, bulletin, event_id, base), event_id)
        last_event_id = latest
    last_ping = time.monotonic()
    while True:
        for event in _device_events(credential, last_event_id):
            last_event_id = event.pk
            bulletin = Bulletin.objects.get(pk=event.bulletin_id)
            payload = _device_payload(credential, bulletin, event.pk, base)
            payload["type"] = "emergency" if event.to_state == "approved" else "emergency_withdrawn"
            if event.to_state != "approved":
                payload["renditions"] = []
            yield _sse(payload["type"], payload, event.pk)
        if time.monotonic() - started >= lifetime:
            yield _sse("bye", {"reconnect": True, "last_event_id": last_event_id}, last_event_id)
            return
        if time.monotonic() - last_ping >= 15:  # keeps proxies from closing an idle stream; the device is alive
            last_ping = time.monotonic()
            DeviceCredential.objects.filter(pk=credential.pk).update(last_seen_at=timezone.now())
            yield b": ping\n\n"
        time.sleep(poll)
