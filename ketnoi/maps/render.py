"""Maps drawn on the server as SVG: a choropleth from imported boundaries, or proportional symbols at
the units' coordinates when there are none (docs/maps.md). No script and no style element: colours
are presentation attributes on one group per class, so the SVG works inline under the site's CSP, on
its own as a downloaded file, and without JavaScript (each shape is a link with a <title> tooltip).

Projection: equirectangular around the map's own middle latitude (x = longitude × cos φ₀, y = −latitude).
Across one province the scale error is under 1 %; across the whole country (8.5°–23.4° N) about ±7 %
east–west at the extremes, which a choropleth of administrative units can carry.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ketnoi.core.numbers import format_number

METHODS = ("quantile", "equal", "fixed")
MAX_CLASSES = 7
WIDTH = 1000  # viewBox units across the map (the longer side); coordinates are whole units
LEGEND_ROW = 26


@cache
def ramps() -> dict:
    return json.loads((Path(__file__).parent / "data" / "ramps.json").read_text(encoding="utf-8"))


@dataclass
class MapItem:
    code: str
    name: str
    value: Decimal | None
    href: str
    geometry: dict | None = None  # GeoJSON (Multi)Polygon in longitude/latitude
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class LegendClass:
    label: str
    colour: str
    count: int


@dataclass
class RenderedMap:
    svg: str
    mode: str  # "choropleth" | "symbols"
    legend: list[LegendClass]
    classes: dict[str, int] = field(default_factory=dict)  # unit code → class index (-1: no data)
    unplaced: int = 0  # units that could not be drawn (no boundary and no coordinates)


def breaks_for(
    values: list[Decimal], *, method: str, classes: int, fixed: list[Decimal] | None = None
) -> list[Decimal]:
    """Upper bounds of every class but the last: a value v is in the first class whose bound is ≥ v."""
    if method == "fixed":
        return sorted(set(fixed or []))
    if not values:
        return []
    ordered = sorted(values)
    low, high = ordered[0], ordered[-1]
    if low == high or classes <= 1:
        return []
    if method == "equal":
        step = (high - low) / classes
        return [low + step * i for i in range(1, classes)]
    cuts = []
    for i in range(1, classes):  # quantiles: each class holds about the same number of units
        cut = ordered[max(0, math.ceil(i * len(ordered) / classes) - 1)]
        if cut < high and (not cuts or cut > cuts[-1]):
            cuts.append(cut)
    return cuts


def class_of(value: Decimal, breaks: list[Decimal]) -> int:
    for index, bound in enumerate(breaks):
        if value <= bound:
            return index
    return len(breaks)


def _number(value, language: str) -> str:
    return format_number(value, decimals=2, language=language)


def legend_labels(values: list[Decimal], breaks: list[Decimal], method: str, language: str) -> list[str]:
    n = len(breaks) + 1
    if method == "fixed":
        if not breaks:
            return [_("all values")]
        labels = [f"≤ {_number(breaks[0], language)}"]
        labels += [f"{_number(breaks[i - 1], language)} – {_number(breaks[i], language)}" for i in range(1, n - 1)]
        return [*labels, f"> {_number(breaks[-1], language)}"]
    low, high = min(values), max(values)
    bounds = [low, *breaks, high]
    return [
        _number(bounds[i], language)
        if bounds[i] == bounds[i + 1]
        else f"{_number(bounds[i], language)} – {_number(bounds[i + 1], language)}"
        for i in range(n)
    ]


class _Frame:
    """Equirectangular projection of a longitude/latitude box onto WIDTH viewBox units."""

    def __init__(self, min_lon, min_lat, max_lon, max_lat, margin=0.0):
        self.kx = math.cos(math.radians((min_lat + max_lat) / 2))
        span_x = max((max_lon - min_lon) * self.kx, 1e-6)
        span_y = max(max_lat - min_lat, 1e-6)
        self.scale = (WIDTH - 2 * margin) / max(span_x, span_y)
        self.min_lon, self.max_lat, self.margin = min_lon, max_lat, margin
        self.width = math.ceil(span_x * self.scale + 2 * margin)
        self.height = math.ceil(span_y * self.scale + 2 * margin)

    def point(self, lon, lat) -> tuple[int, int]:
        return (
            round((lon - self.min_lon) * self.kx * self.scale + self.margin),
            round((self.max_lat - lat) * self.scale + self.margin),
        )


def _path(geometry: dict, frame: _Frame) -> str:
    """SVG path data: an absolute move per ring, then whole-unit relative steps (short text)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points = []
            for lon, lat, *_rest in ring:
                p = frame.point(lon, lat)
                if not points or p != points[-1]:
                    points.append(p)
            if len(points) > 1 and points[0] == points[-1]:
                points.pop()
            if len(points) < 3:
                continue  # smaller than a unit of the map at this scale
            x, y = points[0]
            steps = []
            for px, py in points[1:]:
                steps.append(f"{px - x} {py - y}".replace(" -", "-"))
                x, y = px, py
            parts.append(f"M{points[0][0]} {points[0][1]}l" + " ".join(steps).replace(" -", "-") + "z")
    if not parts:  # a unit smaller than the map's resolution still gets a visible, clickable square
        lon, lat, *_rest = polygons[0][0][0]
        x, y = frame.point(lon, lat)
        parts.append(f"M{x - 1} {y - 1}h3v3h-3z")
    return "".join(parts)


def _bounds(geometries) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for geometry in geometries:
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for polygon in polygons:
            for lon, lat, *_rest in polygon[0]:
                xs.append(lon)
                ys.append(lat)
    return min(xs), min(ys), max(xs), max(ys)


