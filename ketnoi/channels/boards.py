"""Electronic bulletin boards (issue 8.7): a board's token, its feed of current bulletins, and what
the board reports back — heartbeats and display logs.

A board is a screen with a browser in kiosk mode (or a player that speaks the same JSON). It
authenticates with a ``DeviceCredential`` token, issued here: the SHA-256 of the token is stored,
the token itself is shown once to the person who issued it and is never recoverable.

The feed is pull (outbox.py): fetching it moves the board's queued deliveries to "sent"; a display
log moves them to "played". Both moves are conditional UPDATEs, so a feed fetched twice or a log
sent twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ketnoi.core.roles import CHANNELS_MANAGE
from ketnoi.core.scoping import require
from ketnoi.core.text import normalize_text

from .models import Bulletin, BulletinBoard, Delivery, DeviceCredential, Heartbeat, PlayLog

TOKEN_BYTES = 32
PREFIX_CHARS = 8
CLOCK_SKEW = dt.timedelta(minutes=5)  # a board's clock may run this far ahead of ours
MAX_LOG_AGE = dt.timedelta(days=30)  # display lines older than this are refused (kept offline too long)
MAX_LINES = 500  # per display-log request
MAX_SECONDS = 24 * 3600
LIVE = (
    Delivery.State.QUEUED,
    Delivery.State.SENDING,
    Delivery.State.SENT,
    Delivery.State.DELIVERED,
    Delivery.State.PLAYED,
)
NOT_PLAYED = (Delivery.State.QUEUED, Delivery.State.SENDING, Delivery.State.SENT, Delivery.State.DELIVERED)
HEARTBEAT_STATES = ("online", "playing", "offline")
PRIORITY_ORDER = Case(
    When(bulletin__priority=Bulletin.Priority.EMERGENCY, then=Value(0)),
    When(bulletin__priority=Bulletin.Priority.PRIORITY, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def rotate_seconds() -> int:
    return max(3, int(getattr(settings, "BOARD_ROTATE_SECONDS", 15)))


def poll_seconds() -> int:
    return max(5, int(getattr(settings, "BOARD_POLL_SECONDS", 60)))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ---- credentials ------------------------------------------------------------------------------


def issue_token(*, user, board: BulletinBoard) -> tuple[DeviceCredential, str]:
    """A new token for the board; returns the credential and the token, which is shown once.
    Earlier tokens stay valid until revoked (a board being replaced keeps working meanwhile)."""
    require(user, CHANNELS_MANAGE, board)
    if board.retired_on:
        raise ValidationError(_("This board is retired; a retired board gets no token."))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    credential = DeviceCredential.objects.create(
        commune_id=board.commune_id, board=board, token_hash=token_hash(token), prefix=token[:PREFIX_CHARS]
    )
    return credential, token


def revoke_token(*, user, credential: DeviceCredential) -> DeviceCredential:
    """Refuse the token from now on (its board's next request gets a 401)."""
    require(user, CHANNELS_MANAGE, credential)
    if credential.revoked_at is None:
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at", "updated_at"])
    return credential


def authenticate(token: str | None) -> DeviceCredential | None:
    """The live board credential of ``token``; None for an unknown, revoked or non-board token, or
    for a board that is retired."""
    if not token or len(token) > 200:
        return None
    credential = (
        DeviceCredential.objects.select_related("board__commune")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True, board__isnull=False)
        .first()
    )
    if credential is None or credential.board.retired_on:
        return None
    return credential


# ---- the feed ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    delivery_id: int
    rendition_id: int
    bulletin_id: int
    title: str
    text: str
    priority: str
    language: str
    language_name: str
    valid_until: dt.date | None

    @property
    def emergency(self) -> bool:
        return self.priority == Bulletin.Priority.EMERGENCY

    @property
    def body(self) -> str:
        """The text without its first line when that line repeats the title (renditions are drafted
        as "title, blank line, text")."""
        lines = self.text.strip().split("\n", 1)
        if len(lines) == 2 and lines[0].strip() == self.title.strip():
            return lines[1].strip()
        return self.text.strip()

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n") if p.strip()]

    def as_json(self) -> dict:
        return {
            "rendition_id": self.rendition_id,
            "bulletin_id": self.bulletin_id,
            "title": self.title,
            "text": self.body,
            "priority": self.priority,
            "language": self.language,
            "language_name": self.language_name,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }


