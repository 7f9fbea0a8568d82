"""The loudspeaker clusters' and e-boards' side of Kết Nối (issue 8.5; docs/channels.md, "Device
interface"): credentials, the schedule a device polls, the audio it downloads and confirms, the
play logs it uploads in batches, its heartbeats, and the offline alert to the commune's operators.

A device holds one token (``kd_…``), shown once when issued; only its SHA-256 is stored. Every
refusal a device can cause — an unknown or revoked token, a checksum that does not match, a play
log that cannot be true, a body too large — is a clear error and an audit entry, and nothing of a
refused request is written. The device's own bookkeeping (last seen, state, volume) is written with
``update()``: it changes every minute and is not an audited change of the credential."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core import audit
from ketnoi.core.roles import CHANNELS_MANAGE
from ketnoi.core.scoping import require

from .models import Bulletin, Delivery, DeviceCredential, Heartbeat, PlayLog, Rendition

TOKEN_PREFIX = "kd_"
LIVE = (Delivery.State.QUEUED, Delivery.State.SENDING, Delivery.State.SENT, Delivery.State.DELIVERED)
HEARTBEAT_STATES = ("online", "playing", "offline")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _device_of(credential):
    return credential.cluster if credential.cluster_id else credential.board


def _device_commune(device):
    return device.station.commune if hasattr(device, "station") else device.commune


def device_label(credential) -> str:
    device = _device_of(credential)
    return str(device) if device is not None else credential.prefix


# ---- credentials --------------------------------------------------------------------------------


@transaction.atomic
def credential_issue(*, user, cluster=None, board=None) -> tuple[DeviceCredential, str]:
    """A new token for a cluster or a board; returns the credential and the token, which is shown
    once and never stored. The device's earlier tokens stop working at once (one live token per
    device: a token copied off an old SD card is no use)."""
    if (cluster is None) == (board is None):
        raise ValidationError(_("Choose one loudspeaker cluster or one bulletin board."))
    device = cluster or board
    commune = _device_commune(device)
    require(user, CHANNELS_MANAGE, commune)
    if device.retired_on is not None:
        raise ValidationError(_("This device is retired; it gets no token."))
    now = timezone.now()
    for old in DeviceCredential.objects.select_for_update().filter(
        revoked_at__isnull=True, **({"cluster": cluster} if cluster else {"board": board})
    ):
        old.revoked_at = now
        old.save(update_fields=["revoked_at", "updated_at"])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    credential = DeviceCredential.objects.create(
        commune=commune, cluster=cluster, board=board, token_hash=_hash(token), prefix=token[:10]
    )
    return credential, token


@transaction.atomic
def credential_revoke(*, user, credential) -> DeviceCredential:
    credential = DeviceCredential.objects.select_for_update().get(pk=credential.pk)
    require(user, CHANNELS_MANAGE, credential.commune)
    if credential.revoked_at is None:
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at", "updated_at"])
    return credential


def _refused(reason: str, *, credential=None, ip=None, what: str = "") -> None:
    """An audit entry for a device request refused; never the token, only what is stored anyway."""
    after = {"reason": reason}
    if what:
        after["detail"] = what[:300]
    scope = (credential.commune.province_id, credential.commune_id) if credential is not None else (None, None)
    audit.record(
        audit.AuditEntry.Action.LOGIN_FAILED,
        model="channels.devicecredential",
        object_pk=str(credential.pk) if credential is not None else "",
        object_repr=f"{credential.prefix}…" if credential is not None else "unknown device token",
        after=after,
        scope=scope,
        actor=audit.Actor(name=f"device:{credential.prefix}" if credential else "device", ip_address=ip, source="api"),
    )


def _first_in_a_minute(key: str) -> bool:
    """A device retrying with a bad token every few seconds is one audit entry a minute, not thousands."""
    from django.core.cache import cache

    try:
        return cache.add(f"ketnoi:device-refused:{key}", 1, timeout=60)
    except Exception:  # no cache: audit every time
        return True


def authenticate(token: str, *, ip: str | None = None) -> DeviceCredential | None:
    """The live credential of a token, or None (audited: unknown, revoked, retired device)."""
    credential = None
    if token and token.startswith(TOKEN_PREFIX) and len(token) < 200:
        credential = (
            DeviceCredential.objects.select_related("commune", "cluster__station__commune", "board__commune")
            .filter(token_hash=_hash(token))
            .first()
        )
    if credential is None:
        if _first_in_a_minute(f"unknown:{_hash(token or '')[:16]}:{ip}"):
            _refused("unknown token", ip=ip)
        return None
    if credential.revoked_at is not None:
        if _first_in_a_minute(f"revoked:{credential.pk}:{ip}"):
            _refused("revoked token", credential=credential, ip=ip)
        return None
    device = _device_of(credential)
    if device is None or device.retired_on is not None:
        _refused("device retired", credential=credential, ip=ip)
        return None
    return credential


def refuse(credential, reason: str, *, ip=None, what: str = "") -> None:
    """Audit a request of an authenticated device that was refused (oversized, bad checksum…)."""
    _refused(reason, credential=credential, ip=ip, what=what)


def _now_seen(credential, now) -> None:
    DeviceCredential.objects.filter(pk=credential.pk).update(last_seen_at=now)


# ---- the schedule -------------------------------------------------------------------------------


def _deliveries(credential):
    """The device's deliveries (every state)."""
    if credential.cluster_id:
        return Delivery.objects.filter(endpoint=Delivery.Endpoint.CLUSTER, cluster_id=credential.cluster_id)
    return Delivery.objects.filter(endpoint=Delivery.Endpoint.BOARD, board_id=credential.board_id)


