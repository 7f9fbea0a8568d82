"""ketnoi dhis2 mappings | export | import."""

import json

from ketnoi.cli import main
from ketnoi.indicators.models import DataValue

from .conftest import DATA


def test_cli_mappings_export_and_import(db, tmp_path, capsys):
    for kind in ("orgunits", "elements", "combos"):
        assert main(["dhis2", "mappings", kind, str(DATA / f"mappings_{kind}.csv")]) == 0
    out = tmp_path / "q1.json"
    assert main(["dhis2", "export", "--period", "2025Q1", "--unit", "03037", "--output", str(out)]) == 0
    values = json.loads(out.read_text())["dataValues"]
    assert values and {v["orgUnit"] for v in values} == {"VN_LC_TAVAN"}
    assert main(["dhis2", "import", str(DATA / "tavan_2025q3.adx"), "--as-user", "xa.tavan", "--dry-run"]) == 0
    assert "imported 6" in capsys.readouterr().out
    assert not DataValue.objects.filter(unit__code="03037", period="2025Q3").exists()
    assert main(["dhis2", "import", str(DATA / "mistakes.json"), "--as-user", "xa.tavan"]) == 1
    assert "KN_NOPE" in capsys.readouterr().err
    assert main(["dhis2", "import", str(DATA / "tavan_2025q3.adx"), "--as-user", "xa.tavan"]) == 0
    assert DataValue.objects.filter(unit__code="03037", period="2025Q3").count() == 5
