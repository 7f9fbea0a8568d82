"""Channel inventory imports (CSV or XLSX): every row is checked first, then the whole file is
written in one transaction or nothing is (core/importing.py). Rows are matched by commune and name,
so importing the same file again changes nothing and an edited file updates in place."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ketnoi.core import audit
from ketnoi.core.importing import ImportFailed, limit_errors, read_table
from ketnoi.core.roles import CHANNELS_MANAGE
from ketnoi.core.text import fold
from ketnoi.geo.importing import UnitRows
from ketnoi.geo.models import AdminUnit

from .models import BulletinBoard, LoudspeakerCluster, MessagingAccount, Propagandist, RadioStation
from .phones import national, normalise_phone

DEVICE_OPTIONAL = ["device_id", "model", "sim_or_ip", "latitude", "longitude", "installed_on", "retired_on", "notes"]
LOUDSPEAKER_COLUMNS = ["commune_code", "station", "cluster"]
LOUDSPEAKER_OPTIONAL = ["technology", "station_device_id", "village", "speakers", *DEVICE_OPTIONAL]
BOARD_COLUMNS = ["commune_code", "name"]
BOARD_OPTIONAL = ["village", *DEVICE_OPTIONAL]
PROPAGANDIST_COLUMNS = ["commune_code", "full_name"]
PROPAGANDIST_OPTIONAL = ["phone", "village", "ethnic_group", "spoken_languages"]
ACCOUNT_COLUMNS = ["commune_code", "platform", "handle"]
ACCOUNT_OPTIONAL = ["url", "followers", "in_use"]


def _platforms() -> dict[str, str]:
    """A platform as a file may name it: its code, or its label in any interface language."""
    from django.conf import settings
    from django.utils import translation

    names = {fold(value): value for value in MessagingAccount.Platform.values}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names |= {fold(str(label)): value for value, label in MessagingAccount.Platform.choices}
    return names


_YES_NO = {"": True, "1": True, "co": True, "yes": True, "x": True, "0": False, "khong": False, "no": False}

_TECHNOLOGY = {fold(str(label)): value for value, label in RadioStation.Technology.choices} | {
    fold(value): value for value in RadioStation.Technology.values
}


@dataclass
class ImportResult:
    filename: str
    rows: int
    created: int
    updated: int


class _Rows(UnitRows):
    """Reads the typed values of one file's rows, collecting every problem with its row and field."""

    def __init__(self, filename: str, user):
        super().__init__(filename, user, CHANNELS_MANAGE)
        self.communes = {
            u.code: u
            for u in AdminUnit.objects.filter(structure="current", level="commune").only(
                "id", "code", "province_id", "level", "name"
            )
        }
        self.device_ids: dict[str, int] = {}

    def commune(self, row):
        code = row.get("commune_code")
        code = code.zfill(5) if code.isdigit() else code
        commune = self.communes.get(code)
        if commune is None:
            self.error(
                row, "commune_code", _("unknown commune code %(code)r (current NSO codes, 5 digits)") % {"code": code}
            )
        elif not self.scope.covers(commune.province_id, commune.id):
            self.error(row, "commune_code", _("commune %(code)s is outside your area") % {"code": code})
            return None
        return commune

    def decimal(self, row, field, low, high):
        raw = row.get(field).replace(",", ".")
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.error(row, field, _("%(value)r is not a number") % {"value": row.get(field)})
            return None
        if not low <= value <= high:
            self.error(
                row,
                field,
                _("%(value)s is outside %(low)s–%(high)s (Vietnam)") % {"value": raw, "low": low, "high": high},
            )
            return None
        return value.quantize(Decimal("0.000001"))

    def whole(self, row, field):
        raw = row.get(field).replace(".", "").replace(" ", "")
        if not raw:
            return 0
        if not raw.isdigit():
            self.error(row, field, _("%(value)r is not a whole number") % {"value": row.get(field)})
            return 0
        return int(raw)

    def device(self, row, field="device_id") -> dict:
        device_id = row.get(field) or None
        if device_id:
            if device_id in self.device_ids:
                self.error(
                    row,
                    field,
                    _("device id %(id)s is also on row %(row)s") % {"id": device_id, "row": self.device_ids[device_id]},
                )
            self.device_ids[device_id] = row.number
        installed, retired = self.date(row, "installed_on"), self.date(row, "retired_on")
        if installed and retired and retired < installed:
            self.error(
                row,
                "retired_on",
                _("retired before it was installed (%(date)s)") % {"date": installed.strftime("%d/%m/%Y")},
            )
        return {
            "device_id": device_id,
            "model": row.get("model"),
            "sim_or_ip": row.get("sim_or_ip"),
            "latitude": self.decimal(row, "latitude", 8, 24),
            "longitude": self.decimal(row, "longitude", 102, 110),
            "installed_on": installed,
            "retired_on": retired,
            "notes": row.get("notes"),
        }