def current_items(board: BulletinBoard, *, today: dt.date | None = None) -> list[FeedItem]:
    """What the board shows now: approved, not withdrawn, not expired bulletins with a live delivery
    to this board, one item per board rendition. Emergencies first, then priority, then normal;
    newest approval first within each. When an emergency is current, only emergencies are shown."""
    today = today or timezone.localdate()
    deliveries = (
        Delivery.objects.filter(
            board=board,
            endpoint=Delivery.Endpoint.BOARD,
            state__in=LIVE,
            bulletin__state=Bulletin.State.APPROVED,
        )
        .filter(Q(bulletin__valid_until__isnull=True) | Q(bulletin__valid_until__gte=today))
        .select_related("bulletin", "rendition__language")
        .annotate(rank=PRIORITY_ORDER)
        .order_by("rank", "-bulletin__approved_at", "bulletin_id", "rendition__language__bcp47", "pk")
    )
    items = [
        FeedItem(
            delivery_id=d.pk,
            rendition_id=d.rendition_id,
            bulletin_id=d.bulletin_id,
            title=d.bulletin.title,
            text=d.rendition.text,
            priority=d.bulletin.priority,
            language=d.rendition.language.bcp47,
            language_name=d.rendition.language.name_vi,
            valid_until=d.bulletin.valid_until,
        )
        for d in deliveries
    ]
    if any(item.emergency for item in items):
        items = [item for item in items if item.emergency]
    return items


def feed(board: BulletinBoard, *, today: dt.date | None = None) -> tuple[dict, str, list[FeedItem]]:
    """The board's feed as JSON-ready data, its ETag (a hash of the content, so an unchanged feed
    is answered 304) and the items."""
    items = current_items(board, today=today)
    data = {
        "board": {"id": board.pk, "name": board.name},
        "rotate_seconds": rotate_seconds(),
        "poll_seconds": poll_seconds(),
        "emergency": any(item.emergency for item in items),
        "items": [item.as_json() for item in items],
    }
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    etag = '"' + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32] + '"'
    return data, etag, items


def mark_sent(items: list[FeedItem], *, now=None) -> int:
    """The board has fetched these: queued → sent (only those still queued)."""
    now = now or timezone.now()
    ids = [item.delivery_id for item in items]
    if not ids:
        return 0
    return Delivery.objects.filter(pk__in=ids, state=Delivery.State.QUEUED).update(
        state=Delivery.State.SENT, sent_at=now, updated_at=now
    )


# ---- heartbeats and display logs ---------------------------------------------------------------


def _when(value, field: str) -> dt.datetime:
    if not isinstance(value, str):
        raise ValidationError({field: _("Give a date and time in ISO 8601, e.g. 2026-12-07T08:30:00+07:00.")})
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({field: _("Give a date and time in ISO 8601, e.g. 2026-12-07T08:30:00+07:00.")})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)  # a board without a zone speaks local time
    return parsed


def record_heartbeat(credential: DeviceCredential, payload, *, now=None) -> dict:
    """Store what the board says about itself and keep the latest on its credential. The board's
    clock is recorded as it is; ``last_seen_at`` is ours. Returns the skew so the board can tell."""
    now = now or timezone.now()
    if not isinstance(payload, dict):
        raise ValidationError(_("Send a JSON object."))
    state = payload.get("state", "online")
    if state not in HEARTBEAT_STATES:
        raise ValidationError(
            {"state": _("State must be one of: %(states)s.") % {"states": ", ".join(HEARTBEAT_STATES)}}
        )
    firmware = normalize_text(str(payload.get("firmware") or "")).strip()[:64]
    reported_at = _when(payload.get("reported_at"), "reported_at") if payload.get("reported_at") else now
    with transaction.atomic():
        Heartbeat.objects.create(credential=credential, state=state, firmware=firmware, reported_at=reported_at)
        DeviceCredential.objects.filter(pk=credential.pk).update(
            last_seen_at=now, last_state=state, firmware=firmware or credential.firmware, offline_alerted_at=None
        )
    return {"received_at": now.isoformat(), "clock_skew_seconds": round((reported_at - now).total_seconds())}


