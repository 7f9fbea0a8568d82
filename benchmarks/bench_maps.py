"""Server-drawn maps (issue 9.4): time and size of the SVG for the whole country and for one province.

Synthetic outlines, no real boundaries: a grid of 3,321 jittered squares (the current communes' count)
of 40 vertices each, and one province of 100 communes drawn from 400-vertex outlines after the
importer's detailed simplification (coverage simplification, 0.001°). Timed `--repeat` runs each
(default 5), medians, in one process; the **baseline** is the same data written as compact GeoJSON
with `json.dumps` (what a client-side map would have to download and draw itself).

`python -m benchmarks.bench_maps [--repeat 5] [--no-write]`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench_maps:start -->", "<!-- bench_maps:end -->"


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnoi.settings")
    import django

    django.setup()


def country_items(n: int = 3321, steps: int = 10):
    from ketnoi.maps.render import MapItem

    rng = random.Random(9)
    side, columns = 0.12, 58
    items = []
    for i in range(n):
        lon, lat = 102.2 + (i % columns) * side, 8.6 + (i // columns) * side * 0.26
        ring = []
        for edge in range(4):
            for k in range(steps):
                t = k / steps
                x, y = [(t, 0), (1, t), (1 - t, 1), (0, 1 - t)][edge]
                ring.append([lon + x * side + rng.uniform(-0.003, 0.003), lat + y * side * 0.26])
        ring.append(ring[0])
        value = None if i % 17 == 0 else Decimal(rng.randint(0, 500))
        items.append(
            MapItem(
                f"{i:05d}",
                f"Xã {i}",
                value,
                f"/units/current/commune/{i:05d}/",
                {"type": "Polygon", "coordinates": [ring]},
            )
        )
    return items


def province_items():
    import shapely

    from ketnoi.maps.importers import TOLERANCE_DETAIL, _simplify, geojson_text
    from ketnoi.maps.render import MapItem

    shapes = []
    for i in range(100):
        lon, lat = 103.6 + (i % 10) * 0.14, 21.4 + (i // 10) * 0.14
        ring = [
            (
                lon + 0.07 + 0.069 * math.cos(t * math.pi / 200) * (1 + 0.05 * math.sin(t)),
                lat + 0.07 + 0.069 * math.sin(t * math.pi / 200) * (1 + 0.05 * math.sin(t)),
            )
            for t in range(400)
        ]
        shapes.append(shapely.MultiPolygon([shapely.Polygon(ring)]))
    simplified = _simplify(shapes, TOLERANCE_DETAIL)
    return [
        MapItem(f"{i:05d}", f"Xã {i}", Decimal(i), f"/units/current/commune/{i:05d}/", json.loads(geojson_text(s)))
        for i, s in enumerate(simplified)
    ]


def _time(function, repeat):
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_maps")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args, _unknown = parser.parse_known_args(argv)
    _setup()
    from ketnoi.maps.render import render_map

    lines = [
        START,
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}; "
        f"`python -m benchmarks.bench_maps --repeat {args.repeat}`; medians.",
        "",
        "| Map | Units | Vertices | SVG render | SVG bytes | Baseline: GeoJSON dumps | GeoJSON bytes |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, items in (
        ("Country, communes (40-vertex squares)", country_items()),
        ("One province (detailed simplification)", province_items()),
    ):
        vertices = sum(
            len(r)
            for i in items
            for p in ([i.geometry["coordinates"]] if i.geometry["type"] == "Polygon" else i.geometry["coordinates"])
            for r in p
        )
        render_s, rendered = _time(lambda items=items: render_map(items, title="bench"), args.repeat)
        dumps_s, text = _time(
            lambda items=items: json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"code": i.code, "value": str(i.value)},
                            "geometry": i.geometry,
                        }
                        for i in items
                    ],
                },
                separators=(",", ":"),
            ),
            args.repeat,
        )
        lines.append(
            f"| {label} | {len(items):,} | {vertices:,} | {render_s * 1000:.0f} ms | {len(rendered.svg.encode()):,} | "
            f"{dumps_s * 1000:.0f} ms | {len(text.encode()):,} |"
        )
    lines.append(END)
    block = "\n".join(lines)
    print(block)
    if not args.no_write:
        doc = DOC.read_text(encoding="utf-8")
        if START in doc:
            doc = doc[: doc.index(START)] + block + doc[doc.index(END) + len(END) :]
        else:
            doc = doc.rstrip("\n") + "\n\n## Maps drawn on the server (issue 9.4)\n\n" + block + "\n"
        DOC.write_text(doc, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
