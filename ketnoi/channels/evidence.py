"""Evidence becomes indicators (issue 8.10): what the devices, the operators and the citizens left in
the logs — play logs, heartbeats, SMS receipts, feedback — counted per commune and period into the
values of data elements marked "computed from the logs" (indicators/data/data_elements.csv,
source=logs), each with the rows it counts (indicators.ValueProvenance), so a report's "minutes
broadcast" opens the list of play logs behind it.

One function per element computes its values for a period; ``compute_period`` writes them all in one
transaction through ``indicators.services.computed_values_save``, which rewrites a value only when its
number or its rows changed: running it twice writes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from ketnoi.geo.models import AdminUnit
from ketnoi.indicators.models import DataElement
from ketnoi.indicators.periods import MONTHLY, QUARTERLY, YEARLY, PeriodSpec, parse_period, period_for, periods_between
from ketnoi.indicators.services import ComputedValue, computed_values_save, row_summary
from ketnoi.people.models import Language

from .models import BulletinBoard, Delivery, DeviceCredential, Heartbeat, PlayLog, SmsRecipient

MINUTES = "phut_phat_loa_xa"
BULLETINS_PLAYED = "ban_tin_loa_xa_da_phat"
BOARDS_IN_SERVICE = "bang_tin_dien_tu_dang_dung"
BOARDS_ONLINE = "bang_tin_dien_tu_co_tin_hieu"
SMS_DELIVERED = "tin_nhan_sms_da_nhan"
FEEDBACK_RECEIVED = "phan_anh_tiep_nhan_he_thong"
FEEDBACK_ON_TIME = "phan_anh_tra_loi_dung_han"

# The sources of the rows, as registered with indicators.provenance (apps.ready).
PLAYLOG, HEARTBEAT, BOARD, DELIVERY, FEEDBACK = (
    "channels.playlog",
    "channels.heartbeat",
    "channels.board",
    "channels.delivery",
    "channels.feedback",
)


def bounds(spec: PeriodSpec) -> tuple[dt.datetime, dt.datetime]:
    """The period as instants: from its first day's midnight to the midnight after its last day, local time."""
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(spec.start, dt.time()), zone)
    end = timezone.make_aware(dt.datetime.combine(spec.end + dt.timedelta(days=1), dt.time()), zone)
    return start, end


def _window(spec: PeriodSpec) -> dict:
    start, end = bounds(spec)
    return {"from": start.isoformat(), "to": end.isoformat()}


def _days(spec: PeriodSpec) -> dict:
    return {"from_day": spec.start.isoformat(), "to_day": spec.end.isoformat()}


def _value(unit, value, source, ids: Iterable[int], query, *, language=None, priority="") -> ComputedValue:
    return ComputedValue(
        unit=unit,
        value=Decimal(value),
        source=source,
        query=query,
        language=language,
        priority=priority,
        **row_summary(ids),
    )


def _units(ids) -> dict[int, AdminUnit]:
    return AdminUnit.objects.in_bulk(set(ids))


def _languages(ids) -> dict[int, Language]:
    return Language.objects.in_bulk({i for i in ids if i is not None})


# ---- the rows: one function per source, each easy to repoint ------------------------------------


def play_logs(spec: PeriodSpec):
    """Play logs of loudspeaker clusters that started within the period (the device's clock, checked
    on arrival); a board's display log is not a broadcast."""
    start, end = bounds(spec)
    return PlayLog.objects.filter(started_at__gte=start, started_at__lt=end, credential__cluster__isnull=False)


def feedback_rows(start: dt.datetime, end: dt.datetime):
    """The feedback the indicators count: received in the period, over any channel (the inbox of
    issue 8.9 keeps every channel's feedback in portal.Feedback), about a current commune, except
    what was rejected (spam, abuse, not a matter for the administration). The one place feedback is
    read; rows give ``id``, ``unit_id``, ``language_id``, ``received_at``, ``answered_at``,
    ``due_on`` and ``state``."""
    from ketnoi.portal.models import Feedback

    return Feedback.objects.filter(
        received_at__gte=start, received_at__lt=end, unit__structure="current", unit__level="commune"
    ).exclude(state=Feedback.State.REJECTED)


def feedback_answered(row) -> bool:
    return row["state"] in ("published", "closed") and row["answered_at"] is not None


def answered_on_time(row, deadline: dt.timedelta) -> bool:
    """Answered by the due date the inbox set when it routed the feedback; without one, within the
    default period after it was received."""
    if not feedback_answered(row):
        return False
    if row.get("due_on"):
        return timezone.localdate(row["answered_at"]) <= row["due_on"]
    return row["answered_at"] - row["received_at"] <= deadline


