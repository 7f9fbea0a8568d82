"""`ketnoi qa`: JSON findings with offsets into the file, exit codes."""

import json

import pytest

from ketnoi import cli
from ketnoi.cli import main


@pytest.fixture(autouse=True)
def no_database_by_default(monkeypatch):
    """These tests decide whether `ketnoi qa` sees a configured database (it would read its termbase)."""
    monkeypatch.setattr(cli, "_database_configured", lambda: False)


THAI = "รองรัฐมนตรี Nguyen Thanh Lam\r\nตามมติ 752/QD-TTg ลงวันที่ 14 ตุลาคม 2021 และปี 2566\r\nNo data\r\n"


def test_json_output_offsets_point_into_the_file(tmp_path, capsys):
    path = tmp_path / "th.txt"
    path.write_bytes(THAI.encode("utf-8"))
    assert main(["qa", "--lang", "th", "--format", "json", str(path)]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert findings and all(
        set(f) == {"check", "severity", "message", "start", "end", "line", "text", "blocking"} for f in findings
    )
    raw = path.read_bytes().decode("utf-8")
    for f in findings:
        assert raw[f["start"] : f["end"]] == f["text"]
    symbol = next(f for f in findings if f["check"] == "doc_symbol")
    assert (symbol["start"], symbol["line"], symbol["blocking"]) == (raw.index("752/QD-TTg"), 2, True)
    assert next(f for f in findings if f["check"] == "wrong_language")["line"] == 3


def test_exit_zero_without_blocking_findings_and_text_format(tmp_path, capsys):
    path = tmp_path / "ok.txt"
    path.write_text("การประชุมสรุปผลการดำเนินงาน  ปี 2567\n", encoding="utf-8")
    assert main(["qa", "--lang", "th", str(path)]) == 0
    captured = capsys.readouterr()
    assert f"{path}:1:" in captured.out and "[whitespace]" in captured.out
    assert "0 blocking" in captured.err


def test_bilingual_with_termbase_and_config(tmp_path, capsys):
    source = tmp_path / "vi.txt"
    source.write_text("Ủy ban Dân tộc hỗ trợ 1.500 xã năm 2024.", encoding="utf-8")
    target = tmp_path / "th.txt"
    target.write_text("คณะกรรมการชนกลุ่มน้อยจังหวัด สนับสนุน 1,500 ตำบล ในปี 2568", encoding="utf-8")
    tbx = tmp_path / "t.tbx"
    tbx.write_text(
        '<martif><text><body><termEntry id="cema"><langSet xml:lang="th"><tig><term>คณะกรรมการชนกลุ่มน้อยจังหวัด</term>'
        '<termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig></langSet></termEntry>'
        "</body></text></martif>",
        encoding="utf-8",
    )
    config = tmp_path / "qa.json"
    config.write_text(json.dumps({"disable": ["terminology"]}), encoding="utf-8")
    args = ["qa", "--lang", "th", "--source-lang", "vi", "--source", str(source), "--format", "json"]
    assert main([*args, "--termbase", str(tbx), str(target)]) == 1
    checks = {f["check"] for f in json.loads(capsys.readouterr().out)}
    assert {"terminology", "era"} <= checks
    main([*args, "--termbase", str(tbx), "--config", str(config), str(target)])
    assert "terminology" not in {f["check"] for f in json.loads(capsys.readouterr().out)}


def test_usage_errors_exit_two(tmp_path, capsys):
    path = tmp_path / "th.txt"
    path.write_text("ข้อความ", encoding="utf-8")
    assert main(["qa", "--lang", "th", "--source", str(path), str(path)]) == 2
    assert "--source needs --source-lang" in capsys.readouterr().err
    assert main(["qa", "--lang", "th", str(tmp_path / "missing.txt")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"disabled": []}', encoding="utf-8")
    assert main(["qa", "--lang", "th", "--config", str(bad), str(path)]) == 2
    assert "unknown QA configuration keys" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["qa", str(path)])
    assert exit_info.value.code == 2


PROPAGANDA = "งานโฆษณาชวนเชื่อในพื้นที่ชนกลุ่มน้อยทางชาติพันธุ์และภูเขา ปี 2568\n"


def _checks(capsys):
    return [(f["check"], f["text"]) for f in json.loads(capsys.readouterr().out)]


def test_database_termbase_is_used_when_a_database_is_configured(db, tmp_path, capsys, monkeypatch):
    # the test database holds the termbase `ketnoi load-reference` ships (tuyên truyền → โฆษณาชวนเชื่อ forbidden)
    monkeypatch.setattr(cli, "_database_configured", lambda: True)
    path = tmp_path / "th.txt"
    path.write_text(PROPAGANDA, encoding="utf-8")
    assert main(["qa", "--lang", "th", "--format", "json", str(path)]) == 1
    assert ("terminology", "โฆษณาชวนเชื่อ") in _checks(capsys)
    main(["qa", "--lang", "th", str(path)])
    assert "termbase: database (" in capsys.readouterr().err
    # --no-termbase skips it
    assert main(["qa", "--lang", "th", "--format", "json", "--no-termbase", str(path)]) == 0
    assert not [c for c in _checks(capsys) if c[0] == "terminology"]


def test_termbase_file_overrides_the_database(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "_database_configured", lambda: True)
    path = tmp_path / "th.txt"
    path.write_text(PROPAGANDA, encoding="utf-8")
    csv_file = tmp_path / "terms.csv"
    csv_file.write_text(
        "concept_id,domain,language,term,status,part_of_speech,note\n"
        "area,programme,th,พื้นที่ชนกลุ่มน้อยทางชาติพันธุ์และภูเขา,forbidden,noun,\n"
        "area,programme,th,เขตชนกลุ่มน้อย,preferred,noun,\n",
        encoding="utf-8",
    )
    assert main(["qa", "--lang", "th", "--format", "json", "--termbase", str(csv_file), str(path)]) == 1
    terminology = [text for check, text in _checks(capsys) if check == "terminology"]
    assert terminology == ["พื้นที่ชนกลุ่มน้อยทางชาติพันธุ์และภูเขา"]  # the file's rule, not the database's


def test_no_database_means_no_termbase_and_conflicting_options(tmp_path, capsys):
    path = tmp_path / "th.txt"
    path.write_text(PROPAGANDA, encoding="utf-8")
    assert main(["qa", "--lang", "th", str(path)]) == 0
    assert "termbase: none (no database configured)" in capsys.readouterr().err
    assert main(["qa", "--lang", "th", "--termbase", "x.csv", "--no-termbase", str(path)]) == 2


def test_unreadable_database_warns_and_runs_without_termbase(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "_database_configured", lambda: True)
    from ketnoi.translation import termbase

    def broken():
        raise RuntimeError("no such table: translation_term")

    monkeypatch.setattr(termbase, "qa_snapshot", broken)
    path = tmp_path / "th.txt"
    path.write_text(PROPAGANDA, encoding="utf-8")
    assert main(["qa", "--lang", "th", str(path)]) == 0
    assert "cannot be read" in capsys.readouterr().err
