"""JSON API of the channel inventory (issue 8.1): the devices of the user's area, and the import."""

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from ketnoi.core.api import Page
from ketnoi.core.roles import CHANNELS_MANAGE, CHANNELS_VIEW
from ketnoi.core.scoping import require_capability

from . import selectors
from .importers import IMPORTERS

router = Router(tags=["Channels"])


class DeviceKind(StrEnum):
    STATION = "station"
    CLUSTER = "cluster"
    BOARD = "board"


class InventoryKind(StrEnum):
    LOUDSPEAKERS = "loudspeakers"
    BOARDS = "boards"
    PROPAGANDISTS = "propagandists"
    ACCOUNTS = "accounts"
    SMS_RECIPIENTS = "sms_recipients"


class DeviceOut(Schema):
    kind: DeviceKind
    id: int
    commune: str
    name: str
    station: str | None
    village: str | None
    device_id: str | None
    speakers: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    installed_on: dt.date | None
    retired_on: dt.date | None


class ImportOut(Schema):
    filename: str
    rows: int
    created: int
    updated: int


@router.get("/channels/devices", response=list[DeviceOut])
@paginate(Page)
def list_devices(
    request,
    commune: str | None = Query(None, max_length=5, pattern=r"^\d{1,5}$"),
    kind: DeviceKind | None = None,
    in_service: bool | None = None,
):
    """Stations, loudspeaker clusters and electronic boards of the user's area (what delivery addresses)."""
    require_capability(request.user, CHANNELS_VIEW)
    return selectors.devices_for_user(
        user=request.user,
        commune_code=commune.zfill(5) if commune else None,
        kind=kind.value if kind else None,
        in_service=in_service,
    )


@router.post("/channels/import", response=ImportOut)
def import_inventory(request, kind: Form[InventoryKind], file: UploadedFile = File(...)):
    """Upload a CSV (UTF-8) or XLSX inventory; all rows are written, or none (problem details name them)."""
    require_capability(request.user, CHANNELS_MANAGE)
    return IMPORTERS[kind.value](file, user=request.user, filename=file.name)


# ---- bulletins (issue 8.2, 8.4) -----------------------------------------------------------------


class RenditionOut(Schema):
    id: int
    channel: str
    language: str
    text: str
    stale: bool
    reading_seconds: int
    sms_encoding: str
    sms_segments: int
    audio_status: str
    audio_origin: str
    audio_seconds: float | None
    audio_sha256: str


class BulletinOut(Schema):
    id: int
    title: str
    priority: str
    state: str
    owner: str | None
    content_id: int | None
    valid_until: dt.date | None
    approved_at: dt.datetime | None
    updated_at: dt.datetime


class BulletinDetailOut(BulletinOut):
    body: str
    targets: list[str]
    villages: list[str]
    renditions: list[RenditionOut]
    schedules: list[dict]
    deliveries: dict[str, int]


class TransitionIn(Schema):
    action: str
    comment: str = ""


def _bulletin_row(bulletin) -> dict:
    return {
        "id": bulletin.pk,
        "title": bulletin.title,
        "priority": bulletin.priority,
        "state": bulletin.state,
        "owner": bulletin.owner_unit.code if bulletin.owner_unit_id else None,
        "content_id": bulletin.content_id,
        "valid_until": bulletin.valid_until,
        "approved_at": bulletin.approved_at,
        "updated_at": bulletin.updated_at,
    }


def _bulletin_detail(bulletin) -> dict:
    from django.db.models import Count

    deliveries = bulletin.deliveries.values("state").annotate(n=Count("id"))
    return _bulletin_row(bulletin) | {
        "body": bulletin.body,
        "targets": [u.code for u in bulletin.target_units.all()],
        "villages": [v.name for v in bulletin.target_villages.all()],
        "renditions": [
            {
                "id": r.pk,
                "channel": r.channel,
                "language": r.language.bcp47,
                "text": r.text,
                "stale": r.stale,
                "reading_seconds": r.reading_seconds,
                "sms_encoding": r.sms_encoding,
                "sms_segments": r.sms_segments,
                "audio_status": r.audio_status,
                "audio_origin": r.audio_origin,
                "audio_seconds": r.audio_seconds,
                "audio_sha256": r.audio_sha256,
            }
            for r in bulletin.renditions.select_related("language")
        ],
        "schedules": [
            {"starts_on": s.starts_on, "ends_on": s.ends_on, "weekdays": s.weekdays, "times": s.times}
            for s in bulletin.schedules.all()
        ],
        "deliveries": {row["state"]: row["n"] for row in deliveries},
    }


def _bulletin_or_404(request, bulletin_id: int):
    from django.http import Http404

    bulletin = selectors.bulletin_for(user=request.user, pk=bulletin_id)
    if bulletin is None:
        raise Http404
    return bulletin


@router.get("/channels/bulletins", response=list[BulletinOut])
@paginate(Page)
def list_bulletins(
    request, state: str | None = Query(None, max_length=10), q: str | None = Query(None, max_length=200)
):
    """Bulletins of the user's area, newest change first."""
    return [_bulletin_row(b) for b in selectors.bulletins_for(user=request.user, state=state or None, q=q or None)]


@router.get("/channels/bulletins/{bulletin_id}", response=BulletinDetailOut)
def get_bulletin(request, bulletin_id: int):
    """One bulletin with its renditions, schedules and deliveries counted by state."""
    return _bulletin_detail(_bulletin_or_404(request, bulletin_id))


@router.post("/channels/bulletins/{bulletin_id}/transition", response=BulletinDetailOut)
def transition_bulletin(request, bulletin_id: int, payload: TransitionIn):
    """submit, appraise, return, approve, withdraw or reopen; 422 lists what is missing."""
    from . import services

    bulletin = services.bulletin_transition(
        user=request.user,
        bulletin=_bulletin_or_404(request, bulletin_id),
        action=payload.action,
        comment=payload.comment,
    )
    return _bulletin_detail(bulletin)
