"""`ketnoi qa`: JSON findings with offsets into the file, exit codes."""

import json

import pytest

from ketnoi.cli import main

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
