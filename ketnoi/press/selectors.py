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

from django.db.models import Sum

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


def _coverage(communes: list[AdminUnit], year: int) -> list[CommuneCoverage]:
    by_id = {c.pk: CommuneCoverage(commune=c) for c in communes}
    if not by_id:
        return []
    households = (
        Village.objects.filter(commune_id__in=by_id, households__isnull=False)
        .values("commune_id")
        .annotate(total=Sum("households"))
    )
    for row in households:
        by_id[row["commune_id"]].households = row["total"]
    orders = defaultdict(list)
    for order in YearlyOrder.objects.filter(year=year, province_id__in={c.province_id for c in communes}):
        orders[(order.province_id, order.category_id)].append(order)
    recipients = {
        r.pk: r
        for r in Recipient.objects.filter(commune_id__in=by_id, active=True).select_related("category", "village")
    }
    delivered_to: set[int] = set()
    deliveries = Delivery.objects.filter(order__year=year, recipient_id__in=recipients).select_related(
        "order", "order__publication"
    )
    for delivery in deliveries:
        recipient = recipients[delivery.recipient_id]
        row = by_id[recipient.commune_id]
        if delivery.state != Delivery.State.CONFIRMED:
            row.not_received += 1
            continue
        delivered_to.add(recipient.pk)
        row.delivered += 1
        row.copies += delivery.copies
        row.cost += delivery.copies * (delivery.order.unit_price or 0)
        village = recipient.village.name if recipient.village else ""
        row.copies_by_village[village] = row.copies_by_village.get(village, 0) + delivery.copies
        if delivery.late:
            row.late += 1
            row.late_deliveries.append((recipient, delivery))
    for recipient in recipients.values():
        row = by_id[recipient.commune_id]
        expected = sum(o.issues for o in orders.get((row.commune.province_id, recipient.category_id), ()))
        if not expected:
            continue
        row.recipients += 1
        row.expected += expected
        if recipient.pk not in delivered_to:
            row.not_delivered.append(recipient)
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
