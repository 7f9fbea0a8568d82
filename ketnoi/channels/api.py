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