def live_deliveries(credential, *, played: bool = False):
    """Deliveries still in force (not cancelled, failed or withdrawn); ``played`` includes those
    already played: a bulletin scheduled on several days, or a device that lost its cache, needs
    the audio again."""
    states = (*LIVE, Delivery.State.PLAYED) if played else LIVE
    return _deliveries(credential).filter(
        state__in=states, cancelled_at__isnull=True, bulletin__state=Bulletin.State.APPROVED
    )


def _audio_bytes(rendition) -> int | None:
    if not rendition.audio:
        return None
    try:
        return rendition.audio.size
    except (FileNotFoundError, OSError):
        return None


@dataclass
class Schedule:
    body: bytes
    etag: str
    delivery_ids: list


def _rendition_json(rendition, url_for) -> dict:
    row = {"id": rendition.pk, "language": rendition.language.bcp47}
    if rendition.channel == Rendition.Channel.LOUDSPEAKER:
        row.update(
            {
                "audio_url": url_for(rendition.pk),
                "sha256": rendition.audio_sha256 or None,
                "bytes": _audio_bytes(rendition),
                "seconds": rendition.audio_seconds,
            }
        )
    else:
        row["text"] = rendition.text
    return row


def schedule_for(credential, day: dt.date, *, url_for) -> Schedule:
    """What the device plays (or shows) on ``day``: a cluster's programme in Circular 39's order
    (emergencies first, at once; then by time); a board's live bulletins. The body is canonical JSON
    with no time of generation in it, so the same programme has the same ETag."""
    from .selectors import station_programme

    items, delivery_ids = [], []
    if credential.cluster_id:
        cluster = credential.cluster
        for item in station_programme(cluster.station, day, cluster=cluster):
            if not item.plays:
                continue
            renditions = [r for r in item.renditions if r.audio]
            if not renditions:
                continue
            delivery_ids.extend(d.pk for d in item.deliveries if d.rendition_id in {r.pk for r in renditions})
            items.append(_item_json(item.bulletin, item.at, renditions, url_for))
    else:
        rows = list(live_deliveries(credential).select_related("bulletin", "rendition__language"))
        by_bulletin: dict[int, list] = {}
        for delivery in rows:
            by_bulletin.setdefault(delivery.bulletin_id, []).append(delivery)
        for deliveries in by_bulletin.values():
            bulletin = deliveries[0].bulletin
            if bulletin.valid_until is not None and bulletin.valid_until < day:
                continue
            delivery_ids.extend(d.pk for d in deliveries)
            items.append(_item_json(bulletin, None, [d.rendition for d in deliveries], url_for))
        items.sort(key=lambda i: ({"emergency": 0, "priority": 1}.get(i["priority"], 2), i["bulletin"]))
    device = _device_of(credential)
    commune = credential.commune
    body = {
        "day": day.isoformat(),
        "device": {
            "kind": "cluster" if credential.cluster_id else "board",
            "id": device.pk,
            "device_id": device.device_id,
            "name": device.name,
            "commune": commune.code,
            "credential": credential.prefix,
        },
        "items": items,
    }
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return Schedule(body=raw, etag=f'"{hashlib.sha256(raw).hexdigest()[:40]}"', delivery_ids=delivery_ids)


