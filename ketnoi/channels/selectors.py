"""Reads of the channel inventory, always through the user's scope (core.scoping.restrict)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

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
        "board_status": _board_status(boards),
        "accounts": list(accounts),
        "speakers": speakers_in_service(commune=commune) if stations else 0,
    }


def _board_status(boards):
    from .boards import board_status  # issue 8.7: last seen, state, what each board shows now

    return board_status(boards)


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


# ---- bulletins ----------------------------------------------------------------------------------


def bulletins_for(*, user, state: str | None = None, q: str | None = None) -> QuerySet:
    """Bulletins of the user's area: the writer's, and those the board appraises or approves there."""
    from ketnoi.core.roles import BULLETINS_WRITE, CONTENT_APPRAISE, CONTENT_APPROVE
    from ketnoi.core.text import fold

    from .models import Bulletin

    visible = Bulletin.objects.none()
    for capability in (CHANNELS_VIEW, BULLETINS_WRITE, CONTENT_APPRAISE, CONTENT_APPROVE):
        visible = visible | restrict(Bulletin.objects.all(), user, capability)
    bulletins = visible.distinct().select_related("owner_unit", "author", "content")
    if state:
        bulletins = bulletins.filter(state=state)
    if q:
        wanted = fold(q)
        ids = [pk for pk, title in visible.values_list("pk", "title") if wanted in fold(title)]
        bulletins = bulletins.filter(pk__in=ids)
    return bulletins.annotate(n_renditions=Count("renditions", distinct=True)).order_by("-updated_at", "-id")


def bulletin_for(*, user, pk: int):
    """One bulletin the user may see, or None."""
    return bulletins_for(user=user).filter(pk=pk).first()


def target_communes(bulletin) -> QuerySet[AdminUnit]:
    """The current communes a bulletin reaches: those named, those of the provinces named, and
    those of the villages named."""
    units = list(bulletin.target_units.all())
    q = Q(pk__in=[u.pk for u in units if u.level == "commune"])
    q |= Q(province_id__in=[u.pk for u in units if u.level == "province"])
    q |= Q(villages__in=bulletin.target_villages.all())
    return AdminUnit.objects.filter(structure="current", level="commune").filter(q).distinct().order_by("sort_key")


def occurrences(schedule, day) -> list:
    """The broadcast times of a schedule on ``day`` (aware datetimes in the project's time zone)."""
    import datetime as dt

    from django.utils import timezone

    if not (schedule.starts_on <= day <= schedule.ends_on) or str(day.isoweekday()) not in schedule.weekdays:
        return []
    zone = timezone.get_current_timezone()
    return [dt.datetime.combine(day, dt.time(*map(int, value.split(":"))), tzinfo=zone) for value in schedule.times]


def bulletin_problems(bulletin) -> list[str]:
    """What keeps a bulletin from being submitted or approved, in words for its editor."""
    from .models import Bulletin, Rendition

    problems = []
    renditions = list(bulletin.renditions.select_related("language"))
    if not (bulletin.target_units.exists() or bulletin.target_villages.exists()):
        problems.append(_("Choose where the bulletin goes (provinces, communes or villages)."))
    if not renditions:
        problems.append(_("Write at least one rendition."))
    for rendition in renditions:
        label = f"{rendition.get_channel_display()} ({rendition.language.name_vi})"
        if rendition.stale:
            problems.append(_("%(rendition)s: the source text changed; revise it.") % {"rendition": label})
        if rendition.channel == Rendition.Channel.LOUDSPEAKER and rendition.audio_status != Rendition.AudioStatus.READY:
            message = _("%(rendition)s: no audio yet (synthesise it or upload a recording).")
            problems.append(message % {"rendition": label})
    speaks = any(r.channel == Rendition.Channel.LOUDSPEAKER for r in renditions)
    if speaks and bulletin.priority != Bulletin.Priority.EMERGENCY and not bulletin.schedules.exists():
        problems.append(_("Give the loudspeaker bulletin a broadcast schedule (emergencies play at once)."))
    return problems


def bulletin_page(*, user, bulletin) -> dict:
    """Everything the bulletin's page shows, with what this user may do on it."""
    from ketnoi.core.roles import BULLETINS_WRITE
    from ketnoi.core.scoping import allows

    from .models import Bulletin, Rendition

    states = dict(Bulletin.State.choices)
    renditions = list(bulletin.renditions.select_related("language").order_by("channel", "language__sort_key"))
    return {
        "bulletin": bulletin,
        "renditions": renditions,
        "by_channel": [
            (value, label, [r for r in renditions if r.channel == value]) for value, label in Rendition.Channel.choices
        ],
        "schedules": list(bulletin.schedules.all()),
        "events": [
            (event, states.get(event.from_state, "—"), states.get(event.to_state, event.to_state))
            for event in bulletin.events.select_related("user")
        ],
        "targets": list(bulletin.target_units.order_by("level", "sort_key")),
        "villages": list(bulletin.target_villages.select_related("commune")),
        "groups": list(bulletin.target_groups.all()),
        "communes": target_communes(bulletin).count(),
        "problems": bulletin_problems(bulletin) if bulletin.state == "draft" else [],
        "can_edit": bulletin.state == "draft" and allows(user, BULLETINS_WRITE, bulletin),
    }


def content_text_in(bulletin, language) -> str:
    """The text of the bulletin's article in ``language`` (its approved translation), to start a
    rendition from; empty when the article has none."""
    from ketnoi.content.text import html_to_text

    if not bulletin.content_id:
        return ""
    variant = bulletin.content.variants.filter(language=language).select_related("published").first()
    if variant is None:
        return ""
    source = variant.published or variant if not variant.is_source else variant
    parts = [source.title, source.summary or "", html_to_text(source.body or "")]
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


# ---- the day's programme of a station or a cluster (Circular 39/2020 priorities) ----------------


@dataclass
class ProgrammeItem:
    """One bulletin in a station's day: when it plays (None: an emergency, at once), in which
    languages (each rendition with the cluster deliveries it has), and the commune's decision."""

    bulletin: object
    at: object  # aware datetime, or None for an emergency
    renditions: list
    deliveries: list
    decision: object | None

    @property
    def priority(self) -> str:
        return self.bulletin.priority

    @property
    def plays(self) -> bool:
        """Emergency and priority bulletins always play; a normal one only once the commune accepts it."""
        if self.priority != "normal":
            return True
        return self.decision is not None and self.decision.accepted


PRIORITY_RANK = {"emergency": 0, "priority": 1, "normal": 2}


def station_programme(station, day, *, cluster=None) -> list[ProgrammeItem]:
    """What ``station`` (or one of its clusters) has for ``day``: every approved, unexpired
    bulletin with a live delivery to its clusters, at each scheduled time of the day; emergencies
    first and at once; then by time, priority before normal, and the commune's order within a time."""
    from .models import Bulletin, Delivery, ProgrammeDecision

    deliveries = Delivery.objects.filter(
        cluster__station=station,
        endpoint=Delivery.Endpoint.CLUSTER,
        bulletin__state=Bulletin.State.APPROVED,
        cancelled_at__isnull=True,
    ).exclude(state__in=[Delivery.State.CANCELLED, Delivery.State.FAILED])
    if cluster is not None:
        deliveries = deliveries.filter(cluster=cluster)
    deliveries = list(deliveries.select_related("rendition__language", "bulletin"))
    by_bulletin: dict[int, list] = {}
    for delivery in deliveries:
        by_bulletin.setdefault(delivery.bulletin_id, []).append(delivery)
    if not by_bulletin:
        return []
    bulletins = {
        b.pk: b
        for b in Bulletin.objects.filter(pk__in=by_bulletin)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .prefetch_related("schedules")
    }
    decisions = {d.bulletin_id: d for d in ProgrammeDecision.objects.filter(station=station, bulletin__in=bulletins)}
    items = []
    for pk, bulletin in bulletins.items():
        rows = by_bulletin[pk]
        renditions = sorted({d.rendition for d in rows}, key=lambda r: (r.language.bcp47 != "vi", r.language.bcp47))
        if bulletin.priority == "emergency":
            items.append(ProgrammeItem(bulletin, None, renditions, rows, decisions.get(pk)))
            continue
        for schedule in bulletin.schedules.all():
            for at in occurrences(schedule, day):
                items.append(ProgrammeItem(bulletin, at, renditions, rows, decisions.get(pk)))

    def order(item):
        decided = item.decision.position if item.decision and item.decision.position else 9999
        return (
            item.at is not None,
            item.at or item.bulletin.approved_at,
            PRIORITY_RANK[item.priority],
            decided,
            item.bulletin.approved_at,
        )

    return sorted(items, key=order)
