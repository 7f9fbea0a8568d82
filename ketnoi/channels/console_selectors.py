"""Reads of the operator's console (issue 8.6): a commune's programme and live cluster states, the
play logs, a province's stations and the national reach. Everything goes through the user's scope
(core.scoping.restrict / allows). The console is about the loudspeakers: its play logs are those
of cluster credentials (an e-board's display log is the boards' business)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from ketnoi.core.roles import CHANNELS_MANAGE, CHANNELS_VIEW
from ketnoi.core.scoping import allows, restrict, user_scope
from ketnoi.geo.models import AdminUnit

from .models import Delivery, DeviceCredential, LoudspeakerCluster, PlayLog, RadioStation
from .selectors import station_programme


def offline_after() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.DEVICE_OFFLINE_MINUTES))


def local_today() -> dt.date:
    return timezone.localdate()


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start of ``first``, start of the day after ``last``) in the project's time zone."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


# ---- live cluster states -------------------------------------------------------------------------


@dataclass
class ClusterState:
    """What a cluster last said of itself, through its (latest unrevoked) credential."""

    cluster: LoudspeakerCluster
    credential: DeviceCredential | None
    now: dt.datetime

    @property
    def last_seen_at(self):
        return self.credential.last_seen_at if self.credential else None

    @property
    def never_seen(self) -> bool:
        return self.last_seen_at is None

    @property
    def offline(self) -> bool:
        return self.last_seen_at is not None and self.now - self.last_seen_at > offline_after()

    @property
    def online(self) -> bool:
        return self.last_seen_at is not None and not self.offline

    @property
    def status(self) -> str:
        return "never" if self.never_seen else ("offline" if self.offline else "online")

    @property
    def silent_for(self) -> dt.timedelta | None:
        return None if self.last_seen_at is None else self.now - self.last_seen_at

    @property
    def silent_minutes(self) -> int | None:
        gap = self.silent_for
        return None if gap is None else int(gap.total_seconds() // 60)


def cluster_states(clusters, *, now=None) -> list[ClusterState]:
    """One ClusterState per cluster, in the order given (one query for the credentials)."""
    now = now or timezone.now()
    clusters = list(clusters)
    latest: dict[int, DeviceCredential] = {}
    credentials = DeviceCredential.objects.filter(cluster__in=clusters, revoked_at__isnull=True).order_by("pk")
    for credential in credentials:
        held = latest.get(credential.cluster_id)
        seen, held_seen = credential.last_seen_at, held.last_seen_at if held else None
        if held is None or (seen and (not held_seen or seen > held_seen)):
            latest[credential.cluster_id] = credential
    return [ClusterState(cluster, latest.get(cluster.pk), now) for cluster in clusters]


def offline_alerts(states: list[ClusterState]) -> list[ClusterState]:
    """The offline clusters, the longest silent first."""
    return sorted((s for s in states if s.offline), key=lambda s: s.last_seen_at)


def clusters_for(*, user, commune=None, province=None, station=None) -> QuerySet:
    """The in-service clusters of in-service stations that the user may see, filtered."""
    clusters = restrict(
        LoudspeakerCluster.objects.filter(retired_on__isnull=True, station__retired_on__isnull=True),
        user,
        CHANNELS_VIEW,
    ).select_related("station__commune__province", "village")
    if commune is not None:
        clusters = clusters.filter(station__commune=commune)
    if province is not None:
        clusters = clusters.filter(station__commune__province=province)
    if station is not None:
        clusters = clusters.filter(station=station)
    return clusters.order_by("station__commune__sort_key", "station__name", "name")


# ---- the commune's console -----------------------------------------------------------------------


def manageable_communes(*, user) -> QuerySet[AdminUnit]:
    """The communes with a radio station where the user manages the channels."""
    communes = restrict(AdminUnit.objects.filter(structure="current", level="commune"), user, CHANNELS_MANAGE)
    return (
        communes.filter(radio_stations__isnull=False)
        .distinct()
        .select_related("province")
        .order_by("province__sort_key", "sort_key")
    )


def console_commune(*, user, code: str) -> AdminUnit | None:
    commune = AdminUnit.objects.filter(structure="current", level="commune", code=code).first()
    if commune is None or not allows(user, CHANNELS_MANAGE, commune):
        return None
    return commune


@dataclass
class StationConsole:
    station: RadioStation
    items: list  # selectors.ProgrammeItem, with .slot, .place and .group_size set
    states: list[ClusterState]


def _annotate_places(items) -> None:
    """Each item's slot label and its place among the items of its slot and priority that play
    (what the move buttons need: the first cannot go up, the last cannot go down)."""
    from .console import slot_label

    groups: dict[tuple, list] = {}
    for item in items:
        item.slot = slot_label(item.at)
        item.audio_seconds = sum(r.audio_seconds or 0 for r in item.renditions)
        if item.plays and item.priority != "emergency":
            groups.setdefault((item.at, item.priority), []).append(item)
        else:
            item.place, item.group_size = None, 0
    for members in groups.values():
        for place, item in enumerate(members):
            item.place, item.group_size = place, len(members)


def console_page(*, user, commune, day, now=None) -> dict:
    """The commune's stations in service, each with its programme on ``day`` and its clusters' states;
    the offline alerts; the latest plays."""
    now = now or timezone.now()
    stations = list(
        restrict(RadioStation.objects.filter(commune=commune, retired_on__isnull=True), user, CHANNELS_MANAGE).order_by(
            "name"
        )
    )
    consoles = []
    all_states = []
    for station in stations:
        items = station_programme(station, day)
        _annotate_places(items)
        states = cluster_states(clusters_for(user=user, station=station), now=now)
        all_states.extend(states)
        consoles.append(StationConsole(station, items, states))
    return {
        "commune": commune,
        "stations": consoles,
        "alerts": offline_alerts(all_states),
        "recent_plays": list(play_logs(user=user, commune=commune)[:10]),
        "offline_minutes": int(offline_after().total_seconds() // 60),
    }


# ---- play logs -----------------------------------------------------------------------------------


def play_logs(*, user, commune=None, province=None, station=None, first=None, last=None) -> QuerySet[PlayLog]:
    """The loudspeakers' play logs the user may see, newest first; ``first``/``last`` are local days."""
    logs = restrict(PlayLog.objects.filter(credential__cluster__isnull=False), user, CHANNELS_VIEW)
    if commune is not None:
        logs = logs.filter(commune=commune)
    if province is not None:
        logs = logs.filter(commune__province=province)
    if station is not None:
        logs = logs.filter(credential__cluster__station=station)
    if first is not None:
        logs = logs.filter(started_at__gte=day_bounds(first, first)[0])
    if last is not None:
        logs = logs.filter(started_at__lt=day_bounds(last, last)[1])
    return logs.select_related("bulletin", "rendition__language", "credential__cluster__station", "commune").order_by(
        "-started_at", "-id"
    )