def _item_json(bulletin, at, renditions, url_for) -> dict:
    return {
        "bulletin": bulletin.pk,
        "title": bulletin.title,
        "priority": bulletin.priority,
        "at": at.isoformat() if at is not None else None,
        "valid_until": bulletin.valid_until.isoformat() if bulletin.valid_until else None,
        "renditions": [_rendition_json(r, url_for) for r in renditions],
    }


def mark_fetched(credential, delivery_ids) -> int:
    """The device has its schedule: its queued deliveries in it are sent (a conditional update, so
    fetching twice, or two fetches at once, changes nothing more)."""
    now = timezone.now()
    _now_seen(credential, now)
    if not delivery_ids:
        return 0
    return (
        _deliveries(credential)
        .filter(pk__in=delivery_ids, state=Delivery.State.QUEUED)
        .update(state=Delivery.State.SENT, sent_at=now)
    )


# ---- audio --------------------------------------------------------------------------------------


def rendition_for_device(credential, rendition_id: int) -> Rendition | None:
    """The rendition, when the device has a live delivery of it (anything else: None, a 404)."""
    delivery = (
        live_deliveries(credential, played=True)
        .filter(rendition_id=rendition_id, rendition__channel=Rendition.Channel.LOUDSPEAKER)
        .select_related("rendition")
        .first()
    )
    if delivery is None or not delivery.rendition.audio:
        return None
    return delivery.rendition


def _file_sha256(rendition) -> str:
    digest = hashlib.sha256()
    with rendition.audio.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def acknowledge(credential, *, rendition_id: int, sha256: str, ip=None) -> dict:
    """The device has the audio and says what its SHA-256 is. A match: the delivery is delivered.
    A mismatch: refused (422) and audited; when the stored file itself no longer matches its
    recorded checksum, the delivery fails with that reason for a person to look at."""
    rendition = rendition_for_device(credential, rendition_id)
    if rendition is None:
        from django.http import Http404

        raise Http404
    sha256 = (sha256 or "").strip().lower()
    now = timezone.now()
    _now_seen(credential, now)
    if sha256 != rendition.audio_sha256:
        stored = None
        try:
            stored = _file_sha256(rendition)
        except OSError:
            pass
        if stored is not None and stored != rendition.audio_sha256:
            reason = _("The stored audio no longer matches its checksum; it must be made again.")
            live_deliveries(credential).filter(rendition=rendition).update(state=Delivery.State.FAILED, reason=reason)
            refuse(credential, "stored audio corrupt", ip=ip, what=f"rendition {rendition.pk}")
        else:
            refuse(credential, "checksum mismatch", ip=ip, what=f"rendition {rendition.pk}")
        raise ValidationError(
            {"sha256": _("The checksum does not match the audio's; download the file again and check it.")}
        )
    changed = (
        live_deliveries(credential)
        .filter(rendition=rendition, state__in=[Delivery.State.QUEUED, Delivery.State.SENT])
        .update(state=Delivery.State.DELIVERED, delivered_at=now, sent_at=now)
    )
    return {"rendition_id": rendition.pk, "delivered": True, "changed": bool(changed)}


# ---- play logs ----------------------------------------------------------------------------------


def skew_tolerance() -> dt.timedelta:
    return dt.timedelta(seconds=settings.DEVICE_CLOCK_SKEW_SECONDS)


