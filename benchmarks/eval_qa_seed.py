"""Evaluation of the translation QA on the seed document (a published Thai machine translation of a
Vietnamese article, kept outside the repository): the QA must find that text's real defects at their
exact places. The expectations below were written by reading the text, not from the QA's output.

    python -m benchmarks.eval_qa_seed [--seed PATH]    (default: ../shared/seed/000_0f625328c3ae7765.txt)

Prints one line per expectation and exits 1 if any fails. The test suite does not read this text: it
runs the same kinds of checks on the project's own specimen (tests/data/qa_specimen_th.txt).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from ketnoi.translation.qa import run_qa

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = ROOT.parent / "shared" / "seed" / "000_0f625328c3ae7765.txt"


def found(findings, check, text, start):
    return [f for f in findings if f.check == check and f.start == start and f.text == text]


def expect_vietnamese_captions_left_in_are_wrong_language_and_blocking(text, findings):
    for caption in ("Toàn cảnh Lễ ký kết", "Thứ trưởng, Phó Chủ nhiệm UBDT Nông Thị Hà và Thứ trưởng Bộ TT&TT"):
        start = text.index(caption)
        hits = [f for f in findings if f.check == "wrong_language" and f.start == start]
        assert hits and hits[0].blocking and "Vietnamese" in hits[0].message
    assert len([f for f in findings if f.check == "wrong_language"]) == 15


def expect_navigation_strings_of_the_aggregator(text, findings):
    assert found(findings, "boilerplate", "การแสดงความคิดเห็น (0)", text.index("การแสดงความคิดเห็น (0)"))
    assert found(findings, "boilerplate", "No videos available", text.index("No videos available"))
    second_no_data = text.index("No data", text.index("No data") + 1)
    assert found(findings, "repeated_text", "No data", second_no_data)
    headline = "นครโฮจิมินห์จากมุมสูง"
    assert found(findings, "boilerplate", headline, text.index(headline))


def expect_mangled_document_symbols_and_document_types(text, findings):
    assert found(findings, "doc_symbol", "752/QD-TTg", text.index("752/QD-TTg"))
    assert found(findings, "doc_symbol", "1719/QD-TTg", text.index("1719/QD-TTg"))
    assert not [f for f in findings if f.check == "doc_symbol" and f.text in ("47/NQ-CP", "57-KL/TW")]
    research = [f for f in findings if f.check == "doc_type" and "ผลงานวิจัย" in f.text]
    assert research and research[0].end == text.index("57-KL/TW") - 1


def expect_common_era_year_among_buddhist_era_years(text, findings):
    era = [f for f in findings if f.check == "era"]
    start = text.index("2021")
    assert [(f.start, f.end) for f in era] == [(start, start + 4)]
    assert "2564" in era[0].message


def expect_names_stripped_of_diacritics_and_rendered_several_ways(text, findings):
    names = [f for f in findings if f.check == "names"]
    assert found(names, "names", "Nong Thi Ha", text.index("Nong Thi Ha"))
    assert found(names, "names", "หนองทีฮา", text.index("หนองทีฮา"))
    assert "Nông Thị Hà" in names[0].message
    assert len([f for f in names if f.text == "Nguyen Thanh Lam"]) == 5
    assert not [f for f in names if f.text == "นงธีฮา"]


def expect_titles_deputy_permanent_secretary_for_a_deputy_minister(text, findings):
    titles = [f for f in findings if f.check == "titles"]
    wrong_rank = [f for f in titles if f.text == "รองปลัดกระทรวง"]
    assert len(wrong_rank) == 5
    assert wrong_rank[-1].start == text.index("รองปลัดกระทรวง Nguyen Thanh Lam เชื่อว่า")
    party = [f for f in titles if f.text == "รองประธานพรรค"]
    assert [f.start for f in party] == [
        text.index("รองประธานพรรค"),
        text.index("รองประธานพรรค", text.index("รองประธานพรรค") + 1),
    ]


def expect_duplicates_and_run_together_text(text, findings):
    caption_twice = "ให้มีการส่งเสริมบทบาทและความรับผิดชอบของแต่ละหน่วยงาน"
    second = text.index(caption_twice, text.index(caption_twice) + 1)
    assert [f for f in findings if f.check == "repeated_text" and f.start == second]
    assert found(findings, "duplicate_words", "ชนกลุ่มน้อย ชนกลุ่มน้อย", text.index("ชนกลุ่มน้อย ชนกลุ่มน้อย"))
    assert found(findings, "missing_space", "BpNguyễn", text.index("BpNguyễn"))
    assert found(findings, "repeated_text", "Báo Dân tộc và Phát triểnBáo Dân tộc và Phát triển", text.index("Báo"))


def expect_url_with_a_translated_slug_and_leftover_abbreviations(text, findings):
    assert found(findings, "urls", text[text.index("https://") : text.index(".htm") + 4], text.index("https://"))
    # every Vietnamese abbreviation of the seed is inside a caption left in Vietnamese: that caption is one
    # blocking wrong_language finding, its abbreviations are not reported a second time
    assert not [f for f in findings if f.check == "leftover_abbreviation"]
    assert found(findings, "truncated", "...", text.index("..."))


def expect_the_seed_is_clean_unicode_and_the_run_blocks_publishing(text, findings):
    assert "\ufffd" not in text and not [f for f in findings if f.check == "unicode"]
    assert not [f for f in findings if f.check == "internal"]
    assert sum(f.blocking for f in findings) == 28
    assert all(text[f.start : f.end] == f.text for f in findings)
    assert [f.start for f in findings] == sorted(f.start for f in findings)


def expect_with_a_termbase_the_committee_programme_and_rank_renderings_are_reported(text, findings):
    from ketnoi.translation.qa import SimpleTermbase

    termbase = SimpleTermbase(
        {
            "cema": {
                "vi": [("Ủy ban Dân tộc", "preferred")],
                "th": [
                    ("คณะกรรมการกิจการชนกลุ่มน้อย", "preferred"),
                    ("คณะกรรมการชนกลุ่มน้อย", "admitted"),
                    ("คณะกรรมการชนกลุ่มน้อยจังหวัด", "forbidden"),
                ],
            },
            "programme": {
                "vi": [("chương trình phối hợp", "preferred")],
                "th": [
                    ("โครงการประสานงาน", "preferred"),
                    ("โครงการความร่วมมือ", "admitted"),
                    ("โปรแกรมการประสานงาน", "forbidden"),
                ],
            },
        }
    )
    findings = run_qa(text, "th", termbase=termbase)
    forbidden = [f for f in findings if f.check == "terminology" and f.severity == "error"]
    assert [(f.start, f.text) for f in forbidden] == [
        (text.index("คณะกรรมการชนกลุ่มน้อยจังหวัด"), "คณะกรรมการชนกลุ่มน้อยจังหวัด"),
        (text.index("โปรแกรมการประสานงาน"), "โปรแกรมการประสานงาน"),
    ]
    inconsistent = [f for f in findings if f.check == "consistency"]
    assert {f.text for f in inconsistent} == {"โครงการความร่วมมือ"} and len(inconsistent) == 4


EXPECTATIONS = [value for name, value in sorted(globals().items()) if name.startswith("expect_")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.eval_qa_seed", description=__doc__)
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="the seed text (UTF-8)")
    args, _unknown = parser.parse_known_args(argv)  # `python -m benchmarks` passes every benchmark's options
    if not args.seed.exists():
        print(f"seed text not found: {args.seed} (give --seed PATH)", file=sys.stderr)
        return 1
    text = args.seed.read_bytes().decode("utf-8")
    findings = run_qa(text, "th")
    failed = 0
    for expectation in EXPECTATIONS:
        try:
            expectation(text, findings)
        except AssertionError:
            failed += 1
            print(f"FAIL {expectation.__name__}")
            traceback.print_exc(limit=1)
        else:
            print(f"ok   {expectation.__name__}")
    print(f"{len(EXPECTATIONS) - failed}/{len(EXPECTATIONS)} expectations met on {args.seed.name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