# ---- the provincial view -------------------------------------------------------------------------


def viewable_provinces(*, user) -> QuerySet[AdminUnit]:
    """The provinces over which the user holds channels.view as a whole (not just some communes)."""
    scope = user_scope(user, CHANNELS_VIEW)
    provinces = AdminUnit.objects.filter(structure="current", level="province").order_by("sort_key")
    if scope.everywhere:
        return provinces
    return provinces.filter(pk__in=scope.province_ids)


@dataclass
class StationRow:
    station: RadioStation
    in_service: int
    online: int
    offline: int
    never: int
    items: int
    plays: int
    last_play: dt.datetime | None


def province_stations(*, user, province, day, stations=None, now=None) -> list[StationRow]:
    """Each in-service station of ``province`` (or of ``stations``, a page of them): its clusters in
    service, online, offline and never seen; its items on ``day``; its plays that day; its last play."""
    now = now or timezone.now()
    if stations is None:
        stations = province_station_queryset(user=user, province=province)
    stations = list(stations)
    start, end = day_bounds(day, day)
    states: dict[int, list[ClusterState]] = {}
    for state in cluster_states(
        LoudspeakerCluster.objects.filter(station__in=stations, retired_on__isnull=True), now=now
    ):
        states.setdefault(state.cluster.station_id, []).append(state)
    logs = (
        PlayLog.objects.filter(credential__cluster__station__in=stations)
        .order_by()
        .values("credential__cluster__station")
    )
    plays = dict(
        logs.filter(started_at__gte=start, started_at__lt=end)
        .annotate(n=Count("pk"))
        .values_list("credential__cluster__station", "n")
    )
    last = dict(logs.annotate(at=Max("started_at")).values_list("credential__cluster__station", "at"))
    rows = []
    for station in stations:
        mine = states.get(station.pk, [])
        rows.append(
            StationRow(
                station=station,
                in_service=len(mine),
                online=sum(s.online for s in mine),
                offline=sum(s.offline for s in mine),
                never=sum(s.never_seen for s in mine),
                items=len(station_programme(station, day)),
                plays=plays.get(station.pk, 0),
                last_play=last.get(station.pk),
            )
        )
    return rows


