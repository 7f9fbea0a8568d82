"""The SVG renderer: classes, legend, links, no data, and the proportional-symbol fallback."""

import re
from decimal import Decimal

from defusedxml import ElementTree

from ketnoi.maps.render import MapItem, breaks_for, class_of, legend_labels, render_map

SVG = "{http://www.w3.org/2000/svg}"


def _square(lon, lat, size=0.1):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "MultiPolygon", "coordinates": [[ring]]}


def _items(values, *, shapes=True):
    return [
        MapItem(
            code=f"0{i:04d}",
            name=f"Xã {i}",
            value=None if v is None else Decimal(str(v)),
            href=f"/units/current/commune/0{i:04d}/",
            geometry=_square(104 + (i % 5) * 0.1, 21 + (i // 5) * 0.1) if shapes else None,
            latitude=21 + (i // 5) * 0.1,
            longitude=104 + (i % 5) * 0.1,
        )
        for i, v in enumerate(values)
    ]


def test_quantile_equal_and_fixed_breaks():
    values = [Decimal(v) for v in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)]
    assert breaks_for(values, method="quantile", classes=5) == [2, 4, 6, 8]
    assert breaks_for(values, method="equal", classes=3) == [4, 7]
    assert breaks_for([Decimal(1)] * 9 + [Decimal(10)], method="quantile", classes=4) == [1]  # ties collapse
    assert breaks_for(values, method="fixed", classes=5, fixed=[Decimal(50), Decimal(5)]) == [5, 50]
    assert breaks_for([Decimal(3)] * 4, method="quantile", classes=5) == []
    assert [class_of(Decimal(v), [Decimal(2), Decimal(4)]) for v in (1, 2, 3, 4, 5)] == [0, 0, 1, 1, 2]


def test_legend_is_written_the_vietnamese_way():
    values = [Decimal("1250.5"), Decimal("2000"), Decimal("10000")]
    assert legend_labels(values, [Decimal("2000")], "quantile", "vi") == ["1.250,5 – 2.000", "2.000 – 10.000"]
    assert legend_labels(values, [Decimal("2000")], "quantile", "en") == ["1,250.5 – 2,000", "2,000 – 10,000"]
    assert legend_labels(values, [Decimal("1000"), Decimal("5000")], "fixed", "vi") == [
        "≤ 1.000",
        "1.000 – 5.000",
        "> 5.000",
    ]


def test_choropleth_has_a_link_and_title_per_unit_classes_and_no_data():
    items = _items([1, 2, 3, 4, 5, 6, 7, 8, None, 1250.5])
    rendered = render_map(items, title="Bản tin · 2025", method="quantile", classes=4, language="vi")
    assert rendered.mode == "choropleth" and rendered.unplaced == 0
    root = ElementTree.fromstring(rendered.svg)
    assert root.get("viewBox").startswith("0 0 ")
    links = root.findall(f".//{SVG}a")
    assert len(links) == 10
    assert {a.get("href") for a in links} == {i.href for i in items}
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Xã 9: 1.250,5" in titles and "Xã 8: no data" in titles
    # One group per class carries the colour; the no-data group is grey.
    groups = {g.get("class"): g for g in root.iter(f"{SVG}g") if re.fullmatch(r"k\d|kn", g.get("class") or "")}
    assert set(groups) == {"k0", "k1", "k2", "k3", "kn"}
    assert groups["kn"].get("fill") == "#d4d4d4"
    assert [a.get("data-code") for a in groups["kn"].iter(f"{SVG}a")] == ["00008"]
    assert [entry.count for entry in rendered.legend] == [3, 2, 2, 2, 1]  # 1–3, 3–5, 5–7, 7–1.250,5, no data
    assert rendered.legend[-1].label == "no data"
    assert "1.250,5" in rendered.legend[-2].label
    legend_texts = [t.text for t in root.iter(f"{SVG}text")]
    assert any(text.startswith("no data (1)") for text in legend_texts)
    assert "<script" not in rendered.svg and "style=" not in rendered.svg and "<style" not in rendered.svg
    # Whole-unit coordinates with relative steps keep the output small.
    path = root.find(f".//{SVG}path").get("d")
    assert re.fullmatch(r"(M\d+ \d+l[-\d ]+z)+", path)


def test_every_class_gets_a_distinct_colour_from_the_vendored_ramp():
    rendered = render_map(_items(range(1, 36)), title="t", method="equal", classes=7)
    root = ElementTree.fromstring(rendered.svg)
    fills = [g.get("fill") for g in root.iter(f"{SVG}g") if re.fullmatch(r"k\d", g.get("class") or "")]
    assert len(fills) == 7 and len(set(fills)) == 7


def test_symbols_without_boundaries_area_proportional_and_unplaced_counted():
    items = _items([100, 25, None, 4], shapes=False)
    items[3].latitude = None  # this one cannot be placed
    rendered = render_map(items, title="t", method="quantile", classes=2)
    assert rendered.mode == "symbols" and rendered.unplaced == 1
    root = ElementTree.fromstring(rendered.svg)
    circles = {c.find(f"{SVG}title").text.split(":")[0]: float(c.get("r")) for c in root.iter(f"{SVG}circle")}
    assert set(circles) == {"Xã 0", "Xã 1", "Xã 2"}
    assert circles["Xã 0"] / circles["Xã 1"] == 2.0  # area ∝ value: 4× the value, 2× the radius
    assert "1 unit could not be placed" in rendered.svg
    assert "Circle area is proportional to the value." in rendered.svg


def test_a_province_of_communes_stays_small():
    """About a hundred communes with 400-vertex outlines: the SVG is measured, not guessed."""
    import math

    items = []
    for i in range(100):
        lon, lat = 103.6 + (i % 10) * 0.14, 21.4 + (i // 10) * 0.14
        ring = [
            [lon + 0.07 + 0.07 * math.cos(t * math.pi / 200), lat + 0.07 + 0.07 * math.sin(t * math.pi / 200)]
            for t in range(400)
        ]
        ring.append(ring[0])
        items.append(
            MapItem(
                f"{i:05d}",
                f"Xã {i}",
                Decimal(i),
                f"/units/current/commune/{i:05d}/",
                {"type": "Polygon", "coordinates": [ring]},
            )
        )
    svg = render_map(items, title="t").svg
    assert len(svg.encode()) < 200_000