def _tooltip(item: MapItem, language: str, unit_label: str) -> str:
    if item.value is None:
        return f"{item.name}: {_('no data')}"
    return f"{item.name}: {_number(item.value, language)}" + (f" {unit_label}" if unit_label else "")


def _legend_svg(legend: list[LegendClass], top: int, title: str, note: str) -> list[str]:
    out = [f'<g class="legend" transform="translate(10 {top})" font-size="16" fill="#1a1a1a" stroke="none">']
    out.append(f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>')
    for i, entry in enumerate(legend):
        y = 28 + i * LEGEND_ROW
        out.append(f'<rect x="0" y="{y}" width="28" height="18" fill="{entry.colour}" stroke="#555"/>')
        out.append(f'<text x="38" y="{y + 14}">{escape(entry.label)} ({entry.count})</text>')
    if note:
        out.append(f'<text x="0" y="{28 + len(legend) * LEGEND_ROW + 14}" font-size="14">{escape(note)}</text>')
    out.append("</g>")
    return out


def render_map(
    items: list[MapItem],
    *,
    title: str,
    method: str = "quantile",
    classes: int = 5,
    fixed_breaks: list[Decimal] | None = None,
    language: str = "vi",
    unit_label: str = "",
) -> RenderedMap:
    if method not in METHODS:
        raise ValueError(method)
    values = [i.value for i in items if i.value is not None]
    breaks = breaks_for(values, method=method, classes=max(1, min(classes, MAX_CLASSES)), fixed=fixed_breaks)
    n = len(breaks) + 1
    if n > MAX_CLASSES:
        raise ValueError(n)
    palette = ramps()["classes"][str(n)]
    no_data = ramps()["no_data"]
    labels = legend_labels(values, breaks, method, language) if values or method == "fixed" else []
    assigned = {i.code: (class_of(i.value, breaks) if i.value is not None else -1) for i in items}

    drawn = [i for i in items if i.geometry]
    mode = "choropleth" if drawn else "symbols"
    if mode == "symbols":
        drawn = [i for i in items if i.latitude is not None and i.longitude is not None]
    unplaced = len(items) - len(drawn)

    groups: dict[int, list[str]] = {k: [] for k in range(-1, n)}
    radius_max = 0.0
    if mode == "choropleth":
        frame = _Frame(*_bounds(i.geometry for i in drawn), margin=4) if drawn else None
        for item in drawn:
            tooltip = escape(_tooltip(item, language, unit_label))
            shape = f'<path d="{_path(item.geometry, frame)}"><title>{tooltip}</title></path>'
            groups[assigned[item.code]].append(
                f"<a href={quoteattr(item.href)} data-code={quoteattr(item.code)}>{shape}</a>"
            )
    elif drawn:
        radius_max = 30.0 if len(drawn) <= 200 else 12.0
        lons = [i.longitude for i in drawn]
        lats = [i.latitude for i in drawn]
        frame = _Frame(min(lons), min(lats), max(lons), max(lats), margin=radius_max + 4)
        peak = max((abs(v) for v in values), default=Decimal(0)) or Decimal(1)
        # Largest first, so a small circle is never hidden under a large one.
        for item in sorted(drawn, key=lambda i: -(abs(i.value) if i.value is not None else -1)):
            x, y = frame.point(item.longitude, item.latitude)
            if item.value is None:
                radius = 3.0
            else:
                radius = max(2.0, radius_max * math.sqrt(float(abs(item.value) / peak)))  # area ∝ value
            shape = (
                f'<circle cx="{x}" cy="{y}" r="{radius:.1f}"><title>'
                f"{escape(_tooltip(item, language, unit_label))}</title></circle>"
            )
            groups[assigned[item.code]].append(
                f"<a href={quoteattr(item.href)} data-code={quoteattr(item.code)}>{shape}</a>"
            )
    else:
        frame = None

    width = frame.width if frame else WIDTH
    height = frame.height if frame else 40
    counts = {k: sum(1 for c in assigned.values() if c == k) for k in range(-1, n)}
    legend = [LegendClass(labels[k], palette[k], counts[k]) for k in range(n) if k < len(labels)]
    if counts[-1]:
        legend.append(LegendClass(_("no data"), no_data, counts[-1]))
    note = ""
    if mode == "symbols":
        note = _("Circle area is proportional to the value.")
    if unplaced:
        placed = ngettext(
            "%(n)s unit could not be placed (no boundary, no coordinates).",
            "%(n)s units could not be placed (no boundary, no coordinates).",
            unplaced,
        ) % {"n": unplaced}
        note = (note + " " if note else "") + placed
    legend_top = height + 10
    total_height = legend_top + 28 + len(legend) * LEGEND_ROW + (30 if note else 8)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {max(width, 600)} {total_height}" '
        f'class="ketnoi-map" role="img" aria-labelledby="map-title" font-family="sans-serif">',
        f'<title id="map-title">{escape(title)}</title>',
    ]
    if mode == "choropleth":
        out.append('<g stroke="#ffffff" stroke-width="0.8" stroke-linejoin="round">')
    else:
        out.append('<g stroke="#333333" stroke-width="0.8" fill-opacity="0.85">')
    for k in range(-1, n):
        if groups[k]:
            colour = no_data if k < 0 else palette[k]
            out.append(f'<g class="k{k if k >= 0 else "n"}" fill="{colour}">' + "".join(groups[k]) + "</g>")
    out.append("</g>")
    out.extend(_legend_svg(legend, legend_top, title, note))
    out.append("</svg>")
    return RenderedMap(svg="".join(out), mode=mode, legend=legend, classes=assigned, unplaced=unplaced)
