"""The distributor's delivery file (CSV or XLSX), confirmed by an officer: every row is checked first,
then the whole file is written in one transaction or nothing is (core/importing.py). A delivery is
matched by order, recipient and issue, so importing the same file again changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core import audit
from ketnoi.core.importing import ImportFailed, RowError, read_table
from ketnoi.core.roles import CHANNELS_MANAGE
from ketnoi.core.scoping import user_scope
from ketnoi.core.text import fold

from .models import Delivery, Publication, Recipient, YearlyOrder

COLUMNS = ["year", "publication", "recipient", "issue", "issue_date", "copies"]
OPTIONAL = ["delivered_on", "received"]
_YES_NO = {"": True, "1": True, "co": True, "yes": True, "x": True, "0": False, "khong": False, "no": False}


@dataclass
class ImportResult:
    filename: str
    rows: int
    created: int
    updated: int


def _date(raw: str):
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


def import_deliveries(source, *, user, filename: str | None = None) -> ImportResult:
    """Record and confirm the deliveries of a distributor's file, all or nothing."""
    table = read_table(source, filename=filename, required=COLUMNS, optional=OPTIONAL)
    errors: list[RowError] = []
    scope = user_scope(user, CHANNELS_MANAGE)
    publications = {p.code: p for p in Publication.objects.all()}
    references = {row.get("recipient") for row in table.rows}
    recipients = {
        r.reference: r for r in Recipient.objects.filter(reference__in=references).select_related("commune", "category")
    }
    orders = {
        (o.year, o.publication_id, o.category_id, o.province_id): o
        for o in YearlyOrder.objects.filter(publication__in=publications.values())
    }
    planned, seen = [], {}

    def error(row, name, message):
        errors.append(RowError(table.filename, row.number, name, message))

    for row in table.rows:
        year = int(row.get("year")) if row.get("year").isdigit() else None
        if year is None:
            error(row, "year", _("%(value)r is not a year") % {"value": row.get("year")})
        publication = publications.get(row.get("publication"))
        if publication is None:
            error(row, "publication", _("unknown publication code %(code)r") % {"code": row.get("publication")})
        recipient = recipients.get(row.get("recipient"))
        if recipient is None:
            error(row, "recipient", _("unknown recipient %(ref)r") % {"ref": row.get("recipient")})
        elif not scope.covers(recipient.commune.province_id, recipient.commune_id):
            error(row, "recipient", _("recipient %(ref)s is outside your area") % {"ref": recipient.reference})
            recipient = None
        issue = row.get("issue")
        if not issue:
            error(row, "issue", _("the issue number is missing"))
        elif len(issue) > Delivery._meta.get_field("issue").max_length:
            error(row, "issue", _("the issue number is too long"))
        issue_date = _date(row.get("issue_date"))
        if issue_date is None:
            error(row, "issue_date", _("%(value)r is not a date (dd/mm/yyyy)") % {"value": row.get("issue_date")})
        copies = int(row.get("copies")) if row.get("copies").isdigit() else None
        if copies is None or not 0 < copies <= 1000:
            error(row, "copies", _("%(value)r is not a number of copies (1–1000)") % {"value": row.get("copies")})
            copies = None
        received = _YES_NO.get(fold(row.get("received")))
        if received is None:
            error(row, "received", _("%(value)r is not yes or no") % {"value": row.get("received")})
        delivered_on = None
        if row.get("delivered_on"):
            delivered_on = _date(row.get("delivered_on"))
            if delivered_on is None:
                error(
                    row, "delivered_on", _("%(value)r is not a date (dd/mm/yyyy)") % {"value": row.get("delivered_on")}
                )
            elif issue_date and delivered_on < issue_date:
                error(row, "delivered_on", _("delivered before the issue date"))
        elif received:
            error(row, "delivered_on", _("a received issue needs its delivery date"))
        if None in (year, publication, recipient, issue_date, copies, received) or not issue:
            continue
        order = orders.get((year, publication.pk, recipient.category_id, recipient.commune.province_id))
        if order is None:
            error(
                row,
                "publication",
                _("no %(year)s order of %(publication)s for the category %(category)s in this province")
                % {"year": year, "publication": publication.code, "category": recipient.category.code},
            )
            continue
        key = (order.pk, recipient.pk, fold(issue))
        if key in seen:
            error(row, "issue", _("duplicate of row %(row)s (same order, recipient and issue)") % {"row": seen[key]})
            continue
        seen[key] = row.number
        planned.append(
            {
                "order": order,
                "recipient": recipient,
                "issue": issue,
                "issue_date": issue_date,
                "copies": copies,
                "delivered_on": delivered_on if received else None,
                "state": Delivery.State.CONFIRMED if received else Delivery.State.NOT_RECEIVED,
            }
        )
    if errors:
        raise ImportFailed(errors)
    return _write(planned, table.filename, user)


def _write(planned: list[dict], filename: str, user) -> ImportResult:
    created = updated = 0
    now = timezone.now()
    compared = ("issue_date", "copies", "delivered_on", "state")
    with transaction.atomic():
        existing = {
            (d.order_id, d.recipient_id, d.issue): d
            for d in Delivery.objects.select_for_update().filter(
                recipient__in={values["recipient"] for values in planned}
            )
        }
        for values in planned:
            current = existing.get((values["order"].pk, values["recipient"].pk, values["issue"]))
            if current is None:
                Delivery.objects.create(**values, source_file=filename, confirmed_by=user, confirmed_at=now)
                created += 1
            elif any(getattr(current, name) != values[name] for name in compared):
                for name in compared:
                    setattr(current, name, values[name])
                current.source_file, current.confirmed_by, current.confirmed_at = filename, user, now
                current.save()
                updated += 1
        audit.record(
            audit.AuditEntry.Action.IMPORT,
            model=Delivery._meta.label_lower,
            object_repr=filename,
            after={"rows": len(planned), "created": created, "updated": updated},
        )
    return ImportResult(filename, len(planned), created, updated)


