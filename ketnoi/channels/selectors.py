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


def commune_inventory(*, user, commune, request=None) -> dict:
    """Everything a commune has, for its page; empty lists outside the user's area. Propagandists'
    phone numbers are shown only to those who manage the commune's channels, and each showing is
    logged (core.audit.record_personal_view)."""
    from ketnoi.core.audit import record_personal_view
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
    if show_phones:
        for person in people:
            record_personal_view(
                person, fields=("phone",), request=request, label=f"{Propagandist._meta.label_lower}#{person.pk}"
            )
    return {
        "propagandists": people,
        "show_phones": show_phones,
        "stations": list(stations),
        "boards": list(boards),
        "accounts": list(accounts),
        "speakers": speakers_in_service(commune=commune) if stations else 0,
    }
