"""Reads of the digital-skills register. Pages go through the user's scope (core.scoping.restrict);
``digital_skills_coverage`` and ``it_access`` are for the gap index, which has already chosen the
commune (they take no user)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from ketnoi.core.roles import PROGRAMMES_VIEW
from ketnoi.core.scoping import restrict
from ketnoi.geo.models import AdminUnit, Village

from .models import CommuneFigures, Course, Participation, Role, Session, Sex, Target


def session_list_for_user(*, user, course=None, commune=None, year=None):
    sessions = restrict(Session.objects.all(), user, PROGRAMMES_VIEW)
    if course is not None:
        sessions = sessions.filter(course=course)
    if commune is not None:
        sessions = sessions.filter(commune=commune)
    if year:
        sessions = sessions.filter(start_date__year=year)
    return (
        sessions.select_related("course", "commune", "commune__province", "village", "language")
        .annotate(participant_count=Sum("participation__count"))
        .order_by("-start_date", "reference")
    )


def session_get_for_user(*, user, pk: int) -> Session | None:
    return session_list_for_user(user=user).filter(pk=pk).first()


def course_list_for_user(*, user):
    """Every course (the catalogue is national), with the number of sessions the user can see."""
    visible = restrict(Session.objects.all(), user, PROGRAMMES_VIEW).values("pk")
    return Course.objects.select_related("organiser").annotate(
        session_count=Count("sessions", filter=Q(sessions__in=visible), distinct=True)
    )


def participation_table(session) -> list[dict]:
    """The session's counts by role, sex, age band and ethnic group, largest first."""
    return list(
        session.participation.select_related("ethnic_group").order_by(
            "role", "sex", "age_band", "ethnic_group__name_vi"
        )
    )


def _share(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(min(part, whole)) * 100 / whole).quantize(Decimal("0.1"))


@dataclass
class Coverage:
    """Training of a commune's village heads and prestigious persons up to the end of ``year``."""

    commune: AdminUnit
    year: int
    villages: int = 0  # one head per village (geo.Village)
    village_heads_trained: int = 0
    prestigious_persons: int | None = None  # from CommuneFigures, the latest year up to ``year``
    prestigious_trained: int = 0
    participants: int = 0
    women: int = 0
    target_village_heads: Decimal | None = None
    target_prestigious: Decimal | None = None
    target_year: int | None = None
    sessions: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def village_heads_share(self) -> Decimal | None:
        return _share(self.village_heads_trained, self.villages)

    @property
    def prestigious_share(self) -> Decimal | None:
        return _share(self.prestigious_trained, self.prestigious_persons or 0)

    def as_dict(self) -> dict:
        return {
            "commune": self.commune.code,
            "year": self.year,
            "villages": self.villages,
            "village_heads_trained": self.village_heads_trained,
            "village_heads_share": self.village_heads_share,
            "prestigious_persons": self.prestigious_persons,
            "prestigious_trained": self.prestigious_trained,
            "prestigious_share": self.prestigious_share,
            "participants": self.participants,
            "women": self.women,
            "sessions": self.sessions,
            "target_village_heads": self.target_village_heads,
            "target_prestigious": self.target_prestigious,
            "target_year": self.target_year,
        }


def _targets(province_ids, year) -> dict[tuple[int, str], tuple[int, Decimal]]:
    """Per province and role, the target of ``year`` or, when none, of the nearest later year (the
    target "by 2030" applies in 2025)."""
    found: dict[tuple[int, str], tuple[int, Decimal]] = {}
    for target in Target.objects.filter(province_id__in=province_ids, year__gte=year).order_by("-year"):
        found[(target.province_id, target.role)] = (target.year, target.percent)
    return found