RECIPIENT_COLUMNS = ["reference", "commune_code", "category"]
RECIPIENT_OPTIONAL = ["village", "unit_name", "person_name", "phone", "active"]


def import_recipients(source, *, user, filename: str | None = None) -> ImportResult:
    """The province's list of recipients (units and persons), matched by reference, all or nothing.
    A person's name and phone are stored encrypted; an empty phone keeps the one on record."""
    from django.core.exceptions import ValidationError

    from ketnoi.channels.phones import normalise_phone
    from ketnoi.core.importing import limit_errors
    from ketnoi.geo.models import AdminUnit, Village

    from .models import BeneficiaryCategory

    table = read_table(source, filename=filename, required=RECIPIENT_COLUMNS, optional=RECIPIENT_OPTIONAL)
    errors: list[RowError] = []
    scope = user_scope(user, CHANNELS_MANAGE)
    categories = {c.code: c for c in BeneficiaryCategory.objects.all()}
    codes = {row.get("commune_code").zfill(5) for row in table.rows if row.get("commune_code").isdigit()}
    communes = {u.code: u for u in AdminUnit.objects.filter(structure="current", level="commune", code__in=codes)}
    villages = {(v.commune_id, fold(v.name)): v for v in Village.objects.filter(commune__in=communes.values())}
    existing = {
        r.reference: r
        for r in Recipient.objects.filter(reference__in={row.get("reference") for row in table.rows}).select_related(
            "commune"
        )
    }
    planned, seen = [], {}

    def error(row, name, message):
        errors.append(RowError(table.filename, row.number, name, message))

    for row in table.rows:
        reference = row.get("reference")
        if not reference:
            error(row, "reference", _("the reference is missing"))
        elif reference in seen:
            error(row, "reference", _("duplicate of row %(row)s") % {"row": seen[reference]})
            continue
        else:
            seen[reference] = row.number
        code = row.get("commune_code")
        commune = communes.get(code.zfill(5) if code.isdigit() else code)
        if commune is None:
            error(
                row, "commune_code", _("unknown commune code %(code)r (current NSO codes, 5 digits)") % {"code": code}
            )
        elif not scope.covers(commune.province_id, commune.id):
            error(row, "commune_code", _("commune %(code)s is outside your area") % {"code": code})
            commune = None
        record = existing.get(reference)
        if record is not None and not scope.covers(record.commune.province_id, record.commune_id):
            error(row, "reference", _("recipient %(ref)s is outside your area") % {"ref": reference})
            commune = None
        category = categories.get(row.get("category"))
        if category is None:
            error(row, "category", _("unknown category %(code)r") % {"code": row.get("category")})
        village = None
        if row.get("village") and commune is not None:
            village = villages.get((commune.id, fold(row.get("village"))))
            if village is None:
                error(
                    row,
                    "village",
                    _("no village %(name)r in commune %(commune)s")
                    % {"name": row.get("village"), "commune": commune.name},
                )
        phone = ""
        if row.get("phone"):
            try:
                phone = normalise_phone(row.get("phone"))
            except ValidationError as exc:
                error(row, "phone", " ".join(exc.messages))
        active = _YES_NO.get(fold(row.get("active")))
        if active is None:
            error(row, "active", _("%(value)r is not yes or no") % {"value": row.get("active")})
        if category is not None:
            if category.kind == category.Kind.PERSON and not row.get("person_name"):
                error(row, "person_name", _("a person recipient needs a name"))
            if category.kind == category.Kind.UNIT:
                if not row.get("unit_name"):
                    error(row, "unit_name", _("a unit recipient needs the unit's name"))
                if row.get("person_name") or phone:
                    error(row, "person_name", _("a unit recipient holds no person's name or phone"))
        errors.extend(
            limit_errors(
                table.filename, row.number, Recipient, {"reference": reference, "unit_name": row.get("unit_name")}
            )
        )
        if not reference or commune is None or category is None:
            continue
        planned.append(
            {
                "reference": reference,
                "commune": commune,
                "category": category,
                "village": village,
                "unit_name": row.get("unit_name"),
                "person_name": row.get("person_name"),
                "phone": phone,
                "active": bool(active),
            }
        )
    if errors:
        raise ImportFailed(errors)
    created = updated = 0
    with transaction.atomic():
        for values in planned:
            record = existing.get(values["reference"])
            if record is None:
                Recipient.objects.create(**values)
                created += 1
                continue
            if not values["phone"]:
                values["phone"] = record.phone  # an empty phone keeps the one on record
            if any(getattr(record, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(record, name, value)
                record.save()
                updated += 1
        audit.record(
            audit.AuditEntry.Action.IMPORT,
            model=Recipient._meta.label_lower,
            object_repr=table.filename,
            after={"rows": len(planned), "created": created, "updated": updated},
        )
    return ImportResult(table.filename, len(planned), created, updated)


IMPORTERS = {"deliveries": import_deliveries, "recipients": import_recipients}
