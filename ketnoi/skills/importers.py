"""Imports of digital-skills sessions with their participation counts, of commune figures (IT
access, prestigious persons) and of targets, from CSV or XLSX (core/importing.py): every row is
checked first, errors name file, row and field, and the whole file is written in one transaction or
nothing is. Importing the same file again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from ketnoi.core import audit
from ketnoi.core.importing import ImportFailed, read_table
from ketnoi.core.roles import DATA_ENTER
from ketnoi.core.text import fold, normalize_text
from ketnoi.geo.importing import UnitRows
from ketnoi.geo.models import AdminUnit
from ketnoi.orgs.models import Agency
from ketnoi.people.models import EthnicGroup, Language

from .models import AgeBand, CommuneFigures, Course, Participation, Role, Session, Sex, Target, Trainer

SESSION_COLUMNS = ["commune_code", "session", "course_code", "start_date", "sex", "age_band", "role", "count"]
SESSION_OPTIONAL = [
    "course_title",
    "end_date",
    "village",
    "language_code",
    "trainers",
    "trainer_agency",
    "ethnic_group",
]
FIGURES_COLUMNS = ["commune_code", "year"]
FIGURES_OPTIONAL = [
    "prestigious_persons",
    "households",
    "households_smartphone",
    "households_internet",
    "coverage_4g",
    "source",
]
TARGET_COLUMNS = ["province_code", "year", "role", "percent"]
TARGET_OPTIONAL = ["source"]


def _choices(enum) -> dict[str, str]:
    """A choice as a file may write it: its code or its label (diacritics and case ignored)."""
    from django.conf import settings
    from django.utils import translation

    names = {fold(value): value for value in enum.values}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names |= {fold(str(label)): value for value, label in enum.choices}
    return names


_SEX_EXTRA = {"nu": Sex.FEMALE, "f": Sex.FEMALE, "nam": Sex.MALE, "m": Sex.MALE}
_ROLE_EXTRA = {"truong thon": Role.VILLAGE_HEAD, "nguoi co uy tin": Role.PRESTIGIOUS, "khac": Role.OTHER}


@dataclass
class ImportResult:
    filename: str
    rows: int
    created: int
    updated: int


class _Rows(UnitRows):
    def __init__(self, filename: str, user):
        super().__init__(filename, user, DATA_ENTER)
        self._units: dict[tuple[str, str], AdminUnit | None] = {}  # (level, code) → unit, read once

    def fail_if_any(self) -> None:
        if self.errors:
            raise ImportFailed(self.errors)

    def unit(self, row, field, level):
        code = row.get(field)
        width = 5 if level == "commune" else 2
        code = code.zfill(width) if code.isdigit() else code
        if (level, code) not in self._units:
            self._units[level, code] = AdminUnit.objects.filter(structure="current", level=level, code=code).first()
        unit = self._units[level, code]
        if unit is None:
            self.error(row, field, _("unknown code %(code)r (current NSO codes)") % {"code": code})
            return None
        province_id = unit.id if level == "province" else unit.province_id
        commune_id = unit.id if level == "commune" else None
        if not self.scope.covers(province_id, commune_id):
            self.error(row, field, _("%(name)s is outside your area") % {"name": unit.name})
            return None
        return unit

    def whole(self, row, field, *, required=False, high=10_000_000):
        raw = row.get(field).replace(".", "").replace(" ", "")
        if not raw:
            if required:
                self.error(row, field, _("a number is needed"))
            return None
        if not raw.isdigit():
            self.error(row, field, _("%(value)r is not a whole number") % {"value": row.get(field)})
            return None
        if int(raw) > high:
            self.error(row, field, _("%(value)s is more than %(high)s") % {"value": raw, "high": high})
            return None
        return int(raw)

    def percent(self, row, field, *, required=False):
        raw = row.get(field).replace(",", ".").rstrip("%").strip()
        if not raw:
            if required:
                self.error(row, field, _("a number is needed"))
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.error(row, field, _("%(value)r is not a number") % {"value": row.get(field)})
            return None
        if not value.is_finite() or not 0 <= value <= 100:
            self.error(row, field, _("%(value)s is not a share between 0 and 100") % {"value": raw})
            return None
        return value.quantize(Decimal("0.01"))

    def year(self, row, field="year"):
        value = self.whole(row, field, required=True, high=2100)
        if value is not None and value < 2000:
            self.error(row, field, _("%(value)s is not a year of the programme") % {"value": value})
            return None
        return value

    def choice(self, row, field, names, message):
        raw = row.get(field)
        value = names.get(fold(raw))
        if value is None:
            self.error(row, field, message % {"value": raw})
        return value


def _lookup_groups() -> dict[str, EthnicGroup]:
    groups = {}
    for group in EthnicGroup.objects.all():
        for name in [group.name_vi, group.code_1979, *(group.aliases or [])]:
            groups[fold(str(name))] = group
    return groups


def _lookup_languages() -> dict[str, Language]:
    names = {}
    for language in Language.objects.all():
        for name in [language.iso639_3, language.bcp47, language.name_vi, language.name_en]:
            if name:
                names[fold(name)] = language
    return names


def import_sessions(source, *, user, filename: str | None = None) -> ImportResult:
    """One row per participation cell (ethnic group × sex × age band × role); the session columns
    repeat on each of its rows and must agree. A session in the file gets exactly the file's cells."""
    table = read_table(source, filename=filename, required=SESSION_COLUMNS, optional=SESSION_OPTIONAL)
    rows = _Rows(table.filename, user)
    courses = {fold(c.code): c for c in Course.objects.all()}
    groups, languages = _lookup_groups(), _lookup_languages()
    agencies = {fold(a.code): a for a in Agency.objects.only("id", "code")}
    sexes = _choices(Sex) | _SEX_EXTRA
    roles = _choices(Role) | _ROLE_EXTRA
    bands = {fold(v): v for v in AgeBand.values} | {fold(label): v for v, label in AgeBand.choices}
    sessions: dict[tuple[int, str], dict] = {}
    cells: dict[tuple, int] = {}
    new_courses: dict[str, dict] = {}
    untitled = []  # rows naming a course that neither exists nor has its title on some row
    for row in table.rows:
        commune = rows.unit(row, "commune_code", "commune")
        reference = row.get("session")
        if not reference:
            rows.error(row, "session", _("a session needs a reference (its number within the commune)"))
        elif len(reference) > 40:
            rows.error(row, "session", _("at most 40 characters"))
        course_code = row.get("course_code")
        if fold(course_code) not in courses:
            if row.get("course_title"):
                new_courses.setdefault(
                    fold(course_code), {"code": course_code[:40], "title": row.get("course_title")[:300]}
                )
            else:
                untitled.append(row)
        start, end = rows.date(row, "start_date"), rows.date(row, "end_date")
        if start is None and not row.get("start_date"):
            rows.error(row, "start_date", _("a session needs a start date"))
        if start and end and end < start:
            rows.error(row, "end_date", _("the session ends before it starts"))
        language = None
        if row.get("language_code"):
            language = languages.get(fold(row.get("language_code")))
            if language is None:
                rows.error(row, "language_code", _("unknown language %(value)r") % {"value": row.get("language_code")})
        group = None
        if row.get("ethnic_group"):
            group = groups.get(fold(row.get("ethnic_group")))
            if group is None:
                rows.error(
                    row, "ethnic_group", _("unknown ethnic group %(value)r") % {"value": row.get("ethnic_group")}
                )
        sex = rows.choice(row, "sex", sexes, _("unknown sex %(value)r (female or male)"))
        band = rows.choice(row, "age_band", bands, _("unknown age band %(value)r (15-24, 25-39, 40-59, 60+)"))
        role = rows.choice(row, "role", roles, _("unknown role %(value)r (village_head, prestigious, other)"))
        count = rows.whole(row, "count", required=True, high=100000)
        trainers = tuple(sorted({normalize_text(n) for n in row.get("trainers").split(";") if n.strip()}))
        if any(len(n) > 200 for n in trainers):
            rows.error(row, "trainers", _("a trainer's name has at most 200 characters"))
        agency = None
        if row.get("trainer_agency"):
            agency = agencies.get(fold(row.get("trainer_agency")))
            if agency is None:
                rows.error(
                    row,
                    "trainer_agency",
                    _("unknown agency %(value)r (its code)") % {"value": row.get("trainer_agency")},
                )
        village = rows.village(row, commune)
        if commune is None or not reference:
            continue
        values = {
            "course": fold(course_code),
            "start_date": start,
            "end_date": end or start,
            "village": village.pk if village else None,
            "language": language.pk if language else None,
            "trainers": tuple((name, agency.pk if agency else None) for name in trainers),
        }
        key = (commune.pk, reference)
        first = sessions.setdefault(key, {"commune": commune, "reference": reference, "row": row, **values})
        for name, value in values.items():
            if first[name] != value:
                rows.error(
                    row,
                    name if name != "course" else "course_code",
                    _("differs from row %(row)s of the same session") % {"row": first["row"].number},
                )
        cell = (key, group.pk if group else None, sex, band, role)
        if None not in (sex, band, role):
            if cell in cells:
                rows.error(row, "count", _("the same cell is also on row %(row)s") % {"row": cells[cell]})
            cells[cell] = row.number
            first.setdefault("cells", {})[cell[1:]] = count or 0
    for row in untitled:
        if fold(row.get("course_code")) not in new_courses:
            rows.error(
                row,
                "course_code",
                _("unknown course %(code)r: give its course_title to add it") % {"code": row.get("course_code")},
            )
    rows.errors.sort(key=lambda e: e.row or 0)
    rows.fail_if_any()
    return _write_sessions(table.filename, len(table.rows), sessions, new_courses)


