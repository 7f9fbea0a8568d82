"""`ketnoi import-boundaries`: good files, unknown codes, bombs, wrong geometry, re-import (issues 9.4, 9.11)."""

import json
import time
from pathlib import Path

import pytest
import shapely

from ketnoi.cli import main
from ketnoi.maps.importers import BoundaryImportFailed, import_boundaries
from ketnoi.maps.models import Boundary

DATA = Path(__file__).resolve().parents[1] / "data" / "maps"
COMMUNES = DATA / "lao_cai_communes.geojson"
PROVINCE = DATA / "lao_cai_province.geojson"


def _collection(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def _square(code, lon=103.9, lat=22.3, size=0.05, prop="ma_xa", geometry_type="Polygon"):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    coordinates = [ring] if geometry_type == "Polygon" else [[ring]]
    return {
        "type": "Feature",
        "properties": {prop: code},
        "geometry": {"type": geometry_type, "coordinates": coordinates},
    }


def _write(tmp_path, data, name="b.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_good_file_imports_every_commune_with_both_levels_of_detail(db, unit):
    result = import_boundaries(COMMUNES)
    assert (result.features, result.created, result.replaced) == (4, 4, 0)
    boundary = Boundary.objects.get(unit=unit("03037"))
    detail, coarse = json.loads(boundary.detail), json.loads(boundary.coarse)
    assert detail["type"] == coarse["type"] == "MultiPolygon"
    assert boundary.vertices_source == 41
    assert boundary.vertices_coarse <= boundary.vertices_detail <= boundary.vertices_source
    assert boundary.vertices_coarse < boundary.vertices_source  # the jittered edges were simplified
    assert boundary.source_filename == "lao_cai_communes.geojson"
    assert (round(boundary.min_lon, 2), round(boundary.max_lat, 2)) == (103.8, 22.4)
    # Coverage simplification: neighbours still share their edge (no gap, no overlap).
    ta_van = shapely.from_geojson(boundary.coarse)
    hop_thanh = shapely.from_geojson(Boundary.objects.get(unit=unit("02680")).coarse)
    assert ta_van.intersection(hop_thanh).area == pytest.approx(0, abs=1e-9)
    assert ta_van.intersection(hop_thanh).length > 0.15
    # 99 communes in Lào Cai, 4 of them have a boundary now.
    assert result.units_without_boundary == 95


def test_reimport_replaces_and_province_level_uses_ma_tinh(db, unit):
    import_boundaries(COMMUNES)
    first = Boundary.objects.get(unit=unit("03037")).pk
    again = import_boundaries(COMMUNES)
    assert (again.created, again.replaced) == (0, 4)
    assert Boundary.objects.filter(unit__level="commune").count() == 4
    assert Boundary.objects.get(unit=unit("03037")).pk != first
    province = import_boundaries(PROVINCE, level="province")  # ma_tinh given as the number 15
    assert province.created == 1 and Boundary.objects.filter(unit=unit("15")).exists()


def test_unknown_codes_are_listed_by_feature_and_nothing_is_written(db, tmp_path):
    data = json.loads(COMMUNES.read_text(encoding="utf-8"))
    data["features"][1]["properties"]["ma_xa"] = "99999"
    data["features"][3]["properties"] = {"ten": "no code"}
    with pytest.raises(BoundaryImportFailed) as caught:
        import_boundaries(_write(tmp_path, data))
    text = caught.value.summary()
    assert "b.geojson: feature 2 (code 99999): no current commune has this code" in text
    assert "feature 4: no unit code in the properties (looked for: code, ma_xa" in text
    assert caught.value.total == 2
    assert not Boundary.objects.exists()


def test_code_property_option_and_duplicates(db, tmp_path):
    path = _write(tmp_path, _collection(_square("03037", prop="MaXa"), _square("03037", lon=104.0, prop="MaXa")))
    with pytest.raises(BoundaryImportFailed) as caught:
        import_boundaries(path)
    assert "no unit code in the properties" in caught.value.summary()
    with pytest.raises(BoundaryImportFailed) as caught:
        import_boundaries(path, code_property="MaXa")
    assert "feature 2 (code 03037): the same code as feature 1" in caught.value.summary()
    assert (
        import_boundaries(_write(tmp_path, _collection(_square(3037, prop="MaXa"))), code_property="MaXa").created == 1
    )


def test_wrong_geometries_are_named(db, tmp_path):
    point = {
        "type": "Feature",
        "properties": {"ma_xa": "02680"},
        "geometry": {"type": "Point", "coordinates": [104, 22]},
    }
    broken = {
        "type": "Feature",
        "properties": {"ma_xa": "02683"},
        "geometry": {"type": "Polygon", "coordinates": [[1, 2]]},
    }
    outside = _square("02647", lon=2.35, lat=48.85)  # Paris
    swapped = _square("02671", lon=22.3, lat=103.9)
    bowtie = _square("03037")
    bowtie["geometry"]["coordinates"] = [[[103.9, 22.3], [104.0, 22.4], [104.0, 22.3], [103.9, 22.4], [103.9, 22.3]]]
    with pytest.raises(BoundaryImportFailed) as caught:
        import_boundaries(_write(tmp_path, _collection(point, broken, outside, swapped, bowtie)))
    text = caught.value.summary()
    assert "feature 1 (code 02680): the geometry is Point; only Polygon and MultiPolygon are accepted" in text
    assert "feature 2 (code 02683): the coordinates do not form polygons" in text
    assert "feature 3 (code 02647): coordinates outside Vietnam" in text
    assert "feature 4 (code 02671): coordinates outside Vietnam" in text and "look swapped" in text
    assert caught.value.total == 4  # the self-intersecting bow tie is repaired, not refused
    assert not Boundary.objects.exists()


def test_bowtie_is_repaired_into_a_valid_multipolygon(db, tmp_path, unit):
    bowtie = _square("03037")
    bowtie["geometry"]["coordinates"] = [[[103.9, 22.3], [104.0, 22.4], [104.0, 22.3], [103.9, 22.4], [103.9, 22.3]]]
    import_boundaries(_write(tmp_path, _collection(bowtie)))
    shape = shapely.from_geojson(Boundary.objects.get(unit=unit("03037")).detail)
    assert shape.is_valid and len(shapely.get_parts(shape)) == 2


def test_not_geojson_and_not_json(db, tmp_path):
    (tmp_path / "x.geojson").write_text("{oops", encoding="utf-8")
    with pytest.raises(BoundaryImportFailed, match="not valid JSON"):
        import_boundaries(tmp_path / "x.geojson")
    with pytest.raises(BoundaryImportFailed, match="not a GeoJSON FeatureCollection"):
        import_boundaries(_write(tmp_path, {"type": "Feature"}))
    (tmp_path / "deep.geojson").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(BoundaryImportFailed, match="nested too deeply"):
        import_boundaries(tmp_path / "deep.geojson")


def test_vertex_bomb_is_refused_quickly_while_parsing(db, tmp_path, settings):
    settings.MAPS_MAX_VERTICES = 100_000
    ring = [[103.9 + (i % 1000) * 1e-5, 22.3 + (i // 1000) * 1e-5] for i in range(1_000_000)]
    ring.append(ring[0])
    path = _write(
        tmp_path,
        _collection(
            {
                "type": "Feature",
                "properties": {"ma_xa": "03037"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ),
    )
    assert path.stat().st_size > 20_000_000
    started = time.perf_counter()
    with pytest.raises(BoundaryImportFailed, match="more than 100000 vertices"):
        import_boundaries(path)
    assert time.perf_counter() - started < 5  # stopped at the limit, not after building a million points
    assert not Boundary.objects.exists()


def test_size_feature_and_per_feature_limits(db, tmp_path, settings):
    path = _write(tmp_path, _collection(*[_square("03037", lon=103.9 + i * 0.001) for i in range(3)]))
    settings.MAPS_MAX_FILE_BYTES = 100
    with pytest.raises(BoundaryImportFailed, match="MAPS_MAX_FILE_BYTES"):
        import_boundaries(path)
    settings.MAPS_MAX_FILE_BYTES = 10_000_000
    settings.MAPS_MAX_FEATURES = 2
    with pytest.raises(BoundaryImportFailed, match="3 features; the limit"):
        import_boundaries(path)
    settings.MAPS_MAX_FEATURES = 10
    settings.MAPS_MAX_FEATURE_VERTICES = 4
    with pytest.raises(
        BoundaryImportFailed, match="feature 1 .*5 vertices; the limit .MAPS_MAX_FEATURE_VERTICES. is 4"
    ):
        import_boundaries(path)


def test_cli_reports_and_refuses(db, tmp_path, capsys):
    assert main(["import-boundaries", str(COMMUNES)]) == 0
    out = capsys.readouterr().out
    assert "lao_cai_communes.geojson: 4 commune boundaries; created 4, replaced 0" in out
    bad = _write(tmp_path, _collection(_square("99999")))
    assert main(["import-boundaries", str(bad), "--level", "commune"]) == 1
    err = capsys.readouterr().err
    assert "Import refused; nothing was written (1 problem(s))" in err and "code 99999" in err
    assert Boundary.objects.count() == 4