@dataclass
class DisplayResult:
    accepted: int
    duplicates: int
    rejected: list[dict]

    def as_json(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


def record_displays(credential: DeviceCredential, lines, *, now=None) -> DisplayResult:
    """Store the board's display log: ``[{client_id, rendition_id, started_at, seconds}]``. Each
    line is checked on its own; bad lines are returned with their reasons and the good ones kept.
    A line already received (same credential and client_id) changes nothing. The deliveries shown
    become "played"."""
    now = now or timezone.now()
    if not isinstance(lines, list):
        raise ValidationError(_("Send a JSON list of display lines."))
    if len(lines) > MAX_LINES:
        raise ValidationError(
            _("Send at most %(n)d lines at a time; this request has %(m)d.") % {"n": MAX_LINES, "m": len(lines)}
        )
    deliveries = {
        d.rendition_id: d
        for d in Delivery.objects.filter(board_id=credential.board_id, endpoint=Delivery.Endpoint.BOARD).select_related(
            "bulletin"
        )
    }
    rows, rejected, seen = [], [], set()
    for index, line in enumerate(lines):
        errors = []
        client_id = line.get("client_id") if isinstance(line, dict) else None
        if not isinstance(line, dict):
            rejected.append({"line": index, "client_id": None, "errors": [_("A line must be a JSON object.")]})
            continue
        if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > 64:
            errors.append(_("client_id must be a text of 1 to 64 characters."))
        elif client_id in seen:
            errors.append(_("The same client_id appears twice in this request."))
        rendition_id = line.get("rendition_id")
        delivery = deliveries.get(rendition_id) if isinstance(rendition_id, int) else None
        if delivery is None:
            errors.append(_("rendition_id is not a bulletin sent to this board."))
        started_at = None
        try:
            started_at = _when(line.get("started_at"), "started_at")
        except ValidationError as error:
            errors.extend(error.messages)
        if started_at is not None:
            if started_at > now + CLOCK_SKEW:
                errors.append(
                    _("started_at is %(n)d seconds in the future; check the board's clock.")
                    % {"n": int((started_at - now).total_seconds())}
                )
            elif started_at < now - MAX_LOG_AGE:
                errors.append(_("started_at is more than 30 days old."))
            elif delivery is not None and started_at < delivery.created_at - CLOCK_SKEW:
                errors.append(_("started_at is before the bulletin was sent to this board."))
        seconds = line.get("seconds", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= MAX_SECONDS:
            errors.append(_("seconds must be a whole number from 0 to 86400."))
        if errors:
            rejected.append(
                {"line": index, "client_id": client_id if isinstance(client_id, str) else None, "errors": errors}
            )
            continue
        seen.add(client_id)
        rows.append(
            PlayLog(
                credential=credential,
                commune_id=delivery.commune_id,
                bulletin_id=delivery.bulletin_id,
                rendition_id=delivery.rendition_id,
                delivery=delivery,
                client_id=client_id.strip(),
                started_at=started_at,
                seconds=seconds,
            )
        )
    with transaction.atomic():
        ids = [row.client_id for row in rows]
        known = set(
            PlayLog.objects.filter(credential=credential, client_id__in=ids).values_list("client_id", flat=True)
        )
        PlayLog.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        stored = PlayLog.objects.filter(credential=credential, client_id__in=ids).count()
        accepted = stored - len(known)
        played = {row.delivery.pk for row in rows if row.client_id not in known}
        if played:
            Delivery.objects.filter(pk__in=played, state__in=NOT_PLAYED).update(
                state=Delivery.State.PLAYED,
                played_at=now,
                delivered_at=Coalesce("delivered_at", Value(now)),
                sent_at=Coalesce("sent_at", Value(now)),
                updated_at=now,
            )
    return DisplayResult(accepted=accepted, duplicates=len(rows) - accepted, rejected=rejected)


# ---- the staff side -----------------------------------------------------------------------------


@dataclass
class BoardStatus:
    board: BulletinBoard
    credentials: list[DeviceCredential]
    last_seen_at: dt.datetime | None
    last_state: str
    showing: list[FeedItem]

    @property
    def live_credentials(self) -> list[DeviceCredential]:
        return [c for c in self.credentials if c.revoked_at is None]


def board_status(boards) -> list[BoardStatus]:
    """Per board: its credentials, when a live one was last seen and in which state, and what it
    shows now (the commune page)."""
    rows = []
    for board in boards:
        credentials = list(DeviceCredential.objects.filter(board=board).order_by("-created_at"))
        seen = [c for c in credentials if c.revoked_at is None and c.last_seen_at]
        latest = max(seen, key=lambda c: c.last_seen_at) if seen else None
        rows.append(
            BoardStatus(
                board=board,
                credentials=credentials,
                last_seen_at=latest.last_seen_at if latest else None,
                last_state=latest.get_last_state_display() if latest else "",
                showing=current_items(board) if not board.retired_on else [],
            )
        )
    return rows