def _check_device_ids_free(rows: _Rows, model, planned: list[tuple[object, dict, object]], key_of) -> None:
    """A device id already used by another record (of this kind) is refused on the row that has it."""
    wanted = {values["device_id"]: (row, key) for row, values, key in planned if values["device_id"]}
    for record in model.objects.filter(device_id__in=wanted):
        row, key = wanted[record.device_id]
        if key_of(record) != key:
            rows.error(
                row,
                "device_id",
                _("device id %(id)s already belongs to %(other)s") % {"id": record.device_id, "other": record},
            )


def _write_by_name(
    model, name_field: str, planned: list[dict], filename: str, same: tuple[str, ...] = ()
) -> tuple[int, int]:
    """Create or update each planned record of a commune, matched by its name (diacritics and case
    ignored) among the commune's records with the same ``same`` fields, in one transaction with one
    import entry in the audit log; (created, updated)."""
    created = updated = 0
    with transaction.atomic():
        for values in planned:
            scope = {"commune": values["commune"]} | {f: values[f] for f in same}
            existing = {fold(getattr(r, name_field)): r for r in model.objects.filter(**scope)}
            record = existing.get(fold(values[name_field]))
            changes = {k: v for k, v in values.items() if k != name_field}
            if record is None:
                model.objects.create(**values)
                created += 1
            elif any(getattr(record, k) != v for k, v in changes.items()):
                for k, v in changes.items():
                    setattr(record, k, v)
                record.save()
                updated += 1
        audit.record(
            audit.AuditEntry.Action.IMPORT,
            model=model._meta.label_lower,
            object_repr=filename,
            after={"rows": len(planned), "created": created, "updated": updated},
        )
    return created, updated


