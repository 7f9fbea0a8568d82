"""The device interface (issue 8.5), under /api/v1/devices/: what a loudspeaker cluster or an
electronic board calls with its own token (``Authorization: Bearer kd_…``), never a person's.
Rules live in channels.devices and channels.device_push; this module is HTTP only (ETag and 304,
byte ranges, server-sent events). docs/channels.md, "Device interface"."""

import datetime as dt
import re

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import AwareDatetime

from ketnoi.core.api import problem
from ketnoi.core.audit import Actor, _current_actor

from . import device_push, devices


class DeviceAuth(HttpBearer):
    """A device's token (``kd_…``, issued on the commune's devices page). Unknown and revoked tokens
    are refused (401) and audited; a body over DEVICE_MAX_BODY_BYTES is refused (413) before it is read."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        ip = request.META.get("REMOTE_ADDR")
        credential = devices.authenticate(token, ip=ip)
        if credential is None:
            return None
        _current_actor.set(Actor(name=f"device:{credential.prefix}", ip_address=ip, source="api"))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DEVICE_MAX_BODY_BYTES:
            devices.refuse(credential, "body too large", ip=ip, what=f"{length} bytes")
            raise HttpError(
                413, _("The body is too large: at most %(n)s bytes.") % {"n": settings.DEVICE_MAX_BODY_BYTES}
            )
        request.device = credential
        return credential


router = Router(tags=["Devices"], auth=DeviceAuth())


class RenditionOut(Schema):
    id: int
    language: str = Field(description="BCP 47 tag")
    audio_url: str | None = Field(None, description="loudspeakers: GET it with the device's token (Range works)")
    sha256: str | None = Field(None, description="loudspeakers: the audio's SHA-256, to check and to acknowledge")
    bytes: int | None = None
    seconds: float | None = None
    text: str | None = Field(None, description="boards: the text shown")


class ItemOut(Schema):
    bulletin: int
    title: str
    priority: str = Field(description="normal | priority | emergency (Circular 39/2020)")
    at: dt.datetime | None = Field(description="when it plays; null: an emergency, at once")
    valid_until: dt.date | None
    renditions: list[RenditionOut]


class DeviceOut(Schema):
    kind: str
    id: int
    device_id: str | None
    name: str
    commune: str
    credential: str


class ScheduleOut(Schema):
    day: dt.date
    device: DeviceOut
    items: list[ItemOut]


class AckIn(Schema):
    rendition_id: int = Field(ge=1, le=2**62)
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$")


class AckOut(Schema):
    rendition_id: int
    delivered: bool
    changed: bool


class LogLineIn(Schema):
    client_id: str = Field(min_length=1, max_length=64, description="the device's own id of the line")
    rendition_id: int = Field(ge=1, le=2**62)
    started_at: AwareDatetime = Field(description="the device's clock, with its offset")
    seconds: int = Field(0, ge=0, le=86400)
    completed: bool = True


class LogBatchIn(Schema):
    lines: list[LogLineIn] = Field(max_length=500)


class LogLineOut(Schema):
    client_id: str
    status: str = Field(description="accepted | duplicate | rejected")
    reason: str | None = None


class LogBatchOut(Schema):
    accepted: int
    duplicates: int
    rejected: int
    lines: list[LogLineOut]


class HeartbeatIn(Schema):
    state: str = Field(pattern=r"^(online|playing|offline)$")
    volume: int | None = Field(None, ge=0, le=100)
    signal: int | None = Field(None, ge=-200, le=100, description="dBm, or 0–100 as the device reports it")
    firmware: str = Field("", max_length=64)
    reported_at: AwareDatetime


class HeartbeatOut(Schema):
    server_time: dt.datetime
    skew_seconds: float = Field(description="the device's clock minus ours")
    clock_ok: bool
    state: str


def _base(request) -> str:
    return settings.KETNOI_SITE_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/")


def _tags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


@router.get(
    "/devices/schedule",
    response={200: ScheduleOut, 304: None},
    summary="The device's schedule for a day (ETag; If-None-Match answers 304)",
)
def schedule(request, day: dt.date | None = Query(None, description="YYYY-MM-DD; default today (Asia/Ho_Chi_Minh)")):
    """What the cluster plays (or the board shows) on ``day``, in Circular 39's order. Only what
    plays: emergencies and priority bulletins, and normal ones the commune accepted. Fetching it
    moves the deliveries it holds from queued to sent."""
    credential = request.device
    day = day or timezone.localdate()
    base = _base(request)
    result = devices.schedule_for(credential, day, url_for=lambda pk: device_push.audio_url(pk, base))
    devices.mark_fetched(credential, result.delivery_ids)
    if result.etag in _tags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(result.body, content_type="application/json; charset=utf-8")
    response["ETag"] = result.etag
    response["Cache-Control"] = "private, no-cache"
    return response


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _range(header: str, size: int):
    """(start, end) of a single byte range; None to send the whole file (no or unusable header);
    "unsatisfiable" for a range outside the file."""
    header = (header or "").strip()
    if not header:
        return None
    match = RANGE.match(header.replace(" ", ""))
    if not match or (not match.group(1) and not match.group(2)):
        return None if "," in header or not header.startswith("bytes=") else "unsatisfiable"
    first, last = match.group(1), match.group(2)
    if not first:  # the last N bytes
        count = int(last)
        if count == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - count), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return "unsatisfiable"
    return start, end


def _chunks(handle, start: int, length: int, size: int = 1 << 16):
    try:
        handle.seek(start)
        left = length
        while left > 0:
            chunk = handle.read(min(size, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


@router.api_operation(
    ["GET", "HEAD"],
    "/devices/audio/{rendition_id}",
    response={200: None, 206: None, 404: None, 416: None},
    summary="Download a rendition's audio (byte ranges; ETag is its SHA-256)",
)
def audio(request, rendition_id: int = Path(..., ge=1, le=2**62)):
    """Only a rendition the device has a live delivery of (else 404). ``Range: bytes=a-b`` answers
    206 with Content-Range; a range outside the file 416. Confirm with POST /devices/ack."""
    credential = request.device
    rendition = devices.rendition_for_device(credential, rendition_id)
    if rendition is None:
        return problem(request, 404, _("Not found"), _("This device has no live delivery of this rendition."))
    try:
        size = rendition.audio.size
        handle = rendition.audio.open("rb")
    except (FileNotFoundError, OSError):
        return problem(request, 404, _("Not found"), _("The audio file is missing; it must be made again."))
    extension = rendition.audio.name.rsplit(".", 1)[-1].lower()
    content_type = {"mp3": "audio/mpeg", "ogg": "audio/ogg", "opus": "audio/ogg", "wav": "audio/wav"}.get(
        extension, "audio/mp4" if extension == "m4a" else "application/octet-stream"
    )
    etag = f'"{rendition.audio_sha256}"' if rendition.audio_sha256 else None
    wanted = _range(request.headers.get("Range", ""), size)
    if wanted is not None and request.headers.get("If-Range") and request.headers.get("If-Range") != etag:
        wanted = None  # the device has a piece of another version: send the whole file
    if wanted == "unsatisfiable":
        handle.close()
        response = problem(request, 416, _("Range not satisfiable"), _("The file has %(n)s bytes.") % {"n": size})
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    start, end = wanted if wanted else (0, size - 1)
    length = max(0, end - start + 1)
    if request.method == "HEAD":
        handle.close()
        response = HttpResponse(status=206 if wanted else 200, content_type=content_type)
    else:
        response = StreamingHttpResponse(
            _chunks(handle, start, length), status=206 if wanted else 200, content_type=content_type
        )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    if etag:
        response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=86400, immutable"
    devices.mark_fetched(credential, [])
    return response


@router.post("/devices/ack", response=AckOut, summary="Confirm that the audio arrived whole (its SHA-256)")
def ack(request, payload: AckIn):
    """The checksum matches: the delivery is delivered. It does not: 422, audited, download again."""
    return devices.acknowledge(
        request.device, rendition_id=payload.rendition_id, sha256=payload.sha256, ip=request.META.get("REMOTE_ADDR")
    )


@router.post("/devices/logs", response=LogBatchOut, summary="Upload play logs in a batch (idempotent)")
def logs(request, payload: LogBatchIn):
    """Up to 500 lines; each is accepted, a duplicate (sent before: nothing changes) or rejected
    with its reason (a rendition never sent to this device, a start in the future beyond the
    clock-skew tolerance or older than the limit). A rejected line costs the batch nothing else."""
    lines = [line.dict() for line in payload.lines]
    return devices.ingest_logs(request.device, lines, ip=request.META.get("REMOTE_ADDR"))


@router.post("/devices/heartbeat", response=HeartbeatOut, summary="Report state, volume, signal and firmware")
def heartbeat(request, payload: HeartbeatIn):
    """The answer carries the server's time and the device's clock skew."""
    return devices.record_heartbeat(
        request.device,
        state=payload.state,
        reported_at=payload.reported_at,
        volume=payload.volume,
        signal=payload.signal,
        firmware=payload.firmware,
    )


@router.get(
    "/devices/events",
    response={200: None},
    summary="Emergencies as server-sent events (the fallback when no MQTT broker is configured)",
    openapi_extra={"responses": {200: {"description": "text/event-stream", "content": {"text/event-stream": {}}}}},
)
def events(request, last_event_id: int | None = Query(None, ge=0, le=2**62)):
    """A stream of ``emergency`` and ``emergency_withdrawn`` events for this device, each with an
    ``id``; reconnect with the ``Last-Event-ID`` header (or ?last_event_id=) to get what came since.
    The stream ends after DEVICE_SSE_SECONDS with a ``bye`` event."""
    header = request.headers.get("Last-Event-ID", "").strip()
    if header.isdigit() and len(header) < 19:
        last_event_id = int(header)
    response = StreamingHttpResponse(
        device_push.event_stream(request.device, last_event_id=last_event_id, base=_base(request)),
        content_type="text/event-stream; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx passes each event on at once
    return response
