"""`ketnoi import-boundaries FILE`: outlines of current units from an operator's GeoJSON (docs/maps.md).

The file is checked before it is parsed (its size), while it is parsed (every number is counted, so
a file with millions of coordinates stops as soon as it passes the limit, and deep nesting stops at
Python's recursion limit) and after (feature count, geometry types, vertex counts, coordinates inside
Vietnam, codes of current units). Every problem is collected and named by feature number and code;
only a file without problems is written, in one transaction. Geometry is repaired with shapely's
``make_valid`` and simplified twice (detailed and coarse) with coverage simplification, which keeps
the edges that neighbouring units share identical, so no slivers or gaps appear between communes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core.text import normalize_text
from ketnoi.geo.models import AdminUnit

from .models import Boundary

# Vietnam including Hoàng Sa (Paracel) and Trường Sa (Spratly): longitude, latitude in degrees (WGS 84).
VIETNAM_BBOX = (101.0, 6.0, 118.0, 23.6)
# Simplification tolerances in degrees (1° of latitude ≈ 111 km): about 100 m for a province's
# communes, about 1 km for the whole country (docs/maps.md).
TOLERANCE_DETAIL = 0.001
TOLERANCE_COARSE = 0.01
DEFAULT_CODE_PROPERTIES = {
    "commune": ("code", "ma_xa", "MA_XA", "maXa", "ma"),
    "province": ("code", "ma_tinh", "MA_TINH", "maTinh", "ma"),
}
CODE_LENGTH = {"commune": 5, "province": 2}
MAX_PROBLEMS_SHOWN = 50


class BoundaryImportFailed(Exception):
    """Every problem found in the file; nothing has been written."""

    def __init__(self, filename: str, problems: list[str]):
        self.filename = filename
        self.problems = problems
        self.total = len(problems)
        super().__init__(self.summary())

    def summary(self) -> str:
        lines = [f"{self.filename}: {p}" for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        if self.total > MAX_PROBLEMS_SHOWN:
            lines.append(_("… and %(n)s more problems") % {"n": self.total - MAX_PROBLEMS_SHOWN})
        return "\n".join(lines)


@dataclass
class BoundaryImportResult:
    filename: str
    level: str
    features: int
    created: int
    replaced: int
    vertices_source: int
    vertices_detail: int
    vertices_coarse: int
    units_without_boundary: int  # current units of this level (in the provinces touched) still without one


class _TooManyNumbers(Exception):
    pass


def _limits() -> dict[str, int]:
    return {
        "bytes": settings.MAPS_MAX_FILE_BYTES,
        "features": settings.MAPS_MAX_FEATURES,
        "vertices": settings.MAPS_MAX_VERTICES,
        "feature_vertices": settings.MAPS_MAX_FEATURE_VERTICES,
    }


def _parse(raw: bytes, filename: str, max_vertices: int):
    """json.loads with every number counted: a coordinate bomb stops at the limit, not at the end."""
    # Two numbers per vertex, plus a margin for numbers among the properties.
    budget = [2 * max_vertices + 100_000]

    def number(kind):
        def parse(text):
            budget[0] -= 1
            if budget[0] < 0:
                raise _TooManyNumbers
            return kind(text)

        return parse

    try:
        text = raw.decode("utf-8-sig")
        return json.loads(text, parse_float=number(float), parse_int=number(int))
    except _TooManyNumbers:
        raise BoundaryImportFailed(
            filename, [_("more than %(n)s vertices in the file (the limit, MAPS_MAX_VERTICES)") % {"n": max_vertices}]
        ) from None
    except UnicodeDecodeError:
        raise BoundaryImportFailed(filename, [_("the file is not UTF-8 text")]) from None
    except RecursionError:
        raise BoundaryImportFailed(filename, [_("the JSON is nested too deeply")]) from None
    except json.JSONDecodeError as exc:
        raise BoundaryImportFailed(
            filename,
            [
                _("not valid JSON (line %(line)s, column %(column)s: %(error)s)")
                % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
            ],
        ) from None


def _code_of(properties: dict, level: str, code_property: str | None) -> str:
    names = (code_property,) if code_property else DEFAULT_CODE_PROPERTIES[level]
    for name in names:
        value = properties.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        code = normalize_text(str(value)).strip()
        if code.isdigit():
            code = code.zfill(CODE_LENGTH[level])  # 1 → "01", 3037 → "03037"
        return code
    return ""


def _polygonal(geometry):
    """The polygons of a repaired geometry (make_valid may return a collection with lines)."""
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in ("Polygon", "MultiPolygon")]
    polygons = []
    for part in parts:
        polygons.extend(shapely.get_parts(part) if part.geom_type == "MultiPolygon" else [part])
    polygons = [p for p in polygons if not p.is_empty and p.area > 0]
    return shapely.MultiPolygon(polygons) if polygons else None


def geojson_text(geometry) -> str:
    """A MultiPolygon as compact GeoJSON text, coordinates rounded to 5 decimals (about 1 m)."""
    polygons = []
    for polygon in shapely.get_parts(geometry):
        rings = [polygon.exterior, *polygon.interiors]
        polygons.append([[[round(x, 5), round(y, 5)] for x, y in ring.coords] for ring in rings])
    return json.dumps({"type": "MultiPolygon", "coordinates": polygons}, separators=(",", ":"))


def _simplify(geometries: list, tolerance: float) -> list:
    """Coverage simplification (shared edges stay shared); per shape, topology-preserving, if the
    shapes do not form a clean coverage (overlaps) and GEOS refuses."""
    try:
        simplified = list(shapely.coverage_simplify(geometries, tolerance))
    except Exception:  # noqa: BLE001 - GEOS errors on an invalid coverage; fall back below
        simplified = [shapely.simplify(g, tolerance, preserve_topology=True) for g in geometries]
    result = []
    for original, shape in zip(geometries, simplified, strict=True):
        shape = _polygonal(shapely.make_valid(shape)) if shape is not None and not shape.is_empty else None
        result.append(shape if shape is not None else original)  # never lose a small unit
    return result


def import_boundaries(
    path: Path, *, level: str = "commune", code_property: str | None = None, filename: str | None = None
) -> BoundaryImportResult:
    filename = filename or Path(path).name
    if level not in DEFAULT_CODE_PROPERTIES:
        raise BoundaryImportFailed(filename, [_("level must be commune or province, not %(level)s") % {"level": level}])
    limits = _limits()
    size = Path(path).stat().st_size
    if size > limits["bytes"]:
        raise BoundaryImportFailed(
            filename,
            [
                _("the file has %(size)s bytes; the limit (MAPS_MAX_FILE_BYTES) is %(limit)s")
                % {"size": size, "limit": limits["bytes"]}
            ],
        )
    data = _parse(Path(path).read_bytes(), filename, limits["vertices"])
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise BoundaryImportFailed(filename, [_("not a GeoJSON FeatureCollection")])
    features = data["features"]
    if len(features) > limits["features"]:
        raise BoundaryImportFailed(
            filename,
            [
                _("%(n)s features; the limit (MAPS_MAX_FEATURES) is %(limit)s")
                % {"n": len(features), "limit": limits["features"]}
            ],
        )
    units = {
        u.code: u
        for u in AdminUnit.objects.filter(structure="current", level=level).only("id", "code", "name", "province_id")
    }
    problems: list[str] = []
    rows: list[tuple[AdminUnit, object, int]] = []
    seen: dict[str, int] = {}
    total_vertices = 0
    min_lon, min_lat, max_lon, max_lat = VIETNAM_BBOX
    for number, feature in enumerate(features, start=1):
        where = _("feature %(n)s") % {"n": number}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(_("%(where)s: not a GeoJSON Feature") % {"where": where})
            continue
        properties = feature.get("properties") or {}
        code = _code_of(properties if isinstance(properties, dict) else {}, level, code_property)
        if code:
            where = _("feature %(n)s (code %(code)s)") % {"n": number, "code": code}
        geometry = feature.get("geometry")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if not code:
            names = ", ".join((code_property,) if code_property else DEFAULT_CODE_PROPERTIES[level])
            problems.append(
                _("%(where)s: no unit code in the properties (looked for: %(names)s)")
                % {"where": where, "names": names}
            )
        elif code not in units:
            message = (
                _("%(where)s: no current commune has this code")
                if level == "commune"
                else _("%(where)s: no current province has this code")
            )
            problems.append(message % {"where": where})
        elif code in seen:
            problems.append(_("%(where)s: the same code as feature %(other)s") % {"where": where, "other": seen[code]})
        if code:
            seen.setdefault(code, number)
        if kind not in ("Polygon", "MultiPolygon"):
            problems.append(
                _("%(where)s: the geometry is %(kind)s; only Polygon and MultiPolygon are accepted")
                % {"where": where, "kind": kind or _("missing")}
            )
            continue
        try:
            shape = shapely.from_geojson(json.dumps(geometry))
        except Exception:  # noqa: BLE001 - GEOS names no field; the message says what to check
            problems.append(
                _("%(where)s: the coordinates do not form polygons (rings of [longitude, latitude])") % {"where": where}
            )
            continue
        vertices = int(shapely.get_num_coordinates(shape))
        total_vertices += vertices
        if vertices > limits["feature_vertices"]:
            problems.append(
                _("%(where)s: %(n)s vertices; the limit (MAPS_MAX_FEATURE_VERTICES) is %(limit)s")
                % {"where": where, "n": vertices, "limit": limits["feature_vertices"]}
            )
            continue
        if shape.is_empty:
            problems.append(_("%(where)s: the geometry is empty") % {"where": where})
            continue
        x0, y0, x1, y1 = shape.bounds
        if x0 < min_lon or x1 > max_lon or y0 < min_lat or y1 > max_lat:
            hint = ""
            if min_lat <= x0 and x1 <= max_lat and min_lon <= y0 and y1 <= max_lon:
                hint = " " + _("(latitude and longitude look swapped: GeoJSON is [longitude, latitude])")
            problems.append(
                _("%(where)s: coordinates outside Vietnam (%(bounds)s); expected WGS 84 longitude/latitude%(hint)s")
                % {"where": where, "bounds": f"{x0:.4f},{y0:.4f} – {x1:.4f},{y1:.4f}", "hint": hint}
            )
            continue
        if not shape.is_valid:
            shape = shapely.make_valid(shape)
        shape = _polygonal(shape)
        if shape is None:
            problems.append(_("%(where)s: nothing of the polygon is left after repair (zero area)") % {"where": where})
            continue
        if code in units and seen.get(code) == number:
            rows.append((units[code], shape, vertices))
    if total_vertices > limits["vertices"]:
        problems.insert(
            0,
            _("%(n)s vertices in the file; the limit (MAPS_MAX_VERTICES) is %(limit)s")
            % {"n": total_vertices, "limit": limits["vertices"]},
        )
    if not features:
        problems.append(_("the file has no features"))
    if problems:
        raise BoundaryImportFailed(filename, problems)

    shapes = [shape for _unit, shape, _n in rows]
    detail = _simplify(shapes, TOLERANCE_DETAIL)
    coarse = _simplify(detail, TOLERANCE_COARSE)
    now = timezone.now()
    records = []
    for (unit, shape, vertices), fine, rough in zip(rows, detail, coarse, strict=True):
        x0, y0, x1, y1 = shape.bounds
        records.append(
            Boundary(
                unit=unit,
                detail=geojson_text(fine),
                coarse=geojson_text(rough),
                min_lon=x0,
                min_lat=y0,
                max_lon=x1,
                max_lat=y1,
                vertices_source=vertices,
                vertices_detail=int(shapely.get_num_coordinates(fine)),
                vertices_coarse=int(shapely.get_num_coordinates(rough)),
                source_filename=filename[:255],
                imported_at=now,
            )
        )
    unit_ids = [unit.pk for unit, _shape, _n in rows]
    with transaction.atomic():
        replaced, _by_model = Boundary.objects.filter(unit_id__in=unit_ids).delete()
        Boundary.objects.bulk_create(records, batch_size=500)
    provinces = {unit.province_id for unit, _shape, _n in rows}
    without = (
        AdminUnit.objects.filter(structure="current", level=level, province_id__in=provinces)
        .filter(boundary__isnull=True)
        .count()
    )
    return BoundaryImportResult(
        filename=filename,
        level=level,
        features=len(features),
        created=len(records) - replaced,
        replaced=replaced,
        vertices_source=total_vertices,
        vertices_detail=sum(r.vertices_detail for r in records),
        vertices_coarse=sum(r.vertices_coarse for r in records),
        units_without_boundary=without,
    )
