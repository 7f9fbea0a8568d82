"""The QA runner: registry, configuration per project and language, crash isolation, overrides, TBX."""

import pytest

from ketnoi.translation.qa import (
    REGISTRY,
    Check,
    Override,
    QAConfig,
    load_tbx,
    publishable,
    register,
    registered_checks,
    run_qa,
)
from ketnoi.translation.qa.base import QAContext
from ketnoi.translation.qa.text import align_paragraphs, paragraphs, sentences

MIXED = "ลงวันที่ 15 เมษายน 2567 และวันที่ 14 ตุลาคม 2021  ต่อ"


def test_every_registered_check_has_id_severity_and_description():
    checks = registered_checks()
    assert {"numbers", "doc_symbol", "era", "dates", "names", "titles", "terminology", "consistency"} <= set(checks)
    assert {"wrong_language", "boilerplate", "no_counterpart", "length_ratio", "repeated_text"} <= set(checks)
    assert {"duplicate_words", "urls", "codes", "whitespace", "punctuation", "unicode", "mixed_script"} <= set(checks)
    for check_id, cls in checks.items():
        assert cls.id == check_id and cls.severity in ("error", "warning", "info") and len(cls.description) > 30


def test_findings_sorted_with_line_numbers_and_exact_text():
    text = "บรรทัดแรก\nลงวันที่ 15 เมษายน 2567 และ 14 ตุลาคม 2021"
    findings = run_qa(text, "th")
    era = [f for f in findings if f.check == "era"][0]
    assert era.line == 2 and text[era.start : era.end] == "2021" == era.text
    assert era.to_dict() == {
        "check": "era",
        "severity": "error",
        "message": era.message,
        "start": era.start,
        "end": era.end,
        "line": 2,
        "text": "2021",
        "blocking": True,
    }


def test_config_disables_a_check_and_overrides_severity_and_blocking():
    assert any(f.check == "era" for f in run_qa(MIXED, "th"))
    assert not any(f.check == "era" for f in run_qa(MIXED, "th", config={"disable": ["era"]}))
    findings = run_qa(MIXED, "th", config={"severity": {"era": "warning"}})
    era = [f for f in findings if f.check == "era"]
    assert era and era[0].severity == "warning" and not era[0].blocking
    findings = run_qa(MIXED, "th", config={"blocking": {"era": False}})
    assert [f for f in findings if f.check == "era"][0].blocking is False
    only = run_qa(MIXED, "th", config={"enable_only": ["whitespace"]})
    assert {f.check for f in only} == {"whitespace"}


def test_language_specific_configuration_applies_only_to_that_language():
    config = {"languages": {"th": {"disable": ["whitespace"]}}}
    assert not any(f.check == "whitespace" for f in run_qa("a  b", "th-TH", config=config))
    assert any(f.check == "whitespace" for f in run_qa("a  b", "vi", config=config))


def test_check_options_from_the_configuration():
    findings = run_qa("ปี 2567 และปี 2566", "th", config={"options": {"era": {"era": "CE"}}})
    assert [f.text for f in findings if f.check == "era"] == ["2567", "2566"]


def test_bad_configuration_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="unknown QA configuration keys: disabled"):
        run_qa("x", "th", config={"disabled": ["era"]})
    with pytest.raises(ValueError, match="severity of 'era' must be one of"):
        run_qa("x", "th", config={"severity": {"era": "fatal"}})
    with pytest.raises(ValueError, match="source_lang is required"):
        run_qa("x", "th", source="y")


def test_a_crashing_check_leaves_an_internal_finding_and_the_others_still_run():
    @register
    class Exploding(Check):
        id = "test_exploding"
        description = "raises"

        def run(self, ctx):
            raise RuntimeError("boom")

    try:
        findings = run_qa(MIXED, "th")
    finally:
        del REGISTRY["test_exploding"]
    internal = [f for f in findings if f.check == "internal"]
    assert len(internal) == 1 and "test_exploding" in internal[0].message and "boom" in internal[0].message
    assert not internal[0].blocking  # a non-blocking check crashed
    assert any(f.check == "era" for f in findings)


def test_a_crashing_blocking_check_blocks_publication():
    @register
    class ExplodingGate(Check):
        id = "test_exploding_gate"
        blocking = True
        description = "raises"

        def run(self, ctx):
            raise RuntimeError("boom")

    try:
        findings = run_qa("ข้อความที่ถูกต้อง", "th")
    finally:
        del REGISTRY["test_exploding_gate"]
    assert [(f.check, f.severity, f.blocking) for f in findings] == [("internal", "error", True)]


