"""Recall and precision of the translation QA on an annotated evaluation set (issue 7.10).

    python -m benchmarks.eval_qa [PATH] [--json] [--no-termbase] [--strict] [--details]
                                                        (default PATH: benchmarks/qa_eval/heldout)

PATH is a directory of texts, each as three files: ``NAME.vi.txt`` (Vietnamese source), ``NAME.th.txt``
(the Thai machine translation) and ``NAME.json`` (its annotated defects, format in
benchmarks/qa_eval/README.md). Every text is checked bilingually — ``run_qa(th, "th", source=vi,
source_lang="vi", termbase=T)`` — with T the termbase shipped by ``ketnoi load-reference``
(ketnoi/translation/data/termbase.csv, read without a database).

Matching rule
-------------
* A defect's span is the ``occurrence``-th (default 1st) occurrence of its ``span`` string in the Thai
  text; an omission (``between: [before, after]``) is the gap from the end of the first occurrence of
  ``before`` to the start of the next occurrence of ``after``.
* Each check can report some defect classes (``CHECK_CLASSES`` below: e.g. ``terminology`` can find
  forbidden renderings, false friends, wrong terms, titles, agencies and document types; ``era`` finds
  era errors and numbers). A finding *matches* a defect when its check can report the defect's class and
  the two spans overlap (share at least one character; an empty span — an omission's gap, or a finding
  pointing at a gap — overlaps a span that contains its position, ends included). Findings pointing at a
  whole paragraph (a number missing from it) therefore match the defects of that paragraph: that is
  the "segment" granularity of those checks.
* Recall of a class: defects of that class matched by at least one finding / defects of that class.
* Precision: only findings of the checks in ``CHECK_CLASSES`` are scored (typography, whitespace,
  repeated text and page-furniture checks are listed as "unscored"; the sets contain no such defects).
  A scored finding is correct when it matches at least one defect. For the per-class figure a correct
  finding counts for the class of the (first) defect it matches, an incorrect one for its check's
  first class in ``CHECK_CLASSES``; precision of a class = correct / all findings counted for it.
* Several findings may match one defect and one finding may match several defects (no one-to-one
  assignment): recall says which defects a reviewer is pointed at, precision how many pointers are wrong.
* ``--strict`` leaves out findings longer than ``STRICT_SPAN`` characters (those pointing at a whole
  paragraph), so only findings that point at the words count, for recall and for precision.

Prints a table per class and overall (``--json``: one JSON object); exit status 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "benchmarks" / "qa_eval" / "heldout"
TERMBASE_CSV = ROOT / "ketnoi" / "translation" / "data" / "termbase.csv"

CLASSES = (
    "title",
    "agency",
    "doc_type",
    "doc_symbol",
    "era",
    "number",
    "name",
    "forbidden",
    "false_friend",
    "wrong_term",
    "inconsistent_term",
    "untranslated",
    "omission",
)
STRICT_SPAN = 80
TERM_CLASSES = ("forbidden", "false_friend", "wrong_term", "title", "agency", "doc_type", "inconsistent_term")
# Which defect classes each check can report; the first is the class an unmatched finding counts against.
CHECK_CLASSES = {
    "terminology": TERM_CLASSES,
    "consistency": ("inconsistent_term", "wrong_term", "title", "agency", "doc_type", "name"),
    "titles": ("title", "inconsistent_term"),
    "doc_type": ("doc_type",),
    "doc_symbol": ("doc_symbol",),
    "codes": ("doc_symbol", "number"),
    "era": ("era", "number"),
    "dates": ("number", "era"),
    "numbers": ("number", "era", "omission"),
    "names": ("name", "inconsistent_term"),
    "wrong_language": ("untranslated",),
    "untranslated": ("untranslated",),
    "leftover_abbreviation": ("untranslated",),
    "no_counterpart": ("omission",),
    "length_ratio": ("omission",),
}


def load_set(path: Path) -> list[dict]:
    texts = []
    for annotation in sorted(path.glob("*.json")):
        name = annotation.name[: -len(".json")]
        target = (path / f"{name}.th.txt").read_text(encoding="utf-8")
        source = (path / f"{name}.vi.txt").read_text(encoding="utf-8")
        defects = json.loads(annotation.read_text(encoding="utf-8"))
        texts.append({"name": name, "source": source, "target": target, "defects": defects})
    return texts


def nth(text: str, needle: str, occurrence: int = 1, start: int = 0) -> int:
    pos = start - 1
    for _ in range(max(occurrence, 1)):
        pos = text.find(needle, pos + 1)
        if pos < 0:
            return -1
    return pos


def defect_span(text: str, defect: dict) -> tuple[int, int]:
    """(start, end) of the defect in the Thai text; ValueError when the annotation does not fit the text."""
    if "between" in defect:
        before, after = defect["between"]
        b = nth(text, before, defect.get("occurrence", 1))
        if b < 0:
            raise ValueError(f"'between' text not found: {before!r}")
        gap = b + len(before)
        a = text.find(after, gap)
        if a < 0:
            raise ValueError(f"'between' text not found after {before!r}: {after!r}")
        return gap, a
    pos = nth(text, defect["span"], defect.get("occurrence", 1))
    if pos < 0:
        raise ValueError(f"span not found (occurrence {defect.get('occurrence', 1)}): {defect['span']!r}")
    return pos, pos + len(defect["span"])


def overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    if a0 == a1 or b0 == b1:  # an empty span (a gap) is a position: inside the other span, ends included
        return a0 <= b1 and b0 <= a1
    return a0 < b1 and b0 < a1


def shipped_termbase(use: bool = True):
    if not use:
        return None
    from ketnoi.translation.qa.termbase import load_termbase_csv

    return load_termbase_csv(TERMBASE_CSV)


def evaluate(path: Path, termbase=None, strict: bool = False) -> dict:
    from ketnoi.translation.qa import run_qa

    recall: dict[str, Counter] = {c: Counter() for c in CLASSES}
    precision: dict[str, Counter] = {c: Counter() for c in CLASSES}
    unscored: Counter = Counter()
    per_text = []
    missed, wrong = [], []
    elapsed = 0.0
    for item in load_set(path):
        t0 = time.perf_counter()
        findings = run_qa(item["target"], "th", source=item["source"], source_lang="vi", termbase=termbase)
        elapsed += time.perf_counter() - t0
        defects = []
        for defect in item["defects"]:
            start, end = defect_span(item["target"], defect)
            defects.append((defect["class"], start, end, defect))
        scored = [f for f in findings if f.check in CHECK_CLASSES and not (strict and f.end - f.start > STRICT_SPAN)]
        unscored.update(f.check for f in findings if f.check not in CHECK_CLASSES)
        found_here = 0
        for cls, start, end, _defect in defects:
            hit = any(cls in CHECK_CLASSES[f.check] and overlaps(f.start, f.end, start, end) for f in scored)
            recall[cls]["defects"] += 1
            recall[cls]["found"] += hit
            found_here += hit
            if not hit:
                missed.append({"text": item["name"], "class": cls, "span": item["target"][start:end][:60]})
        correct_here = 0
        for f in scored:
            match = next(
                (
                    cls
                    for cls, start, end, _ in defects
                    if cls in CHECK_CLASSES[f.check] and overlaps(f.start, f.end, start, end)
                ),
                None,
            )
            cls = match or CHECK_CLASSES[f.check][0]
            precision[cls]["findings"] += 1
            precision[cls]["correct"] += match is not None
            correct_here += match is not None
            if match is None:
                wrong.append({"text": item["name"], "check": f.check, "span": f.text[:60], "message": f.message[:120]})
        per_text.append(
            {
                "text": item["name"],
                "defects": len(defects),
                "found": found_here,
                "findings": len(scored),
                "correct": correct_here,
            }
        )

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 3) if b else None

    classes = {}
    for cls in CLASSES:
        r, p = recall[cls], precision[cls]
        if not r["defects"] and not p["findings"]:
            continue
        classes[cls] = {
            "defects": r["defects"],
            "found": r["found"],
            "recall": ratio(r["found"], r["defects"]),
            "findings": p["findings"],
            "correct": p["correct"],
            "precision": ratio(p["correct"], p["findings"]),
        }
    total_defects = sum(r["defects"] for r in recall.values())
    total_found = sum(r["found"] for r in recall.values())
    total_findings = sum(p["findings"] for p in precision.values())
    total_correct = sum(p["correct"] for p in precision.values())
    return {
        "set": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "texts": len(per_text),
        "termbase": termbase is not None,
        "strict": strict,
        "overall": {
            "defects": total_defects,
            "found": total_found,
            "recall": ratio(total_found, total_defects),
            "findings": total_findings,
            "correct": total_correct,
            "precision": ratio(total_correct, total_findings),
        },
        "classes": classes,
        "per_text": per_text,
        "unscored": dict(unscored),
        "seconds": round(elapsed, 3),
        "missed": missed,
        "wrong": wrong,
    }


def _pct(value: float | None) -> str:
    return "   —  " if value is None else f"{100 * value:5.1f}%"


def print_report(result: dict, details: bool = False) -> None:
    mode = ", strict (findings pointing at a whole paragraph left out)" if result["strict"] else ""
    print(f"{result['set']}: {result['texts']} texts, termbase {'on' if result['termbase'] else 'off'}{mode}")
    print(f"{'class':<18} {'defects':>7} {'found':>6} {'recall':>7} {'findings':>8} {'correct':>7} {'precision':>9}")
    rows = [*result["classes"].items(), ("overall", result["overall"])]
    for cls, row in rows:
        print(
            f"{cls:<18} {row['defects']:>7} {row['found']:>6} {_pct(row['recall']):>7} "
            f"{row['findings']:>8} {row['correct']:>7} {_pct(row['precision']):>9}"
        )
    if result["unscored"]:
        print("unscored findings: " + ", ".join(f"{k} {v}" for k, v in sorted(result["unscored"].items())))
    print(f"QA time: {result['seconds']} s")
    if details:
        for m in result["missed"]:
            print(f"MISSED  {m['text']}: {m['class']}: {m['span']!r}")
        for w in result["wrong"]:
            print(f"WRONG   {w['text']}: {w['check']}: {w['span']!r}: {w['message']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT_SET))
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-termbase", action="store_true", help="run without the shipped termbase")
    parser.add_argument("--details", action="store_true", help="list missed defects and wrong findings")
    parser.add_argument("--strict", action="store_true", help=f"leave out findings over {STRICT_SPAN} characters long")
    args = parser.parse_args(argv)
    path = Path(args.path).resolve()
    result = evaluate(path, shipped_termbase(not args.no_termbase), strict=args.strict)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print_report(result, args.details)
    return 0


if __name__ == "__main__":
    sys.exit(main())