def coverage_for_communes(communes, year: int) -> list[Coverage]:
    """The coverage of each commune, in a fixed number of queries."""
    communes = list(communes)
    ids = [c.pk for c in communes]
    villages = dict(
        Village.objects.filter(commune_id__in=ids)
        .values("commune_id")
        .annotate(n=Count("id"))
        .values_list("commune_id", "n")
    )
    cells = (
        Participation.objects.filter(session__commune_id__in=ids, session__start_date__year__lte=year)
        .values("session__commune_id", "role", "sex")
        .annotate(n=Sum("count"))
    )
    sessions = dict(
        Session.objects.filter(commune_id__in=ids, start_date__year__lte=year)
        .values("commune_id")
        .annotate(n=Count("id"))
        .values_list("commune_id", "n")
    )
    prestigious: dict[int, int] = {}
    for figures in CommuneFigures.objects.filter(
        commune_id__in=ids, year__lte=year, prestigious_persons__isnull=False
    ).order_by("year"):
        prestigious[figures.commune_id] = figures.prestigious_persons
    targets = _targets({c.province_id for c in communes}, year)
    result = {c.pk: Coverage(commune=c, year=year, villages=villages.get(c.pk, 0)) for c in communes}
    for cell in cells:
        coverage = result[cell["session__commune_id"]]
        coverage.participants += cell["n"]
        if cell["sex"] == Sex.FEMALE:
            coverage.women += cell["n"]
        if cell["role"] == Role.VILLAGE_HEAD:
            coverage.village_heads_trained += cell["n"]
        elif cell["role"] == Role.PRESTIGIOUS:
            coverage.prestigious_trained += cell["n"]
    for coverage in result.values():
        coverage.sessions = sessions.get(coverage.commune.pk, 0)
        coverage.prestigious_persons = prestigious.get(coverage.commune.pk)
        heads = targets.get((coverage.commune.province_id, Role.VILLAGE_HEAD))
        persons = targets.get((coverage.commune.province_id, Role.PRESTIGIOUS))
        coverage.target_village_heads = heads[1] if heads else None
        coverage.target_prestigious = persons[1] if persons else None
        coverage.target_year = (heads or persons or (None,))[0]
    return [result[i] for i in ids]


def digital_skills_coverage(commune, year: int) -> dict:
    """For the gap index: the share of the commune's village heads and prestigious persons trained
    in digital skills up to the end of ``year``, with the counts and the province's target."""
    return coverage_for_communes([commune], year)[0].as_dict()


def _access(figures, households) -> dict:
    if figures.households is not None:
        households = figures.households

    def share(part):
        return None if part is None else _share(part, households)

    return {
        "commune": figures.commune.code,
        "year": figures.year,
        "households": households,
        "households_smartphone": figures.households_smartphone,
        "households_internet": figures.households_internet,
        "smartphone_share": share(figures.households_smartphone),
        "internet_share": share(figures.households_internet),
        "coverage_4g": figures.coverage_4g,
        "source": figures.source,
    }


def it_access_for_communes(communes, year: int) -> dict[int, dict]:
    """Per commune id, the latest IT-access figures up to ``year`` (communes without any are left
    out), in two queries."""
    ids = [c.pk for c in communes]
    latest: dict[int, CommuneFigures] = {}
    for figures in (
        CommuneFigures.objects.filter(commune_id__in=ids, year__lte=year)
        .filter(
            Q(households_smartphone__isnull=False) | Q(households_internet__isnull=False) | Q(coverage_4g__isnull=False)
        )
        .select_related("commune")
        .order_by("year")
    ):
        latest[figures.commune_id] = figures
    households = dict(
        Village.objects.filter(commune_id__in=list(latest))
        .values("commune_id")
        .annotate(n=Sum("households"))
        .values_list("commune_id", "n")
    )
    return {pk: _access(figures, households.get(pk)) for pk, figures in latest.items()}


def it_access(commune, year: int) -> dict | None:
    """For the gap index: households with a smartphone and with internet (counts and shares) and the
    4G coverage of the commune, from the latest figures up to ``year`` (their ``year`` and ``source``
    are in the result); the households are the figures' own or else the sum of the villages'. None
    when the commune has no figures."""
    return it_access_for_communes([commune], year).get(commune.pk)


def coverage_report_for_user(*, user, province, year: int) -> list[Coverage]:
    """The communes of ``province`` the user may see, with their coverage."""
    communes = restrict(
        AdminUnit.objects.filter(structure="current", level="commune", province=province), user, PROGRAMMES_VIEW
    ).order_by("sort_key")
    return coverage_for_communes(communes, year)


def provinces_for_user(*, user):
    """The current provinces of which the user can see at least one commune."""
    communes = restrict(AdminUnit.objects.filter(structure="current", level="commune"), user, PROGRAMMES_VIEW)
    return AdminUnit.objects.filter(
        structure="current", level="province", pk__in=communes.values("province_id")
    ).order_by("sort_key")
