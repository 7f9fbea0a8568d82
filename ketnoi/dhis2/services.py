"""Export and import of aggregate values as DHIS2 dataValueSets (JSON) and ADX (XML).

An import reads the whole payload, validates every value (codes, period, value type and range, the
importer's area, duplicates, locks) and only then writes everything through
``indicators.services.data_values_save`` in one transaction: all or nothing (docs/dhis2.md)."""

import datetime as dt
import json
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ketnoi.core.importing import ImportFailed, RowError
from ketnoi.core.roles import DATA_ENTER, PROGRAMMES_VIEW
from ketnoi.core.scoping import allows, restrict
from ketnoi.indicators.models import DataElement, DataValue
from ketnoi.indicators.periods import InvalidPeriod, parse_period
from ketnoi.indicators.services import data_values_save, disaggregation_key
from ketnoi.people.models import EthnicGroup, Language

from . import periods
from .mappings import Mapping, load_mapping

ADX_NS = "urn:ihe:qrph:adx:2015"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_VALUES = 10_000  # ~12 ms a value through data_values_save: a 10 000-value file is ~2 minutes


def max_bytes() -> int:
    return int(getattr(settings, "DHIS2_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_values() -> int:
    return int(getattr(settings, "DHIS2_IMPORT_MAX_VALUES", DEFAULT_MAX_VALUES))


@dataclass
class Item:
    """One data value of a payload, as DHIS2 writes it, with where it stands in the file."""

    position: str  # "dataValues[3]" or "group 2, dataValue 1"
    line: int | None
    data_element: str
    period: str
    org_unit: str
    combo: str
    attribute_combo: str
    value: str
    comment: str
    kn_period: str = ""  # the Kết Nối period already read (ADX intervals are converted while parsing)


# ---- export --------------------------------------------------------------------------------


def _kn_period(text: str) -> str:
    """A period given to an export in any of the three spellings (2025M07, 202507, 2025-07-01/P1M)."""
    text = (text or "").strip()
    if "/" in text:
        return periods.from_adx(text)
    try:
        return periods.from_dhis2(text)
    except InvalidPeriod:
        return parse_period(text).code


@dataclass
class Export:
    values: list[dict]  # dataValues as DHIS2 writes them
    unmapped: int  # values left out because an element, unit or disaggregation has no mapping


def export_values(*, user, elements=(), periods_=(), units=(), mapping: Mapping | None = None) -> Export:
    """The values the user may see (programmes.view in their area), in DHIS2 codes. ``elements`` are
    Kết Nối or DHIS2 element codes, ``units`` Kết Nối or DHIS2 unit codes, ``periods_`` any spelling."""
    mapping = mapping or load_mapping()
    queryset = restrict(DataValue.objects.select_related("element", "unit"), user, PROGRAMMES_VIEW)
    if elements:
        codes = [mapping.element_from[c].code if c in mapping.element_from else c for c in elements]
        queryset = queryset.filter(element__code__in=codes)
    if periods_:
        try:
            queryset = queryset.filter(period__in=[_kn_period(p) for p in periods_])
        except InvalidPeriod as exc:
            raise ValidationError({"period": exc.message}) from None
    if units:
        ids = [mapping.unit_from[c].pk for c in units if c in mapping.unit_from]
        queryset = queryset.filter(unit_id__in=ids) | queryset.filter(unit__code__in=list(units))
    rows, unmapped = [], 0
    for value in queryset.order_by("element__code", "period_start", "unit__code", "disaggregation"):
        element = mapping.element_to.get(value.element_id)
        unit = mapping.unit_to.get(value.unit_id)
        combo = mapping.combo_to.get(value.disaggregation)
        if element is None or unit is None or (combo is None and value.disaggregation):
            unmapped += 1
            continue
        row = {
            "dataElement": element,
            "period": periods.to_dhis2(value.period),
            "orgUnit": unit,
            "value": _number(value.value),
        }
        if combo is not None:
            row["categoryOptionCombo"] = combo
        if value.comment:
            row["comment"] = value.comment
        rows.append(row)
    return Export(rows, unmapped)


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def as_json(export: Export, *, id_scheme: str = "CODE") -> str:
    body = {"idScheme": id_scheme, "dataValues": export.values}
    return json.dumps(body, ensure_ascii=False, indent=1)


def as_adx(export: Export, *, data_set: str) -> bytes:
    """ADX: one group per organisation unit and period, each value's combo as categoryOptionCombo."""
    root = ET.Element("adx", {"xmlns": ADX_NS, "exported": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})
    groups: dict[tuple[str, str], ET.Element] = {}
    for row in export.values:
        key = (row["orgUnit"], row["period"])
        if key not in groups:
            adx_period = periods.to_adx(periods.from_dhis2(row["period"]))
            groups[key] = ET.SubElement(
                root, "group", {"orgUnit": row["orgUnit"], "period": adx_period, "dataSet": data_set}
            )
        attrs = {"dataElement": row["dataElement"]}
        if "categoryOptionCombo" in row:
            attrs["categoryOptionCombo"] = row["categoryOptionCombo"]
        attrs["value"] = row["value"]
        value = ET.SubElement(groups[key], "dataValue", attrs)
        if row.get("comment"):
            ET.SubElement(value, "annotation").text = row["comment"]
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# ---- parsing -------------------------------------------------------------------------------


@dataclass
class Parsed:
    """The values read, and the errors of values that could not be read (reported together with the
    errors found when validating the others; a file that cannot be read at all raises at once)."""

    items: list[Item]
    errors: list[RowError]


def _fail(filename: str, message: str, line: int | None = None, field: str | None = None):
    raise ImportFailed([RowError(filename, line, field, message)])


def _check_size(data: bytes, filename: str) -> None:
    if len(data) > max_bytes():
        _fail(filename, _("The file is larger than the limit of %(limit)s bytes.") % {"limit": max_bytes()})
    if not data.strip():
        _fail(filename, _("The file is empty."))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        raise TypeError
    return unicodedata.normalize("NFC", value.strip())


def parse_json(data: bytes, *, filename: str = "dataValueSets.json") -> "Parsed":
    _check_size(data, filename)
    try:
        body = json.loads(data.decode("utf-8-sig"), parse_float=str, parse_int=str)
    except UnicodeDecodeError:
        _fail(filename, _("The file is not UTF-8 text."))
    except json.JSONDecodeError as exc:
        _fail(
            filename,
            _("Not valid JSON: %(error)s (column %(column)s).") % {"error": exc.msg, "column": exc.colno},
            exc.lineno,
        )
    except RecursionError:
        _fail(filename, _("The JSON is nested too deeply."))
    if not isinstance(body, dict) or not isinstance(body.get("dataValues"), list):
        _fail(filename, _('A dataValueSet is an object with a list "dataValues".'))
    if len(body["dataValues"]) > max_values():
        _fail(filename, _("More than %(limit)s values in one file.") % {"limit": max_values()})
    scheme = {k: str(body.get(k) or "").upper() for k in ("idScheme", "dataElementIdScheme", "orgUnitIdScheme")}
    for key, scheme_value in scheme.items():
        if scheme_value and scheme_value not in ("CODE", "UID"):
            _fail(
                filename,
                _("%(key)s %(value)s is not supported (use CODE or UID).") % {"key": key, "value": scheme_value},
                field=key,
            )
    defaults = {}
    for key in ("dataSet", "period", "orgUnit", "attributeOptionCombo"):
        try:
            defaults[key] = _text(body.get(key))
        except TypeError:
            _fail(filename, _("%(key)s must be a string.") % {"key": key}, field=key)
    items, errors = [], []
    for index, raw in enumerate(body["dataValues"]):
        position = f"dataValues[{index}]"
        if not isinstance(raw, dict):
            errors.append(RowError(filename, None, position, _("A data value is an object.")))
            continue
        try:
            fields = {
                k: _text(raw.get(k))
                for k in (
                    "dataElement",
                    "period",
                    "orgUnit",
                    "categoryOptionCombo",
                    "attributeOptionCombo",
                    "value",
                    "comment",
                )
            }
        except TypeError:
            errors.append(RowError(filename, None, position, _("The fields of a data value are strings or numbers.")))
            continue
        items.append(
            Item(
                position=position,
                line=None,
                data_element=fields["dataElement"],
                period=fields["period"] or defaults["period"],
                org_unit=fields["orgUnit"] or defaults["orgUnit"],
                combo=fields["categoryOptionCombo"],
                attribute_combo=fields["attributeOptionCombo"] or defaults["attributeOptionCombo"],
                value=fields["value"],
                comment=fields["comment"],
            )
        )
    return Parsed(items, errors)


class _Lines(ET.TreeBuilder):
    def __init__(self):
        super().__init__()
        self.parser = None
        self.lines: dict[int, int] = {}

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_adx(data: bytes, *, filename: str = "dataValueSets.adx") -> "Parsed":
    """ADX through defusedxml: a DTD, entity declarations and external references are refused."""
    _check_size(data, filename)
    builder = _Lines()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        _fail(
            filename,
            _(
                "The file declares a DTD or XML entities (%(what)s); they are refused because they can "
                "read local files or expand without limit."
            )
            % {"what": type(exc).__name__},
        )
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        _fail(
            filename,
            _("Not well-formed XML: %(reason)s (column %(column)s).")
            % {"reason": str(exc).split(":")[0], "column": column},
            line,
        )
    except RecursionError:
        _fail(filename, _("The XML is nested too deeply."))
    if _local(root.tag) != "adx" or (root.tag.startswith("{") and root.tag[1:].split("}")[0] != ADX_NS):
        _fail(filename, _("The root element must be <adx> in the namespace %(ns)s.") % {"ns": ADX_NS}, 1)
    items, errors = [], []
    for g_index, group in enumerate(root, start=1):
        g_line = builder.lines.get(id(group))
        if _local(group.tag) != "group":
            errors.append(
                RowError(
                    filename,
                    g_line,
                    None,
                    _("Unexpected element <%(tag)s>; an ADX file holds <group> elements.") % {"tag": _local(group.tag)},
                )
            )
            continue
        for required in ("orgUnit", "period"):
            if not group.get(required):
                errors.append(
                    RowError(filename, g_line, f"group {g_index}", _("The group has no %(attr)s.") % {"attr": required})
                )
        try:
            period = periods.from_adx(group.get("period", "")) if group.get("period") else ""
        except InvalidPeriod as exc:
            errors.append(RowError(filename, g_line, f"group {g_index}", exc.message))
            continue
        for v_index, value in enumerate(group, start=1):
            line = builder.lines.get(id(value))
            position = f"group {g_index}, dataValue {v_index}"
            if _local(value.tag) != "dataValue":
                errors.append(
                    RowError(filename, line, position, _("Unexpected element <%(tag)s>.") % {"tag": _local(value.tag)})
                )
                continue
            extra = sorted(set(value.attrib) - {"dataElement", "value", "categoryOptionCombo"})
            if extra:
                errors.append(
                    RowError(
                        filename,
                        line,
                        position,
                        _("Disaggregation by category attributes (%(names)s) is not mapped; give categoryOptionCombo.")
                        % {"names": ", ".join(extra)},
                    )
                )
                continue
            annotation = next((c for c in value if _local(c.tag) == "annotation"), None)
            items.append(
                Item(
                    position=position,
                    line=line,
                    data_element=_text(value.get("dataElement")),
                    period=_text(group.get("period")),
                    kn_period=period,
                    org_unit=_text(group.get("orgUnit")),
                    combo=_text(value.get("categoryOptionCombo")),
                    attribute_combo=_text(group.get("attributeOptionCombo")),
                    value=_text(value.get("value")),
                    comment=_text(annotation.text if annotation is not None else ""),
                )
            )
            if len(items) > max_values():
                _fail(filename, _("More than %(limit)s values in one file.") % {"limit": max_values()})
    return Parsed(items, errors)


# ---- import --------------------------------------------------------------------------------


@dataclass
class Planned:
    item: Item
    element: DataElement
    unit: object
    period: str
    key: str
    number: Decimal
    ethnic_group: object
    sex: str
    language: object
    existing: DataValue | None


def _value(raw: str, element: DataElement) -> Decimal:
    if element.value_type == DataElement.ValueType.YES_NO and raw.lower() in ("true", "false"):
        return Decimal(1 if raw.lower() == "true" else 0)
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValueError(_("%(value)s is not a number.") % {"value": repr(raw)[:30]}) from None
    if not number.is_finite():
        raise ValueError(_("%(value)s is not a number.") % {"value": repr(raw)[:30]})
    if element.value_type == DataElement.ValueType.INTEGER and number != number.to_integral_value():
        raise ValueError(_("%(code)s takes whole numbers.") % {"code": element.code})
    if element.value_type == DataElement.ValueType.PERCENTAGE and not (0 <= number <= 100):
        raise ValueError(_("A percentage is between 0 and 100."))
    if element.value_type == DataElement.ValueType.YES_NO and number not in (0, 1):
        raise ValueError(_("Yes/no takes 1 or 0 (or true/false)."))
    if element.min_value is not None and number < element.min_value:
        raise ValueError(_("At least %(min)s.") % {"min": _number(element.min_value)})
    if element.max_value is not None and number > element.max_value:
        raise ValueError(_("At most %(max)s.") % {"max": _number(element.max_value)})
    if abs(number) >= Decimal(10) ** 16:
        raise ValueError(_("The number is too large."))
    return number


def _dimensions(key: str, groups: dict, languages: dict):
    """The ethnic group, sex and language of a disaggregation key ("eg=08;sex=female")."""
    ethnic_group, sex, language = None, "", None
    for part in filter(None, key.split(";")):
        name, _sep, code = part.partition("=")
        if name == "eg" and code in groups:
            ethnic_group = groups[code]
        elif name == "sex" and code in ("female", "male"):
            sex = code
        elif name == "lang" and code in languages:
            language = languages[code]
        else:
            raise ValueError(_("The disaggregation %(part)s cannot be imported.") % {"part": part})
    return ethnic_group, sex, language


@dataclass
class Summary:
    imported: int = 0
    updated: int = 0
    ignored: int = 0

    def as_dict(self) -> dict:
        return {
            "responseType": "ImportSummary",
            "status": "SUCCESS",
            "importCount": {"imported": self.imported, "updated": self.updated, "ignored": self.ignored, "deleted": 0},
            "conflicts": [],
        }


def import_values(
    *, user, items: list[Item], filename: str, dry_run: bool = False, errors: list[RowError] | None = None
) -> Summary:
    """Validate every item, then write all of them (or, with an error anywhere, nothing)."""
    mapping = load_mapping()
    groups = {g.code_1979: g for g in EthnicGroup.objects.all()}
    languages = {lang.iso639_3: lang for lang in Language.objects.all()}
    default_combos = {code for code, key in mapping.combo_from.items() if key == ""}
    errors = list(errors or [])
    planned: list[Planned] = []
    seen: dict[tuple, str] = {}
    summary = Summary()

    def error(item: Item, message: str):
        errors.append(RowError(filename, item.line, item.position, message))

    for item in items:
        element = mapping.element_from.get(item.data_element)
        unit = mapping.unit_from.get(item.org_unit)
        problems = []
        if not item.data_element:
            problems.append(_("No dataElement."))
        elif element is None:
            problems.append(_("Unknown data element %(code)s (not in the mapping).") % {"code": item.data_element})
        if not item.org_unit:
            problems.append(_("No orgUnit."))
        elif unit is None:
            problems.append(_("Unknown organisation unit %(code)s (not in the mapping).") % {"code": item.org_unit})
        elif not allows(user, DATA_ENTER, unit):
            problems.append(_("The organisation unit %(code)s is outside your area.") % {"code": item.org_unit})
        period = ""
        if item.kn_period:
            period = item.kn_period
        elif not item.period:
            problems.append(_("No period."))
        else:
            try:
                period = periods.from_dhis2(item.period)
            except InvalidPeriod as exc:
                problems.append(exc.message)
        key = ""
        if item.combo:
            if item.combo in mapping.combo_from:
                key = mapping.combo_from[item.combo]
            else:
                problems.append(
                    _("Unknown category option combo %(code)s (not in the mapping).") % {"code": item.combo}
                )
        if item.attribute_combo and item.attribute_combo not in default_combos:
            problems.append(
                _("The attribute option combo %(code)s is not the default one; Kết Nối keeps none other.")
                % {"code": item.attribute_combo}
            )
        if len(item.comment) > 500:
            problems.append(_("The comment is longer than 500 characters."))
        dims = (None, "", None)
        if element is not None:
            if element.source == "logs":
                problems.append(
                    _("%(code)s is computed from the logs and cannot be imported.") % {"code": item.data_element}
                )
            try:
                dims = _dimensions(key, groups, languages)
                key = disaggregation_key(ethnic_group=dims[0], sex=dims[1], language=dims[2])
            except ValueError as exc:
                problems.append(str(exc))
            else:
                for dimension, given in zip(("ethnic_group", "sex", "language"), dims, strict=True):
                    if given and dimension not in element.disaggregations:
                        problems.append(
                            _("%(code)s is not broken down by %(dim)s.") % {"code": item.data_element, "dim": dimension}
                        )
        if problems:
            for message in problems:
                error(item, message)
            continue
        if item.value == "":
            summary.ignored += 1  # DHIS2 would delete; an exchange file never deletes here
            continue
        try:
            number = _value(item.value, element)
        except ValueError as exc:
            error(item, f"{item.data_element}: {exc}")
            continue
        identity = (element.pk, period, unit.pk, key)
        if identity in seen:
            error(
                item,
                _("The same value as %(other)s (same element, period, unit and combo).") % {"other": seen[identity]},
            )
            continue
        seen[identity] = item.position
        planned.append(Planned(item, element, unit, period, key, number, *dims, existing=None))
    if errors:
        raise ImportFailed(errors)
    # Existing values: locked ones refuse the whole file; equal ones are left as they are.
    stored = {}
    if planned:
        found = DataValue.objects.filter(
            element_id__in={p.element.pk for p in planned},
            unit_id__in={p.unit.pk for p in planned},
            period__in={p.period for p in planned},
        ).only("element_id", "unit_id", "period", "disaggregation", "value", "comment", "locked")
        stored = {(v.element_id, v.period, v.unit_id, v.disaggregation): v for v in found}
    existing = {}
    for plan in planned:
        existing_value = stored.get((plan.element.pk, plan.period, plan.unit.pk, plan.key))
        if existing_value is not None and existing_value.locked:
            error(
                plan.item,
                _("The period %(period)s of %(unit)s is approved and locked.")
                % {"period": plan.period, "unit": plan.item.org_unit},
            )
        existing[id(plan)] = existing_value
    if errors:
        raise ImportFailed(errors)
    batches: dict[tuple, list[Planned]] = {}
    for plan in planned:
        current = existing[id(plan)]
        if current is not None and current.value == plan.number and current.comment == plan.item.comment:
            summary.ignored += 1
            continue
        if current is None:
            summary.imported += 1
        else:
            summary.updated += 1
        batches.setdefault((plan.unit.pk, plan.period, plan.key, plan.item.comment), []).append(plan)
    if dry_run:
        return summary
    try:
        with transaction.atomic():
            for (_unit, period, _key, comment), plans in batches.items():
                first = plans[0]
                data_values_save(
                    user=user,
                    unit=first.unit,
                    period=period,
                    values={p.element.code: str(p.number) for p in plans},
                    ethnic_group=first.ethnic_group,
                    sex=first.sex,
                    language=first.language,
                    comment=comment,
                )
    except ValidationError as exc:
        first = next(iter(batches.values()))[0] if batches else None
        messages = exc.messages
        raise ImportFailed(
            [
                RowError(
                    filename,
                    first.item.line if first else None,
                    None,
                    _("Refused by the data rules: %(error)s (nothing was written).") % {"error": "; ".join(messages)},
                )
            ]
        ) from None
    return summary


def import_payload(*, user, data: bytes, content_type: str, filename: str = "", dry_run: bool = False) -> Summary:
    """JSON or ADX, by the content type (application/json, application/adx+xml, application/xml)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("application/json", "text/json") or (not kind and filename.endswith(".json")):
        parsed = parse_json(data, filename=filename or "dataValueSets.json")
    elif kind in ("application/adx+xml", "application/xml", "text/xml") or (
        not kind and filename.endswith((".adx", ".xml"))
    ):
        parsed = parse_adx(data, filename=filename or "dataValueSets.adx")
    else:
        _fail(filename or "upload", _("Send application/json (dataValueSets) or application/adx+xml (ADX)."))
    return import_values(
        user=user, items=parsed.items, filename=filename or "upload", dry_run=dry_run, errors=parsed.errors
    )


def default_data_set() -> str:
    """The dataSet an ADX group names when the export does not say (settings.DHIS2_DATA_SET)."""
    return str(getattr(settings, "DHIS2_DATA_SET", "KETNOI"))
