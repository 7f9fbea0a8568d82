"""Generates tests/data/maps/*.geojson: synthetic outlines (not real boundaries) of four Lào Cai communes."""

import json
import random

random.seed(15)
N = 10  # steps per side of a commune square
LON0, LAT0, SIDE = 103.80, 22.20, 0.20
grid = {}
for i in range(2 * N + 1):
    for j in range(2 * N + 1):
        jitter = 0.0 if i in (0, 2 * N) and j in (0, 2 * N) else 0.003
        grid[i, j] = [
            round(LON0 + SIDE * i / N + random.uniform(-jitter, jitter), 5),
            round(LAT0 + SIDE * j / N + random.uniform(-jitter, jitter), 5),
        ]


def ring(i0, j0):
    pts = [grid[i0 + k, j0] for k in range(N)] + [grid[i0 + N, j0 + k] for k in range(N)]
    pts += [grid[i0 + N - k, j0 + N] for k in range(N)] + [grid[i0, j0 + N - k] for k in range(N)]
    return pts + [pts[0]]


cells = {"03037": (0, 0), "02680": (N, 0), "02683": (0, N), "02647": (N, N)}
names = {"03037": "Tả Van", "02680": "Hợp Thành", "02683": "Bát Xát", "02647": "Lào Cai"}
features = [
    {
        "type": "Feature",
        "properties": {"ma_xa": code, "ten_xa": names[code], "ma_tinh": "15"},
        "geometry": {"type": "Polygon", "coordinates": [ring(*cell)]},
    }
    for code, cell in cells.items()
]
json.dump(
    {"type": "FeatureCollection", "name": "synthetic test outlines, not real boundaries", "features": features},
    open("tests/data/maps/lao_cai_communes.geojson", "w", encoding="utf-8"),
    ensure_ascii=False,
)
outline = [grid[k, 0] for k in range(2 * N)] + [grid[2 * N, k] for k in range(2 * N)]
outline += [grid[2 * N - k, 2 * N] for k in range(2 * N)] + [grid[0, 2 * N - k] for k in range(2 * N)]
json.dump(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"ma_tinh": 15},
                "geometry": {"type": "MultiPolygon", "coordinates": [[outline + [outline[0]]]]},
            }
        ],
    },
    open("tests/data/maps/lao_cai_province.geojson", "w", encoding="utf-8"),
)