def _write_sessions(filename, nrows, sessions, new_courses) -> ImportResult:
    created = updated = 0
    with transaction.atomic():
        courses = {fold(c.code): c for c in Course.objects.all()}
        for key, values in new_courses.items():
            courses[key] = Course.objects.create(**values)
        trainers = {(t.search_key, t.agency_id): t for t in Trainer.objects.all()}
        for (commune_id, reference), planned in sessions.items():
            fields = {
                "course": courses[planned["course"]],
                "start_date": planned["start_date"],
                "end_date": planned["end_date"],
                "village_id": planned["village"],
                "language_id": planned["language"],
            }
            session = Session.objects.filter(commune_id=commune_id, reference=reference).first()
            changed = new = False
            if session is None:
                session = Session.objects.create(commune_id=commune_id, reference=reference, **fields)
                created += 1
                new = True
            elif any(getattr(session, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(session, k, v)
                session.save()
                changed = True
            wanted = []
            for name, agency_id in planned["trainers"]:  # a trainer is a name within an agency
                trainer = trainers.get((fold(name), agency_id))
                if trainer is None:
                    trainer = trainers[(fold(name), agency_id)] = Trainer.objects.create(
                        full_name=name, search_key=fold(name), agency_id=agency_id
                    )
                wanted.append(trainer)
            if {t.pk for t in session.trainers.all()} != {t.pk for t in wanted}:
                session.trainers.set(wanted)
                changed = True
            have = {(p.ethnic_group_id, p.sex, p.age_band, p.role): p.count for p in session.participation.all()}
            if have != planned.get("cells", {}):
                session.participation.all().delete()
                Participation.objects.bulk_create(
                    Participation(session=session, ethnic_group_id=g, sex=s, age_band=b, role=r, count=n)
                    for (g, s, b, r), n in planned.get("cells", {}).items()
                )
                changed = True
            if changed and not new:
                updated += 1
        audit.record(
            audit.AuditEntry.Action.IMPORT,
            model="skills.session",
            object_repr=filename,
            after={"rows": nrows, "created": created, "updated": updated},
        )
    return ImportResult(filename, nrows, created, updated)


def import_figures(source, *, user, filename: str | None = None) -> ImportResult:
    """One row per commune and year: prestigious persons, households, IT access, with the source.
    An empty cell leaves the value as it was."""
    table = read_table(source, filename=filename, required=FIGURES_COLUMNS, optional=FIGURES_OPTIONAL)
    rows = _Rows(table.filename, user)
    planned: dict[tuple[int, int], dict] = {}
    seen: dict[tuple[int, int], int] = {}
    for row in table.rows:
        commune = rows.unit(row, "commune_code", "commune")
        year = rows.year(row)
        values = {
            name: rows.whole(row, name)
            for name in ("prestigious_persons", "households", "households_smartphone", "households_internet")
        }
        values["coverage_4g"] = rows.percent(row, "coverage_4g")
        if row.get("source"):
            values["source"] = row.get("source")[:300]
        for part in ("households_smartphone", "households_internet"):
            if values["households"] is not None and values[part] is not None and values[part] > values["households"]:
                rows.error(row, part, _("more than the %(n)s households of the commune") % {"n": values["households"]})
        if commune is None or year is None:
            continue
        key = (commune.pk, year)
        if key in seen:
            rows.error(row, "year", _("the same commune and year are also on row %(row)s") % {"row": seen[key]})
        seen[key] = row.number
        planned[key] = {k: v for k, v in values.items() if v is not None}
    rows.fail_if_any()
    created = updated = 0
    with transaction.atomic():
        for (commune_id, year), values in planned.items():
            record, made = CommuneFigures.objects.get_or_create(commune_id=commune_id, year=year, defaults=values)
            if made:
                created += 1
            elif any(getattr(record, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(record, k, v)
                record.save()
                updated += 1
        audit.record(
            audit.AuditEntry.Action.IMPORT,
            model="skills.communefigures",
            object_repr=table.filename,
            after={"rows": len(table.rows), "created": created, "updated": updated},
        )
    return ImportResult(table.filename, len(table.rows), created, updated)


def import_targets(source, *, user, filename: str | None = None) -> ImportResult:
    """One row per province, year and role (village_head or prestigious): the percent to train."""
    table = read_table(source, filename=filename, required=TARGET_COLUMNS, optional=TARGET_OPTIONAL)
    rows = _Rows(table.filename, user)
    roles = _choices(Role) | _ROLE_EXTRA
    planned: dict[tuple, dict] = {}
    for row in table.rows:
        province = rows.unit(row, "province_code", "province")
        year = rows.year(row)
        role = rows.choice(row, "role", roles, _("unknown role %(value)r (village_head, prestigious, other)"))
        percent = rows.percent(row, "percent", required=True)
        if None in (province, year, role, percent):
            continue
        planned[(province.pk, year, role)] = {"percent": percent, "source": row.get("source")[:300]}
    rows.fail_if_any()
    created = updated = 0
    with transaction.atomic():
        for (province_id, year, role), values in planned.items():
            record, made = Target.objects.get_or_create(province_id=province_id, year=year, role=role, defaults=values)
            if made:
                created += 1
            elif any(getattr(record, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(record, k, v)
                record.save()
                updated += 1
        audit.record(
            audit.AuditEntry.Action.IMPORT,
            model="skills.target",
            object_repr=table.filename,
            after={"rows": len(table.rows), "created": created, "updated": updated},
        )
    return ImportResult(table.filename, len(table.rows), created, updated)


IMPORTERS = {"sessions": import_sessions, "figures": import_figures, "targets": import_targets}