def import_loudspeakers(source, *, user, filename: str | None = None) -> ImportResult:
    """One row per loudspeaker cluster; the station columns repeat on each of its clusters."""
    table = read_table(
        source, filename=filename, required=LOUDSPEAKER_COLUMNS, optional=LOUDSPEAKER_OPTIONAL, multiline=("notes",)
    )
    rows = _Rows(table.filename, user)
    stations: dict[tuple[int, str], dict] = {}
    clusters: list[tuple[object, dict, tuple]] = []
    seen: dict[tuple, int] = {}
    for row in table.rows:
        commune = rows.commune(row)
        station_name, cluster_name = row.get("station"), row.get("cluster")
        if not station_name:
            rows.error(row, "station", _("a station needs a name"))
        if not cluster_name:
            rows.error(row, "cluster", _("a cluster needs a name"))
        technology = _TECHNOLOGY.get(fold(row.get("technology")), None) if row.get("technology") else "ip"
        if technology is None:
            rows.error(
                row,
                "technology",
                _("unknown technology %(value)r (wired, FM or IP)") % {"value": row.get("technology")},
            )
        village = rows.village(row, commune)
        values = rows.device(row) | {"speakers": rows.whole(row, "speakers"), "village": village}
        if commune is None or not station_name or not cluster_name:
            continue
        key = (commune.id, fold(station_name), fold(cluster_name))
        if key in seen:
            rows.error(row, "cluster", _("duplicate of row %(row)s (same station and cluster)") % {"row": seen[key]})
            continue
        seen[key] = row.number
        station = stations.setdefault(
            (commune.id, fold(station_name)),
            {
                "row": row,
                "commune": commune,
                "name": station_name,
                "technology": technology,
                "device_id": row.get("station_device_id") or None,
            },
        )
        if row.get("station_device_id") and station["device_id"] != row.get("station_device_id"):
            rows.error(
                row,
                "station_device_id",
                _("differs from row %(row)s of the same station") % {"row": station["row"].number},
            )
        rows.errors.extend(
            limit_errors(
                table.filename,
                row.number,
                LoudspeakerCluster,
                {k: v for k, v in values.items() if k != "village"} | {"name": cluster_name},
                columns={"name": "cluster"},
            )
        )
        clusters.append((row, values, key))
    _check_device_ids_free(
        rows, LoudspeakerCluster, clusters, lambda c: (c.station.commune_id, fold(c.station.name), fold(c.name))
    )
    station_plans = [(s["row"], {"device_id": s["device_id"]}, key) for key, s in stations.items()]
    _check_device_ids_free(rows, RadioStation, station_plans, lambda s: (s.commune_id, fold(s.name)))
    if rows.errors:
        raise ImportFailed(rows.errors)
    created = updated = 0
    with transaction.atomic():
        by_key = {}
        for key, plan in stations.items():
            existing = {fold(s.name): s for s in RadioStation.objects.filter(commune=plan["commune"])}
            station = existing.get(key[1])
            if station is None:
                station = RadioStation.objects.create(
                    commune=plan["commune"],
                    name=plan["name"],
                    technology=plan["technology"],
                    device_id=plan["device_id"],
                )
                created += 1
            elif (station.technology, station.device_id) != (
                plan["technology"],
                plan["device_id"] or station.device_id,
            ):
                station.technology = plan["technology"]
                station.device_id = plan["device_id"] or station.device_id
                station.save()
                updated += 1
            by_key[key] = station
        for row, values, key in clusters:
            station = by_key[key[:2]]
            existing = {fold(c.name): c for c in station.clusters.all()}
            cluster = existing.get(key[2])
            if cluster is None:
                LoudspeakerCluster.objects.create(station=station, name=row.get("cluster"), **values)
                created += 1
            elif any(getattr(cluster, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(cluster, k, v)
                cluster.save()
                updated += 1
        audit.record(
            audit.AuditEntry.Action.IMPORT,
            model="channels.loudspeakercluster",
            object_repr=table.filename,
            after={"rows": len(clusters), "created": created, "updated": updated},
        )
    return ImportResult(table.filename, len(clusters), created, updated)


def import_boards(source, *, user, filename: str | None = None) -> ImportResult:
    table = read_table(source, filename=filename, required=BOARD_COLUMNS, optional=BOARD_OPTIONAL, multiline=("notes",))
    rows = _Rows(table.filename, user)
    planned: list[tuple[object, dict, tuple]] = []
    seen: dict[tuple, int] = {}
    for row in table.rows:
        commune = rows.commune(row)
        name = row.get("name")
        if not name:
            rows.error(row, "name", _("a board needs a name"))
        values = rows.device(row) | {"village": rows.village(row, commune)}
        if commune is None or not name:
            continue
        key = (commune.id, fold(name))
        if key in seen:
            rows.error(row, "name", _("duplicate of row %(row)s (same commune and name)") % {"row": seen[key]})
            continue
        seen[key] = row.number
        rows.errors.extend(
            limit_errors(
                table.filename,
                row.number,
                BulletinBoard,
                {k: v for k, v in values.items() if k != "village"} | {"name": name},
            )
        )
        planned.append((row, values | {"commune": commune, "name": name}, key))
    _check_device_ids_free(rows, BulletinBoard, planned, lambda b: (b.commune_id, fold(b.name)))
    if rows.errors:
        raise ImportFailed(rows.errors)
    created, updated = _write_by_name(BulletinBoard, "name", [values for _row, values, _key in planned], table.filename)
    return ImportResult(table.filename, len(planned), created, updated)


def _phone(rows: _Rows, row) -> str:
    """A valid Vietnamese number (phones.normalise_phone), kept as written in Vietnam: 0912345678."""
    raw = row.get("phone")
    if not raw:
        return ""
    try:
        return national(normalise_phone(raw))
    except ValidationError as exc:
        rows.error(row, "phone", " ".join(exc.messages))
        return ""


def import_propagandists(source, *, user, filename: str | None = None) -> ImportResult:
    """Grassroots propagandists: people, matched by commune and full name; the phone is encrypted."""
    from ketnoi.people.models import EthnicGroup

    table = read_table(source, filename=filename, required=PROPAGANDIST_COLUMNS, optional=PROPAGANDIST_OPTIONAL)
    rows = _Rows(table.filename, user)
    groups = {}
    for group in EthnicGroup.objects.all():
        for name in [group.name_vi, group.code_1979, *(group.aliases or [])]:
            groups[fold(str(name))] = group
    planned, seen = [], {}
    for row in table.rows:
        commune = rows.commune(row)
        name = row.get("full_name")
        if not name:
            rows.error(row, "full_name", _("a propagandist needs a full name"))
        group = groups.get(fold(row.get("ethnic_group"))) if row.get("ethnic_group") else None
        if row.get("ethnic_group") and group is None:
            rows.error(row, "ethnic_group", _("unknown ethnic group %(value)r") % {"value": row.get("ethnic_group")})
        values = {
            "phone": _phone(rows, row),
            "village": rows.village(row, commune),
            "ethnic_group": group,
            "languages": row.get("spoken_languages"),
        }
        if commune is None or not name:
            continue
        key = (commune.id, fold(name))
        if key in seen:
            rows.error(row, "full_name", _("duplicate of row %(row)s (same commune and name)") % {"row": seen[key]})
            continue
        seen[key] = row.number
        rows.errors.extend(
            limit_errors(
                table.filename,
                row.number,
                Propagandist,
                {"full_name": name, "languages": values["languages"]},
                columns={"languages": "spoken_languages"},
            )
        )
        planned.append((values | {"commune": commune, "full_name": name}, key))
    if rows.errors:
        raise ImportFailed(rows.errors)
    created, updated = _write_by_name(Propagandist, "full_name", [values for values, _key in planned], table.filename)
    return ImportResult(table.filename, len(planned), created, updated)


def import_accounts(source, *, user, filename: str | None = None) -> ImportResult:
    """SMS brand names and messaging or social accounts, matched by commune, platform and name."""
    table = read_table(source, filename=filename, required=ACCOUNT_COLUMNS, optional=ACCOUNT_OPTIONAL)
    rows = _Rows(table.filename, user)
    platforms = _platforms()
    planned, seen = [], {}
    for row in table.rows:
        commune = rows.commune(row)
        platform = platforms.get(fold(row.get("platform")))
        if platform is None:
            rows.error(row, "platform", _("unknown platform %(value)r") % {"value": row.get("platform")})
        handle = row.get("handle")
        if not handle:
            rows.error(row, "handle", _("an account needs a name or sender"))
        in_use = _YES_NO.get(fold(row.get("in_use")))
        if in_use is None:
            rows.error(row, "in_use", _("%(value)r is not yes or no") % {"value": row.get("in_use")})
        followers = rows.whole(row, "followers") if row.get("followers") else None
        if commune is None or platform is None or not handle:
            continue
        key = (commune.id, platform, fold(handle))
        if key in seen:
            rows.error(
                row, "handle", _("duplicate of row %(row)s (same commune, platform and name)") % {"row": seen[key]}
            )
            continue
        seen[key] = row.number
        values = {
            "commune": commune,
            "platform": platform,
            "handle": handle,
            "url": row.get("url"),
            "followers": followers,
            "active": bool(in_use),
        }
        rows.errors.extend(
            limit_errors(table.filename, row.number, MessagingAccount, {"handle": handle, "url": values["url"]})
        )
        planned.append(values)
    if rows.errors:
        raise ImportFailed(rows.errors)
    created, updated = _write_by_name(MessagingAccount, "handle", planned, table.filename, same=("platform",))
    return ImportResult(table.filename, len(planned), created, updated)


SMS_RECIPIENT_COLUMNS = ["commune_code", "phone"]
SMS_RECIPIENT_OPTIONAL = ["village", "language_code"]


def import_sms_recipients(source, *, user, filename: str | None = None) -> ImportResult:
    """People who asked for the commune's SMS bulletins (with their consent on record at the commune):
    matched by commune and number, stored encrypted in E.164; an opted-out number stays opted out."""
    from ketnoi.core import crypto
    from ketnoi.people.models import Language

    from .models import SmsRecipient

    table = read_table(source, filename=filename, required=SMS_RECIPIENT_COLUMNS, optional=SMS_RECIPIENT_OPTIONAL)
    rows = _Rows(table.filename, user)
    languages = {}
    for language in Language.objects.all():
        for name in (language.bcp47, language.iso639_3, language.name_vi, language.name_en):
            languages[fold(name)] = language
    vietnamese = languages[fold("vi")]
    planned, seen = [], {}
    for row in table.rows:
        commune = rows.commune(row)
        try:
            phone = normalise_phone(row.get("phone") or "", for_sms=True)
        except ValidationError as exc:
            rows.error(row, "phone", " ".join(exc.messages))
            phone = ""
        written = row.get("language_code")
        language = languages.get(fold(written)) if written else vietnamese
        if language is None:
            rows.error(row, "language_code", _("unknown language %(value)r") % {"value": written})
        village = rows.village(row, commune)
        if commune is None or not phone or language is None:
            continue
        key = (commune.id, phone)
        if key in seen:
            rows.error(row, "phone", _("duplicate of row %(row)s (same commune and number)") % {"row": seen[key]})
            continue
        seen[key] = row.number
        planned.append({"commune": commune, "phone": phone, "language": language, "village": village})
    if rows.errors:
        raise ImportFailed(rows.errors)
    created = updated = 0
    with transaction.atomic():
        for values in planned:
            index = crypto.blind_index(values["phone"], crypto.normalise_contact)
            record = SmsRecipient.objects.filter(commune=values["commune"], phone_index=index).first()
            if record is None:
                SmsRecipient.objects.create(**values)
                created += 1
            elif record.language != values["language"] or values["village"] not in (None, record.village):
                # an empty village keeps the one on record
                record.language, record.village = values["language"], values["village"] or record.village
                record.save()
                updated += 1
        audit.record(
            audit.AuditEntry.Action.IMPORT,
            model=SmsRecipient._meta.label_lower,
            object_repr=table.filename,
            after={"rows": len(planned), "created": created, "updated": updated},
        )
    return ImportResult(table.filename, len(planned), created, updated)


# The kinds of inventory file, by the name the import page and the API give them.
IMPORTERS = {
    "loudspeakers": import_loudspeakers,
    "boards": import_boards,
    "propagandists": import_propagandists,
    "accounts": import_accounts,
    "sms_recipients": import_sms_recipients,
}