def ingest_logs(credential, lines: list[dict], *, ip=None, now=None) -> dict:
    """A batch of play logs. Each line is accepted (stored now), a duplicate (stored before, by an
    earlier copy of the batch: nothing changes), or rejected with its reason; a rejected line costs
    the batch nothing else. Lines may come in any order. One transaction; a replayed batch, or the
    same batch twice at once, leaves one row per line (the unique (credential, client_id))."""
    now = now or timezone.now()
    if len(lines) > settings.DEVICE_LOG_BATCH_MAX:
        raise ValidationError({"lines": _("At most %(n)s lines in one batch.") % {"n": settings.DEVICE_LOG_BATCH_MAX}})
    future = now + skew_tolerance()
    oldest = now - dt.timedelta(days=settings.DEVICE_LOG_MAX_AGE_DAYS)
    results = [None] * len(lines)
    wanted = {line["rendition_id"] for line in lines}
    deliveries = {}
    for delivery in _deliveries(credential).filter(rendition_id__in=wanted).exclude(state=Delivery.State.QUEUED):
        deliveries[delivery.rendition_id] = delivery
    # a delivery still queued was never fetched in a schedule: the device cannot have played it
    with transaction.atomic():
        existing = set(
            PlayLog.objects.filter(
                credential=credential, client_id__in=[line["client_id"] for line in lines]
            ).values_list("client_id", flat=True)
        )
        seen, rows = set(), []
        for index, line in enumerate(lines):
            client_id, started = line["client_id"], line["started_at"]
            delivery = deliveries.get(line["rendition_id"])
            reason = ""
            if client_id in existing:
                results[index] = {"client_id": client_id, "status": "duplicate"}
                continue
            if client_id in seen:
                reason = _("This client_id appears twice in the batch.")
            elif delivery is None:
                reason = _("This device was never sent this rendition.")
            elif started > future:
                reason = _("The start lies in the future: check the device's clock.")
            elif started < oldest:
                reason = _("The start is older than %(n)s days.") % {"n": settings.DEVICE_LOG_MAX_AGE_DAYS}
            elif started < delivery.created_at - skew_tolerance():
                reason = _("The start is before the bulletin was sent to this device.")
            if reason:
                results[index] = {"client_id": client_id, "status": "rejected", "reason": reason}
                continue
            seen.add(client_id)
            rows.append(
                PlayLog(
                    credential=credential,
                    commune_id=credential.commune_id,
                    bulletin_id=delivery.bulletin_id,
                    rendition_id=delivery.rendition_id,
                    delivery=delivery,
                    client_id=client_id,
                    started_at=started,
                    seconds=line.get("seconds") or 0,
                    completed=line.get("completed", True),
                )
            )
            results[index] = {"client_id": client_id, "status": "accepted"}
        PlayLog.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        played: dict[int, dt.datetime] = {}
        for row in rows:
            if row.completed:
                played[row.delivery_id] = min(played.get(row.delivery_id, row.started_at), row.started_at)
        for delivery_id, at in played.items():
            Delivery.objects.filter(
                pk=delivery_id,
                state__in=[Delivery.State.SENT, Delivery.State.DELIVERED],
            ).update(state=Delivery.State.PLAYED, played_at=at)
        DeviceCredential.objects.filter(pk=credential.pk).update(last_seen_at=now)
    counts = {status: sum(1 for r in results if r["status"] == status) for status in ("accepted", "duplicate")}
    rejected = [r for r in results if r["status"] == "rejected"]
    if rejected:
        audit.record(
            audit.AuditEntry.Action.IMPORT,
            model="channels.playlog",
            object_repr=f"play logs of {credential.prefix}…",
            after={
                "accepted": counts["accepted"],
                "duplicates": counts["duplicate"],
                "rejected": [{"client_id": r["client_id"][:64], "reason": r["reason"]} for r in rejected[:50]],
            },
            scope=(credential.commune.province_id, credential.commune_id),
            actor=audit.Actor(name=f"device:{credential.prefix}", ip_address=ip, source="api"),
        )
    return {
        "accepted": counts["accepted"],
        "duplicates": counts["duplicate"],
        "rejected": len(rejected),
        "lines": results,
    }


# ---- heartbeats and the offline alert -----------------------------------------------------------


def record_heartbeat(credential, *, state: str, reported_at, volume=None, signal=None, firmware="", now=None):
    """Store what the device says of itself and keep the latest on the credential; answer with our
    clock, so the device can correct its own."""
    now = now or timezone.now()
    if state not in HEARTBEAT_STATES:
        raise ValidationError({"state": _("The state is online, playing or offline.")})
    firmware = (firmware or "").strip()[:64]
    Heartbeat.objects.create(
        credential=credential, state=state, volume=volume, signal=signal, firmware=firmware, reported_at=reported_at
    )
    DeviceCredential.objects.filter(pk=credential.pk).update(
        last_seen_at=now,
        last_state=state,
        volume=volume,
        signal=signal,
        firmware=firmware or credential.firmware,
        offline_alerted_at=None,
    )
    skew = (reported_at - now).total_seconds()
    return {
        "server_time": now.isoformat(),
        "skew_seconds": round(skew, 3),
        "clock_ok": abs(skew) <= settings.DEVICE_CLOCK_SKEW_SECONDS,
        "state": state,
    }


