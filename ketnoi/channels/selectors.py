"""Reads of the channel inventory, always through the user's scope (core.scoping.restrict)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from ketnoi.core.roles import CHANNELS_VIEW
from ketnoi.core.scoping import restrict
from ketnoi.geo.models import AdminUnit

from .models import BulletinBoard, LoudspeakerCluster, MessagingAccount, Propagandist, RadioStation


def communes_with_channels(*, user) -> QuerySet[AdminUnit]:
    """The communes of the user's area that have any channel, with counts of what is in service."""
    in_service = Q(radio_stations__clusters__retired_on__isnull=True)
    communes = restrict(AdminUnit.objects.filter(structure="current", level="commune"), user, CHANNELS_VIEW)
    return (
        communes.annotate(
            n_stations=Count("radio_stations", filter=Q(radio_stations__retired_on__isnull=True), distinct=True),
            n_clusters=Count("radio_stations__clusters", filter=in_service, distinct=True),
            n_boards=Count("bulletin_boards", filter=Q(bulletin_boards__retired_on__isnull=True), distinct=True),
            n_accounts=Count("messaging_accounts", filter=Q(messaging_accounts__active=True), distinct=True),
        )
        .filter(Q(n_stations__gt=0) | Q(n_boards__gt=0) | Q(n_accounts__gt=0))
        .select_related("province")
        .order_by("province__sort_key", "sort_key")
    )


def speakers_in_service(*, commune) -> int:
    return (
        LoudspeakerCluster.objects.filter(station__commune=commune, retired_on__isnull=True).aggregate(
            n=Sum("speakers")
        )["n"]
        or 0
    )


def commune_inventory(*, user, commune) -> dict:
    """Everything a commune has, for its page; empty lists outside the user's area. Propagandists'
    phone numbers are for those who manage the commune's channels (``show_phones``); the page that
    shows them logs it (services.record_phone_views)."""
    from ketnoi.core.roles import CHANNELS_MANAGE
    from ketnoi.core.scoping import allows

    clusters = LoudspeakerCluster.objects.select_related("village").order_by("name")
    stations = restrict(RadioStation.objects.filter(commune=commune), user, CHANNELS_VIEW).prefetch_related(
        Prefetch("clusters", queryset=clusters)
    )
    boards = restrict(BulletinBoard.objects.filter(commune=commune), user, CHANNELS_VIEW).select_related("village")
    accounts = restrict(MessagingAccount.objects.filter(commune=commune), user, CHANNELS_VIEW)
    people = list(
        restrict(Propagandist.objects.filter(commune=commune), user, CHANNELS_VIEW).select_related(
            "village", "ethnic_group"
        )
    )
    show_phones = allows(user, CHANNELS_MANAGE, commune)
    return {
        "propagandists": people,
        "can_manage": show_phones,
        "show_phones": show_phones,
        "stations": list(stations),
        "boards": list(boards),
        "accounts": list(accounts),
        "speakers": speakers_in_service(commune=commune) if stations else 0,
    }


def devices_for_user(*, user, commune_code=None, kind=None, in_service=None) -> list[dict]:
    """Stations, clusters and boards of the user's area as plain rows (the API's device list)."""
    sources = {
        "station": restrict(RadioStation.objects.select_related("commune"), user, CHANNELS_VIEW),
        "cluster": restrict(
            LoudspeakerCluster.objects.select_related("station__commune", "village"), user, CHANNELS_VIEW
        ),
        "board": restrict(BulletinBoard.objects.select_related("commune", "village"), user, CHANNELS_VIEW),
    }
    rows = []
    for name, queryset in sources.items():
        if kind and kind != name:
            continue
        commune_path = "station__commune" if name == "cluster" else "commune"
        if commune_code:
            queryset = queryset.filter(**{f"{commune_path}__code": commune_code})
        if in_service is not None:
            queryset = queryset.filter(retired_on__isnull=in_service)
        for device in queryset.order_by("pk"):
            commune = device.station.commune if name == "cluster" else device.commune
            rows.append(
                {
                    "kind": name,
                    "id": device.pk,
                    "commune": commune.code,
                    "name": device.name,
                    "station": device.station.name if name == "cluster" else None,
                    "village": device.village.name if getattr(device, "village", None) else None,
                    "device_id": device.device_id,
                    "speakers": device.speakers if name == "cluster" else None,
                    "latitude": device.latitude,
                    "longitude": device.longitude,
                    "installed_on": device.installed_on,
                    "retired_on": device.retired_on,
                }
            )
    return rows
