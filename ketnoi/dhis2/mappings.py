"""The mapping tables, read in one go for an export or an import, and imported from CSV."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ketnoi.core.importing import ImportFailed, RowError
from ketnoi.core.roles import REFERENCE_LOAD
from ketnoi.core.scoping import allows
from ketnoi.core.text import normalize_text
from ketnoi.geo.models import AdminUnit
from ketnoi.indicators.models import DataElement

from .models import ComboMap, ElementMap, OrgUnitMap

KINDS = ("orgunits", "elements", "combos")
MAX_CSV_BYTES = 5 * 1024 * 1024


@dataclass
class Mapping:
    unit_to: dict[int, str] = field(default_factory=dict)  # AdminUnit id → DHIS2
    unit_from: dict[str, AdminUnit] = field(default_factory=dict)
    element_to: dict[int, str] = field(default_factory=dict)
    element_from: dict[str, DataElement] = field(default_factory=dict)
    combo_to: dict[str, str] = field(default_factory=dict)  # disaggregation key → DHIS2
    combo_from: dict[str, str] = field(default_factory=dict)


_ORDER = {"eg": 0, "sex": 1, "lang": 2, "prio": 3}


def canonical_key(key: str) -> str:
    """A disaggregation key in the order Kết Nối writes it ("sex=female;eg=08" → "eg=08;sex=female")."""
    parts = [part.strip() for part in (key or "").split(";") if part.strip()]
    return ";".join(sorted(parts, key=lambda part: _ORDER.get(part.partition("=")[0], 9)))


def load_mapping() -> Mapping:
    mapping = Mapping()
    for row in OrgUnitMap.objects.select_related("unit"):
        mapping.unit_to[row.unit_id] = row.dhis2
        mapping.unit_from[row.dhis2] = row.unit
    for row in ElementMap.objects.select_related("element"):
        mapping.element_to[row.element_id] = row.dhis2
        mapping.element_from[row.dhis2] = row.element
    for row in ComboMap.objects.all():
        mapping.combo_to[canonical_key(row.disaggregation)] = row.dhis2
        mapping.combo_from[row.dhis2] = canonical_key(row.disaggregation)
    return mapping


def _unit(code: str):
    level = "province" if len(code) <= 2 else "commune"
    return AdminUnit.objects.filter(structure="current", level=level, code=code).first()


@transaction.atomic
def mappings_import_csv(*, user, kind: str, data: bytes, filename: str = "mapping.csv") -> int:
    """Replace-or-add rows of one mapping table from CSV with the columns ``ketnoi,dhis2`` (the Kết Nối
    code: a current unit's code, a data element's code, or a disaggregation key): all or nothing."""
    if not allows(user, REFERENCE_LOAD, None):
        raise PermissionDenied(REFERENCE_LOAD)
    if kind not in KINDS:
        raise ImportFailed([RowError(filename, None, None, _("Unknown mapping table %(kind)s.") % {"kind": kind})])
    if len(data) > MAX_CSV_BYTES:
        raise ImportFailed([RowError(filename, None, None, _("The file is larger than 5 MB."))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed([RowError(filename, None, None, _("The file is not UTF-8 text."))]) from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"ketnoi", "dhis2"} <= {(n or "").strip() for n in reader.fieldnames}:
        raise ImportFailed([RowError(filename, 1, None, _("The columns must be ketnoi and dhis2."))])
    errors, rows, seen_local, seen_remote = [], [], {}, {}
    for number, raw in enumerate(reader, start=2):
        local = normalize_text((raw.get("ketnoi") or "").strip())
        remote = normalize_text((raw.get("dhis2") or "").strip())
        if not remote or len(remote) > 50:
            errors.append(RowError(filename, number, "dhis2", _("A DHIS2 code or uid of 1 to 50 characters.")))
            continue
        for seen, key, column in ((seen_local, local, "ketnoi"), (seen_remote, remote, "dhis2")):
            if key in seen:
                errors.append(
                    RowError(
                        filename,
                        number,
                        column,
                        _("%(code)s is already on row %(row)s.") % {"code": key, "row": seen[key]},
                    )
                )
            seen[key] = number
        if kind == "orgunits":
            target = _unit(local)
            if target is None:
                errors.append(
                    RowError(filename, number, "ketnoi", _("No current unit has the code %(code)s.") % {"code": local})
                )
                continue
        elif kind == "elements":
            target = DataElement.objects.filter(code=local).first()
            if target is None:
                errors.append(
                    RowError(filename, number, "ketnoi", _("Unknown data element %(code)s.") % {"code": local})
                )
                continue
        else:
            target = canonical_key(local)
        rows.append((target, remote))
    if errors:
        raise ImportFailed(errors)
    model, field_name = {
        "orgunits": (OrgUnitMap, "unit"),
        "elements": (ElementMap, "element"),
        "combos": (ComboMap, "disaggregation"),
    }[kind]
    remotes = [remote for _target, remote in rows]
    locals_ = [target for target, _remote in rows]
    # A DHIS2 identifier moved to another local code, or a local code given a new identifier: replaced.
    model.objects.filter(dhis2__in=remotes).delete()
    model.objects.filter(**{f"{field_name}__in": locals_}).delete()
    model.objects.bulk_create([model(**{field_name: target, "dhis2": remote}) for target, remote in rows])
    return len(rows)