def answer_deadline() -> dt.timedelta:
    """How long an answer may take to be on time: settings.FEEDBACK_ANSWER_DAYS ([M], to verify)."""
    return dt.timedelta(days=int(getattr(settings, "FEEDBACK_ANSWER_DAYS", 15)))


def in_service_boards(spec: PeriodSpec):
    """Boards installed before the period ended and not retired before it began."""
    return BulletinBoard.objects.filter(
        Q(installed_on__isnull=True) | Q(installed_on__lte=spec.end),
        Q(retired_on__isnull=True) | Q(retired_on__gte=spec.start),
    )


def sms_delivered(spec: PeriodSpec):
    """SMS deliveries that reached the recipient in the period (the operator's receipt)."""
    start, end = bounds(spec)
    return Delivery.objects.filter(
        Q(delivered_at__gte=start, delivered_at__lt=end)
        | Q(delivered_at__isnull=True, played_at__gte=start, played_at__lt=end),
        endpoint=Delivery.Endpoint.SMS,
        state__in=[Delivery.State.DELIVERED, Delivery.State.PLAYED],
    )


# ---- the elements -------------------------------------------------------------------------------


def _with_clusters(spec: PeriodSpec) -> set[int]:
    """Communes with a loudspeaker cluster that could log: a credential issued before the period
    ended and not revoked before it began (their zero is a measured zero)."""
    start, end = bounds(spec)
    return set(
        DeviceCredential.objects.filter(cluster__isnull=False, created_at__lt=end)
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gte=start))
        .values_list("commune_id", flat=True)
    )


def _groups(rows, field: str, **aggregates) -> dict[tuple, dict]:
    """Rows counted in the database per commune (key (commune, None)) and per commune and ``field``
    (key (commune, value)): how many, first and last id, and ``aggregates``. Logs are many (a
    cluster plays all day, an SMS goes to thousands): they are never loaded one by one."""
    summary = {"n": Count("id"), "first": Min("id"), "last": Max("id"), **aggregates}
    groups = {}
    for row in rows.values("commune_id").annotate(**summary):
        groups[(row["commune_id"], None)] = row
    for row in rows.values("commune_id", field).annotate(**summary):
        groups[(row["commune_id"], row[field])] = row
    return groups


def _aggregated(unit, value, source, row, query, *, language=None, priority="", extra=()) -> ComputedValue:
    """A value whose rows are summed up in the database: their count, first and last ids and the
    aggregates stand for them in the digest (logs are only ever added, so a new row changes them)."""
    row = row or {"n": 0, "first": None, "last": None}
    signature = ":".join(str(part) for part in (row["n"], row["first"], row["last"], *extra))
    return ComputedValue(
        unit=unit,
        value=Decimal(value),
        source=source,
        query=query,
        language=language,
        priority=priority,
        rows=row["n"],
        first_id=row["first"],
        last_id=row["last"],
        digest=hashlib.sha256(signature.encode()).hexdigest(),
    )