def test_termbase_objects_naming_the_concept_concept_id_are_read():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Entry:
        text: str
        language: str
        status: str
        concept_id: int

    class Adapter:
        entries = [Entry("คณะกรรมการกิจการชนกลุ่มน้อย", "th", "preferred", 7), Entry("ชาวเขา", "th", "forbidden", 7)]

        def terms_for(self, lang):
            return [e for e in self.entries if e.language == lang]

        def equivalents(self, concept_id, lang):
            return [e for e in self.entries if e.concept_id == concept_id and e.language == lang]

    findings = [f for f in run_qa("ชาวเขา", "th", termbase=Adapter()) if f.check in ("terminology", "internal")]
    assert [(f.check, f.text, f.blocking) for f in findings] == [("terminology", "ชาวเขา", True)]
    assert "คณะกรรมการกิจการชนกลุ่มน้อย" in findings[0].message


def test_blocking_findings_prevent_publishing_until_overridden_with_a_reason():
    findings = run_qa(MIXED, "th")
    assert not publishable(findings)
    override = Override(check="era", text="2021", reason="quoted as printed in the decision", by="thamdinh")
    findings = run_qa(MIXED, "th", config=QAConfig(overrides=[override]))
    era = [f for f in findings if f.check == "era"][0]
    assert not era.blocking and era.override_reason == "quoted as printed in the decision"
    assert publishable(findings)
    wrong_place = Override(check="era", text="2021", reason="r", start=0)
    assert not publishable(run_qa(MIXED, "th", config=QAConfig(overrides=[wrong_place])))


def test_monolingual_skips_source_only_checks_and_bilingual_runs_them():
    source = "Hỗ trợ 1.500 xã."
    ran = {f.check for f in run_qa("สนับสนุน 1,600 ตำบล", "th", source=source, source_lang="vi")}
    assert "numbers" in ran
    assert "numbers" not in {f.check for f in run_qa("สนับสนุน 1,600 ตำบล", "th")}


def test_sentences_per_language_keep_offsets():
    thai = "ประกาศจากเทศบาล พรุ่งนี้จะมีการฉีดวัคซีนที่ศาลาหมู่บ้าน กรุณามาตรงเวลา"
    for segment in sentences(thai, "th", offset=10):
        assert thai[segment.start - 10 : segment.end - 10] == segment.text
    vietnamese = "Thông báo của Ủy ban nhân dân xã. Ngày mai sẽ tiêm vắc-xin!\nTP. Hồ Chí Minh có 168 phường."
    parts = sentences(vietnamese, "vi")
    assert [vietnamese[s.start : s.end] for s in parts] == [s.text for s in parts]
    assert len(parts) == 3
    english = sentences("One. Two! Three?", "en")
    assert [s.text for s in english] == ["One.", "Two!", "Three?"]


def test_paragraph_alignment_one_to_one_and_omission():
    source = paragraphs("Một hai ba bốn năm.\n\nSáu bảy tám chín mười mười một.\n\nMười hai.")
    target = paragraphs("หนึ่ง สอง สาม สี่ ห้า\n\nหก เจ็ด แปด เก้า สิบ สิบเอ็ด\n\nสิบสอง")
    groups = align_paragraphs(source, target, 1.0)
    assert [(len(s), len(t)) for s, t in groups] == [(1, 1), (1, 1), (1, 1)]


def test_tbx_termbase_statuses(tmp_path):
    tbx = tmp_path / "t.tbx"
    tbx.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en"><text><body>
<termEntry id="cema">
 <langSet xml:lang="vi"><tig><term>Ủy ban Dân tộc</term></tig></langSet>
 <langSet xml:lang="th">
  <tig><term>คณะกรรมการกิจการชนกลุ่มน้อย</term>
   <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
  <tig><term>คณะกรรมการชนกลุ่มน้อยจังหวัด</term>
   <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
 </langSet>
</termEntry>
<termEntry id="ttg"><langSet xml:lang="th"><tig><term>QĐ-TTg</term>
 <termNote type="translationNeeded">no</termNote></tig></langSet></termEntry>
</body></text></martif>""",
        encoding="utf-8",
    )
    termbase = load_tbx(tbx)
    assert {(e.text, e.status) for e in termbase.terms_for("th")} == {
        ("คณะกรรมการกิจการชนกลุ่มน้อย", "preferred"),
        ("คณะกรรมการชนกลุ่มน้อยจังหวัด", "forbidden"),
        ("QĐ-TTg", "do_not_translate"),
    }
    assert [e.text for e in termbase.equivalents("cema", "vi")] == ["Ủy ban Dân tộc"]
    findings = run_qa("คณะกรรมการชนกลุ่มน้อยจังหวัด", "th", termbase=termbase)
    assert [f.check for f in findings if f.blocking] == ["terminology"]


def test_context_caches_derived_structures():
    ctx = QAContext("บรรทัด\nNo data", "th")
    assert ctx.lines is ctx.lines
    assert [line.lang for line in ctx.lines] == ["th", "en"]