def province_station_queryset(*, user, province) -> QuerySet[RadioStation]:
    return (
        restrict(RadioStation.objects.filter(commune__province=province, retired_on__isnull=True), user, CHANNELS_VIEW)
        .select_related("commune")
        .order_by("commune__sort_key", "name")
    )


# ---- the national view ---------------------------------------------------------------------------


@dataclass
class ProvinceReach:
    province: AdminUnit
    bulletins: int = 0
    plays: int = 0
    seconds: int = 0
    clusters: int = 0
    online: int = 0
    communes: int = 0  # communes with clusters in service
    silent_communes: int = 0  # of those, with no play in the period

    @property
    def minutes(self) -> float:
        return round(self.seconds / 60, 1)

    @property
    def online_share(self) -> float | None:
        return round(100 * self.online / self.clusters, 1) if self.clusters else None


def national_reach(*, first: dt.date, last: dt.date, now=None) -> tuple[list[ProvinceReach], ProvinceReach]:
    """Per current province, for the local days ``first``..``last``: bulletins delivered (distinct
    bulletins with a delivery that reached a device or a person there), loudspeaker plays and the
    minutes they lasted, the share of clusters in service that are online now, and the communes with
    clusters but no play in the period. With the country's total."""
    now = now or timezone.now()
    start, end = day_bounds(first, last)
    provinces = list(AdminUnit.objects.filter(structure="current", level="province").order_by("sort_key"))
    rows = {p.pk: ProvinceReach(p) for p in provinces}

    in_period = Q(delivered_at__gte=start, delivered_at__lt=end) | Q(played_at__gte=start, played_at__lt=end)
    delivered = (
        Delivery.objects.filter(state__in=[Delivery.State.DELIVERED, Delivery.State.PLAYED])
        .filter(in_period)
        .order_by()
        .values("commune__province")
        .annotate(n=Count("bulletin", distinct=True))
    )
    for row in delivered:
        if row["commune__province"] in rows:
            rows[row["commune__province"]].bulletins = row["n"]

    logs = PlayLog.objects.filter(credential__cluster__isnull=False, started_at__gte=start, started_at__lt=end)
    for row in logs.order_by().values("commune__province").annotate(n=Count("pk"), s=Sum("seconds")):
        if row["commune__province"] in rows:
            rows[row["commune__province"]].plays = row["n"]
            rows[row["commune__province"]].seconds = row["s"] or 0
    played_communes = set(logs.order_by().values_list("commune", flat=True).distinct())

    clusters = LoudspeakerCluster.objects.filter(retired_on__isnull=True, station__retired_on__isnull=True)
    for row in clusters.order_by().values("station__commune__province").annotate(n=Count("pk")):
        if row["station__commune__province"] in rows:
            rows[row["station__commune__province"]].clusters = row["n"]
    fresh = DeviceCredential.objects.filter(
        cluster__in=clusters, revoked_at__isnull=True, last_seen_at__gte=now - offline_after()
    )
    for row in fresh.order_by().values("commune__province").annotate(n=Count("cluster", distinct=True)):
        if row["commune__province"] in rows:
            rows[row["commune__province"]].online = row["n"]
    pairs = clusters.order_by().values_list("station__commune", "station__commune__province").distinct()
    for commune_id, province_id in pairs:
        if province_id in rows:
            rows[province_id].communes += 1
            rows[province_id].silent_communes += commune_id not in played_communes

    total = ProvinceReach(AdminUnit(name=""))
    for row in rows.values():
        for name in ("bulletins", "plays", "seconds", "clusters", "online", "communes", "silent_communes"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    total.bulletins = (
        Delivery.objects.filter(state__in=[Delivery.State.DELIVERED, Delivery.State.PLAYED])
        .filter(in_period)
        .order_by()
        .values("bulletin")
        .distinct()
        .count()
    )  # a bulletin delivered in two provinces counts once in the country
    return list(rows.values()), total


def console_links(*, user) -> dict:
    """Which console pages the user may open (for the links on the channel pages)."""
    scope = user_scope(user, CHANNELS_VIEW)
    return {
        "commune": manageable_communes(user=user).exists(),
        "province": scope.everywhere or bool(scope.province_ids),
        "national": scope.everywhere,
    }