def minutes_broadcast(spec: PeriodSpec) -> list[ComputedValue]:
    """Σ seconds of the clusters' play logs ÷ 60, per commune and per language of the rendition."""
    groups = _groups(play_logs(spec), "rendition__language_id", seconds=Sum("seconds"))
    communes = _with_clusters(spec) | {commune for commune, _language in groups}
    units, languages = _units(communes), _languages(language for _commune, language in groups)
    for commune in communes:
        groups.setdefault((commune, None), None)
    result = []
    for (commune, language), row in groups.items():
        query = {"commune": commune, **_window(spec), "device": "cluster"}
        if language is not None:
            query["language"] = language
        seconds = row["seconds"] if row else 0
        minutes = (Decimal(seconds) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        value = _aggregated(
            units[commune], minutes, PLAYLOG, row, query, language=languages.get(language), extra=(seconds,)
        )
        result.append(value)
    return result


def bulletins_played(spec: PeriodSpec) -> list[ComputedValue]:
    """Distinct bulletins with a cluster's play log in the period, per commune and per priority."""
    groups = _groups(play_logs(spec), "bulletin__priority", bulletins=Count("bulletin_id", distinct=True))
    communes = _with_clusters(spec) | {commune for commune, _priority in groups}
    units = _units(communes)
    for commune in communes:
        groups.setdefault((commune, None), None)
    result = []
    for (commune, priority), row in groups.items():
        query = {"commune": commune, **_window(spec), "device": "cluster"}
        if priority:
            query["priority"] = priority
        played = row["bulletins"] if row else 0
        result.append(
            _aggregated(units[commune], played, PLAYLOG, row, query, priority=priority or "", extra=(played,))
        )
    return result


def boards_in_service(spec: PeriodSpec) -> list[ComputedValue]:
    boards = defaultdict(list)
    for pk, commune in in_service_boards(spec).values_list("id", "commune_id"):
        boards[commune].append(pk)
    units = _units(boards)
    query = _days(spec)
    return [_value(units[c], len(ids), BOARD, ids, {"commune": c, **query}) for c, ids in boards.items()]


def boards_online(spec: PeriodSpec) -> list[ComputedValue]:
    """In-service boards with at least one heartbeat received (our clock) in the period. The
    provenance is the heartbeats; a board sends many, so they are summed up in the database."""
    start, end = bounds(spec)
    boards = in_service_boards(spec)
    communes = set(boards.values_list("commune_id", flat=True))
    per_board = (
        Heartbeat.objects.filter(received_at__gte=start, received_at__lt=end, credential__board__in=boards)
        .values("credential__commune_id", "credential__board_id")
        .annotate(n=Count("id"), first=Min("id"), last=Max("id"))
    )
    online: dict[int, list] = {c: [] for c in communes}
    for row in per_board:
        online.setdefault(row["credential__commune_id"], []).append(row)
    units = _units(online)
    result = []
    for commune, rows in online.items():
        # The heartbeats are not listed one by one: per board their count and first and last ids
        # stand for them (heartbeats are only ever added, so a new one changes the last id).
        rows.sort(key=lambda r: r["credential__board_id"])
        signature = ";".join(f"{r['credential__board_id']}:{r['n']}:{r['first']}:{r['last']}" for r in rows)
        value = ComputedValue(
            unit=units[commune],
            value=Decimal(len({r["credential__board_id"] for r in rows})),
            source=HEARTBEAT,
            query={"commune": commune, **_window(spec), **_days(spec)},
            rows=sum(r["n"] for r in rows),
            first_id=min((r["first"] for r in rows), default=None),
            last_id=max((r["last"] for r in rows), default=None),
            digest=hashlib.sha256(signature.encode()).hexdigest(),
        )
        result.append(value)
    return result


def sms_delivered_values(spec: PeriodSpec) -> list[ComputedValue]:
    """SMS delivered in the period, per commune and per language of the rendition; a commune with
    recipients has a value (a measured zero) even when nothing reached them."""
    groups = _groups(sms_delivered(spec), "rendition__language_id")
    recipients = SmsRecipient.objects.filter(opted_out_at__isnull=True).values_list("commune_id", flat=True)
    communes = {commune for commune, _language in groups} | set(recipients.distinct())
    units, languages = _units(communes), _languages(language for _commune, language in groups)
    for commune in communes:
        groups.setdefault((commune, None), None)
    result = []
    for (commune, language), row in groups.items():
        query = {"commune": commune, **_window(spec)}
        if language is not None:
            query["language"] = language
        delivered = row["n"] if row else 0
        result.append(_aggregated(units[commune], delivered, DELIVERY, row, query, language=languages.get(language)))
    return result


def _feedback(spec: PeriodSpec, *, on_time: bool) -> list[ComputedValue]:
    fields = ("id", "unit_id", "language_id", "received_at", "answered_at", "due_on", "state")
    rows = list(feedback_rows(*bounds(spec)).values(*fields))
    deadline = answer_deadline()
    units, languages = _units(r["unit_id"] for r in rows), _languages(r["language_id"] for r in rows)
    ids: dict[tuple, list[int]] = {(r["unit_id"], None): [] for r in rows}
    for row in rows:
        counted = not on_time or answered_on_time(row, deadline)
        keys = ((row["unit_id"], None), (row["unit_id"], row["language_id"]))
        for key in keys:
            ids.setdefault(key, [])
            if counted:
                ids[key].append(row["id"])
    result = []
    for (commune, language), counted in ids.items():
        if language is not None and not counted:
            continue  # a language breakdown only where there is something to break down
        query = {"commune": commune, **_window(spec)}
        if on_time:
            query["answered_within_days"] = deadline.days
        if language is not None:
            query["language"] = language
        result.append(_value(units[commune], len(counted), FEEDBACK, counted, query, language=languages.get(language)))
    return result


def feedback_received(spec: PeriodSpec) -> list[ComputedValue]:
    return _feedback(spec, on_time=False)


def feedback_on_time(spec: PeriodSpec) -> list[ComputedValue]:
    return _feedback(spec, on_time=True)


COMPUTATIONS = {
    MINUTES: minutes_broadcast,
    BULLETINS_PLAYED: bulletins_played,
    BOARDS_IN_SERVICE: boards_in_service,
    BOARDS_ONLINE: boards_online,
    SMS_DELIVERED: sms_delivered_values,
    FEEDBACK_RECEIVED: feedback_received,
    FEEDBACK_ON_TIME: feedback_on_time,
}

# The periods values are computed for (as the programmes report: monthly, quarterly, yearly).
KINDS = (MONTHLY, QUARTERLY, YEARLY)


@transaction.atomic
def compute_period(period: str) -> dict[str, dict[str, int]]:
    """Compute every element computed from the logs for one period, in one transaction."""
    spec = parse_period(period)
    elements = {e.code: e for e in DataElement.objects.filter(code__in=COMPUTATIONS, source="logs")}
    result = {}
    for code, computation in COMPUTATIONS.items():
        if code in elements:  # the catalogue not loaded yet: nothing to write to
            result[code] = computed_values_save(element=elements[code], period=spec.code, values=computation(spec))
    return result


def periods_within(period: str) -> list[str]:
    """The period and the months, quarters and year inside it that values are computed for."""
    spec = parse_period(period)
    codes = [spec.code]
    for kind in KINDS:
        for inner in periods_between(spec.start, spec.end, kind):
            if inner.start >= spec.start and inner.end <= spec.end and inner.code not in codes:
                codes.append(inner.code)
    return codes


def current_periods(today: dt.date | None = None) -> list[str]:
    """What the periodic job refreshes: this month, quarter and year, and last month's (late logs
    and receipts still arrive for it in the first days)."""
    today = today or timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    codes = []
    for day in (today, last_month):
        for kind in KINDS:
            code = period_for(day, kind).code
            if code not in codes:
                codes.append(code)
    return codes


# ---- provenance: the rows behind a value, from the filter stored with it -------------------------


def provenance_rows(provenance):
    """The rows a computed value counts, selected again from the filter stored with it (a different
    count than the provenance's says the logs changed since the value was computed)."""
    query = provenance.query
    commune = query.get("commune")
    if provenance.source == BOARD or provenance.source == HEARTBEAT:
        spec = PeriodSpec(dt.date.fromisoformat(query["from_day"]), dt.date.fromisoformat(query["to_day"]), "", "")
        boards = in_service_boards(spec).filter(commune_id=commune)
        if provenance.source == BOARD:
            return boards.order_by("name")
        return (
            Heartbeat.objects.filter(
                received_at__gte=query["from"], received_at__lt=query["to"], credential__board__in=boards
            )
            .select_related("credential__board")
            .order_by("-received_at", "-id")
        )
    if provenance.source == PLAYLOG:
        rows = PlayLog.objects.filter(
            commune_id=commune,
            started_at__gte=query["from"],
            started_at__lt=query["to"],
            credential__cluster__isnull=False,
        )
        if "language" in query:
            rows = rows.filter(rendition__language_id=query["language"])
        if "priority" in query:
            rows = rows.filter(bulletin__priority=query["priority"])
        rows = rows.select_related("bulletin", "rendition__language", "credential__cluster")
        return rows.order_by("started_at", "id")
    if provenance.source == DELIVERY:
        start, end = query["from"], query["to"]
        rows = Delivery.objects.filter(
            Q(delivered_at__gte=start, delivered_at__lt=end)
            | Q(delivered_at__isnull=True, played_at__gte=start, played_at__lt=end),
            commune_id=commune,
            endpoint=Delivery.Endpoint.SMS,
            state__in=[Delivery.State.DELIVERED, Delivery.State.PLAYED],
        )
        if "language" in query:
            rows = rows.filter(rendition__language_id=query["language"])
        return rows.select_related("bulletin", "rendition__language").order_by("delivered_at", "id")
    if provenance.source == FEEDBACK:
        start, end = (dt.datetime.fromisoformat(query[k]) for k in ("from", "to"))
        rows = feedback_rows(start, end).filter(unit_id=commune)
        if "language" in query:
            rows = rows.filter(language_id=query["language"])
        rows = rows.select_related("language").order_by("received_at", "id")
        if "answered_within_days" in query:
            limit = dt.timedelta(days=query["answered_within_days"])
            ids = [
                r["id"]
                for r in rows.values("id", "received_at", "answered_at", "due_on", "state")
                if answered_on_time(r, limit)
            ]
            rows = rows.filter(id__in=ids)
        return rows
    return PlayLog.objects.none()
