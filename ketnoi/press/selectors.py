"""Reads of the press supply: orders, and coverage and gaps per commune (recipients not delivered, late
issues, copies per 100 households and per village, cost). ``copies_per_100_households`` and
``delivery_rate`` are what the information-access gap index calls, for one current commune and year.

Definitions (docs/press.md):
- expected deliveries of a recipient = the issues of the year's orders for its province and category;
- delivery rate = confirmed deliveries ÷ expected deliveries (None when nothing was ordered);
- copies per 100 households = copies confirmed delivered in the year × 100 ÷ the commune's households
  (the sum of its villages'; None when no village has a household count);
- late = delivered more than the order's ``late_after_days`` after the issue date;
- cost = confirmed copies × the order's price per copy (orders without a price count nothing).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Sum

from ketnoi.core.roles import CHANNELS_VIEW
from ketnoi.core.scoping import restrict
from ketnoi.geo.models import AdminUnit, Village

from .models import Delivery, Recipient, YearlyOrder


def orders_visible(*, user, year: int | None = None):
    orders = restrict(YearlyOrder.objects.all(), user, CHANNELS_VIEW).select_related(
        "decision", "province", "publication", "category", "distributor"
    )
    return orders.filter(year=year) if year else orders


@dataclass
class CommuneCoverage:
    commune: AdminUnit
    households: int | None = None
    recipients: int = 0
    expected: int = 0
    delivered: int = 0
    not_received: int = 0
    late: int = 0
    copies: int = 0
    cost: Decimal = Decimal(0)
    not_delivered: list = field(default_factory=list)  # recipients with no confirmed delivery in the year
    late_deliveries: list = field(default_factory=list)
    copies_by_village: dict = field(default_factory=dict)

    @property
    def delivery_rate(self) -> float | None:
        return self.delivered / self.expected if self.expected else None

    @property
    def copies_per_100_households(self) -> float | None:
        return self.copies * 100 / self.households if self.households else None


LATE_LISTED = 200  # late issues listed per report (all are counted)


def _coverage(communes: list[AdminUnit], year: int) -> list[CommuneCoverage]:
    """The figures in SQL aggregates (a few queries however many deliveries); only the recipients not
    delivered and the first ``LATE_LISTED`` late issues are read as rows."""
    by_id = {c.pk: CommuneCoverage(commune=c) for c in communes}
    if not by_id:
        return []
    ids = list(by_id)
    for row in (
        Village.objects.filter(commune_id__in=ids, households__isnull=False)
        .values("commune_id")
        .annotate(total=Sum("households"))
    ):
        by_id[row["commune_id"]].households = row["total"]
    issues = defaultdict(int)  # (province, category) -> issues ordered per recipient
    for order in YearlyOrder.objects.filter(year=year, province_id__in={c.province_id for c in communes}):
        issues[(order.province_id, order.category_id)] += order.issues
    recipients = Recipient.objects.filter(commune_id__in=ids, active=True)
    for row in recipients.values("commune_id", "category_id").annotate(n=Count("id")):
        coverage = by_id[row["commune_id"]]
        ordered = issues.get((coverage.commune.province_id, row["category_id"]), 0)
        if ordered:
            coverage.recipients += row["n"]
            coverage.expected += row["n"] * ordered
    deliveries = Delivery.objects.filter(order__year=year, recipient__commune_id__in=ids, recipient__active=True)
    confirmed = Q(state=Delivery.State.CONFIRMED)
    for row in deliveries.values("recipient__commune_id").annotate(
        delivered=Count("id", filter=confirmed),
        not_received=Count("id", filter=Q(state=Delivery.State.NOT_RECEIVED)),
        late=Count("id", filter=confirmed & Q(late=True)),
        n_copies=Sum("copies", filter=confirmed),
        cost_sum=Sum(F("copies") * F("order__unit_price"), filter=confirmed, output_field=DecimalField()),
    ):
        coverage = by_id[row["recipient__commune_id"]]
        coverage.delivered, coverage.not_received, coverage.late = row["delivered"], row["not_received"], row["late"]
        coverage.copies, coverage.cost = row["n_copies"] or 0, Decimal(row["cost_sum"] or 0)
    for row in (
        deliveries.filter(confirmed)
        .values("recipient__commune_id", "recipient__village__name")
        .annotate(copies=Sum("copies"))
        .order_by("recipient__village__name")
    ):
        by_id[row["recipient__commune_id"]].copies_by_village[row["recipient__village__name"] or ""] = row["copies"]
    served = Delivery.objects.filter(order__year=year, recipient=OuterRef("pk"), state=Delivery.State.CONFIRMED)
    for recipient in (
        recipients.filter(~Exists(served)).select_related("category", "village", "commune").order_by("reference")
    ):
        if issues.get((recipient.commune.province_id, recipient.category_id)):
            by_id[recipient.commune_id].not_delivered.append(recipient)
    late = (
        deliveries.filter(confirmed, late=True)
        .select_related("recipient", "order__publication")
        .order_by("issue_date", "pk")[:LATE_LISTED]
    )
    for delivery in late:
        by_id[delivery.recipient.commune_id].late_deliveries.append((delivery.recipient, delivery))
    return list(by_id.values())


def coverage(*, user, year: int, province: AdminUnit | None = None, commune: AdminUnit | None = None):
    """Coverage per commune of the user's area that has press recipients (or the one commune asked for)."""
    communes = restrict(
        AdminUnit.objects.filter(structure="current", level="commune"), user, CHANNELS_VIEW
    ).select_related("province")
    if commune is not None:
        communes = communes.filter(pk=commune.pk)
    else:
        communes = communes.filter(press_recipients__isnull=False).distinct()
        if province is not None:
            communes = communes.filter(province=province)
    return _coverage(list(communes.order_by("province__code", "name")), year)


def copies_per_100_households(commune: AdminUnit, year: int) -> float | None:
    """For the gap index: copies delivered in ``year`` per 100 households of the (current) commune."""
    return _coverage([commune], year)[0].copies_per_100_households


def delivery_rate(commune: AdminUnit, year: int) -> float | None:
    """For the gap index: confirmed deliveries ÷ the deliveries the year's orders call for (0–1)."""
    return _coverage([commune], year)[0].delivery_rate