def _operators(commune) -> list:
    """Who runs the commune's channels: commune-level holders of channels.manage, else the province's."""
    from ketnoi.notifications.selectors import local_holders
    from ketnoi.orgs.models import RoleGrant

    holders = local_holders(CHANNELS_MANAGE, commune)
    at_commune = set(
        RoleGrant.objects.filter(scope_level=RoleGrant.ScopeLevel.COMMUNE, unit_id=commune.pk).values_list(
            "user_id", flat=True
        )
    )
    local = [u for u in holders if u.pk in at_commune]
    return local or holders


def offline_sweep(*, now=None) -> dict:
    """Devices silent for longer than DEVICE_OFFLINE_MINUTES become offline, and the commune's
    operators are told once per outage (one notice per commune and sweep, naming the devices).
    A device that comes back clears its alert with its next heartbeat."""
    from ketnoi.notifications.services import notify

    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=settings.DEVICE_OFFLINE_MINUTES)
    silent = (
        DeviceCredential.objects.filter(
            revoked_at__isnull=True, offline_alerted_at__isnull=True, last_seen_at__lt=limit
        )
        .filter(
            Q(cluster__isnull=False, cluster__retired_on__isnull=True)
            | Q(board__isnull=False, board__retired_on__isnull=True)
        )
        .select_related("commune", "cluster__station", "board")
    )
    by_commune: dict[int, list] = {}
    for credential in silent:
        by_commune.setdefault(credential.commune_id, []).append(credential)
    told = 0
    for credentials in by_commune.values():
        commune = credentials[0].commune
        with transaction.atomic():
            mine = [
                c
                for c in credentials
                if DeviceCredential.objects.filter(
                    pk=c.pk, offline_alerted_at__isnull=True, last_seen_at__lt=limit
                ).update(offline_alerted_at=now, last_state=DeviceCredential.State.OFFLINE)
            ]
            if not mine:
                continue
            key = hashlib.sha256(
                ",".join(f"{c.pk}@{c.last_seen_at.isoformat()}" for c in sorted(mine, key=lambda c: c.pk)).encode()
            ).hexdigest()[:32]
            notify(
                recipients=_operators(commune),
                kind="device_offline",
                event_key=f"device_offline:{commune.pk}:{key}",
                values={
                    "unit": commune.name,
                    "count": len(mine),
                    "title": ", ".join(device_label(c) for c in mine)[:250],
                },
                link=f"/units/current/commune/{commune.code}/devices/",
            )
            told += len(mine)
    return {"offline": told, "communes": len(by_commune)}


# ---- what the staff page shows ------------------------------------------------------------------


def commune_devices(commune) -> dict:
    """The commune's clusters and boards, each with its live credential (if any) and latest state."""
    from .models import BulletinBoard, LoudspeakerCluster

    live = {
        (c.cluster_id, c.board_id): c
        for c in DeviceCredential.objects.filter(commune=commune, revoked_at__isnull=True).order_by("created_at")
    }
    clusters = LoudspeakerCluster.objects.filter(station__commune=commune).select_related("station", "village")
    boards = BulletinBoard.objects.filter(commune=commune).select_related("village")
    offline_after = timezone.now() - dt.timedelta(minutes=settings.DEVICE_OFFLINE_MINUTES)
    rows = []
    for kind, queryset in (("cluster", clusters), ("board", boards)):
        for device in queryset.order_by("pk"):
            credential = live.get((device.pk, None) if kind == "cluster" else (None, device.pk))
            silent = credential is not None and (
                credential.last_seen_at is None or credential.last_seen_at < offline_after
            )
            rows.append({"kind": kind, "device": device, "credential": credential, "silent": silent})
    revoked = DeviceCredential.objects.filter(commune=commune, revoked_at__isnull=False).order_by("-revoked_at")[:20]
    return {"rows": rows, "revoked": list(revoked)}
