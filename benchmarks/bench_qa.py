"""Translation QA on the seed document: `ketnoi qa` (our runner) against translate-toolkit's `pofilter`.

Corpus: the seed Thai text (`--seed PATH`, default ../shared/seed/000_0f625328c3ae7765.txt, a machine translation of a
Vietnamese article with Vietnamese captions left in). pofilter works on translation units, so the text
becomes a PO file:

* the five places where a Vietnamese caption is directly followed by its Thai rendering become real
  bilingual units (msgid = Vietnamese, msgstr = Thai);
* every other non-empty line becomes a unit whose msgid is the line itself (there is no source for it),
  with pofilter's `unchanged` test excluded, so that pofilter's target-side tests (doublewords,
  doublespacing, puncspacing, validchars, urls…) see every line.

Timed, `--repeat` runs each (default 5), medians reported:

* CLI end to end: `pofilter --language=th --excludefilter=unchanged seed.po out.po` versus
  `ketnoi qa --lang th --format json seed.txt` (monolingual, the whole text) — each a fresh process;
* in process, warm: pofilter's `pocheckfilter.filterunit` over the units versus `run_qa` on the whole
  text plus `run_qa` bilingually on the five caption pairs (models/dictionaries already loaded).

Then what each reports, side by side. `python -m benchmarks.bench_qa [--repeat 5] [--no-write]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
DEFAULT_SEED = ROOT.parent / "shared" / "seed" / "000_0f625328c3ae7765.txt"
START, END = "<!-- bench_qa:start -->", "<!-- bench_qa:end -->"


def corpus(text: str):
    """(caption pairs [(vi, th)], other lines) of the seed."""
    from ketnoi.translation.qa.text import guess_language

    lines = [line for line in text.split("\n")]
    pairs, others, skip = [], [], set()
    for i, line in enumerate(lines):
        if i in skip or not line.strip():
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if guess_language(line) == "vi" and following.strip() and guess_language(following) == "th":
            pairs.append((line, following))
            skip.add(i + 1)
        else:
            others.append(line)
    return pairs, others


def po_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def write_po(path: Path, pairs, others) -> None:
    out = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', '"Language: th\\n"', ""]
    for number, (source, target) in enumerate([*pairs, *((line, line) for line in others)], start=1):
        out += [f"#: seed:{number}", f'msgid "{po_escape(source)}"', f'msgstr "{po_escape(target)}"', ""]
    path.write_text("\n".join(out), encoding="utf-8")


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def pofilter_findings(out_po: Path) -> Counter:
    """Failures per pofilter test, from the '# (pofilter) test: message' comments of its output."""
    return Counter(re.findall(r"\(pofilter\) (\w+):", out_po.read_text(encoding="utf-8")))


def pofilter_inprocess(po: Path):
    from translate.filters import checks, pofilter
    from translate.storage import factory

    parser = pofilter.cmdlineparser()
    options, _ = parser.parse_args(["--language=th", "--excludefilter=unchanged", str(po), "/dev/null"])
    options.checkerconfig = parser.build_checkerconfig(options)
    options.checkerclasses = [checks.StandardChecker, checks.StandardUnitChecker]
    store = factory.getobject(str(po))
    checker = pofilter.pocheckfilter(options, options.checkerclasses, options.checkerconfig)

    def run():
        return [checker.filterunit(unit) for unit in store.units]

    return run


def machine_info() -> dict[str, str]:
    import translate

    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "toolkit": translate.__version__.sver if hasattr(translate.__version__, "sver") else str(translate.__version__),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def run_benchmark(repeat: int, seed: Path = DEFAULT_SEED) -> dict:
    from ketnoi.translation.qa import run_qa

    text = seed.read_bytes().decode("utf-8")
    pairs, others = corpus(text)
    tmp = Path(tempfile.mkdtemp(prefix="bench-qa-"))
    try:
        po, out_po = tmp / "seed.po", tmp / "out.po"
        write_po(po, pairs, others)
        txt = tmp / "seed.txt"
        txt.write_bytes(text.encode("utf-8"))
        bin_dir = Path(sys.executable).parent
        pofilter_cmd = [str(bin_dir / "pofilter"), "--language=th", "--excludefilter=unchanged", str(po), str(out_po)]
        ketnoi_cmd = [str(bin_dir / "ketnoi"), "qa", "--lang", "th", "--format", "json", str(txt)]
        cli_pofilter = timed(lambda: subprocess.run(pofilter_cmd, check=True, capture_output=True), repeat)
        ours_out = {}

        def ours_cli():
            done = subprocess.run(ketnoi_cmd, capture_output=True, text=True)
            if done.returncode not in (0, 1):
                raise RuntimeError(done.stderr)
            ours_out["json"] = done.stdout

        cli_ours = timed(ours_cli, repeat)
        po_counts = pofilter_findings(out_po)
        po_units = len(re.findall(r"^msgid ", po.read_text(encoding="utf-8"), re.M)) - 1

        run_pofilter = pofilter_inprocess(po)
        run_pofilter()  # warm
        source = "\n\n".join(vi for vi, _ in pairs)
        target = "\n\n".join(th for _, th in pairs)
        first = time.perf_counter()
        run_qa(text, "th")
        cold = time.perf_counter() - first

        def ours():
            return run_qa(text, "th"), run_qa(target, "th", source=source, source_lang="vi")

        inproc_pofilter = timed(run_pofilter, repeat)
        inproc_ours = timed(ours, repeat)
        mono, bilingual = ours()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "units": po_units,
        "pairs": len(pairs),
        "chars": len(text),
        "cli": {"pofilter": cli_pofilter, "ours": cli_ours},
        "inprocess": {"pofilter": inproc_pofilter, "ours": inproc_ours},
        "cold": cold,
        "pofilter_counts": dict(po_counts),
        "ours_counts": dict(Counter(f.check for f in mono)),
        "ours_bilingual_counts": dict(Counter(f.check for f in bilingual)),
        "ours_blocking": sum(f.blocking for f in mono),
        "ours_cli_findings": len(json.loads(ours_out["json"])),
    }


def fmt(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f} ms (min {min(seconds) * 1000:.0f} ms)"


# What the seed text gets wrong, and who notices (checked by reading both tools' output on it).
DEFECTS = [
    (
        "Vietnamese captions and English/Vietnamese page strings left in the Thai text",
        "no: it has no language test; in the caption units the Vietnamese is the msgid",
        "`wrong_language` ×15, `boilerplate` ×15",
    ),
    ("752/QD-TTg and 1719/QD-TTg (Đ stripped)", "no (`numbers` compares digits only)", "`doc_symbol` ×2"),
    (
        "PM decision called a cabinet resolution; a Party conclusion called 'research results'",
        "no",
        "`doc_type` ×2",
    ),
    ("Common Era 2021 among Buddhist Era years", "no", "`era` ×1"),
    ("Names without diacritics; one person written three ways", "no", "`names` ×8"),
    (
        "Both deputy ministers called deputy permanent secretary; 'vice-chair of the Party', 'provincial committee'",
        "no",
        "`titles` ×8",
    ),
    (
        "Caption translated twice, repeated sentences, 'No data' twice",
        "no (units are checked one by one)",
        "`repeated_text` ×6",
    ),
    (
        "'ชนกลุ่มน้อย ชนกลุ่มน้อย'",
        "no (`doublewords` splits on spaces; Thai writes none between words)",
        "`duplicate_words` ×1",
    ),
    ("URL cut by a space with a translated slug", "no", "`urls`, `mixed_script`"),
    (
        "UBDT, TT&TT, DTTS",
        "`acronyms` ×3, in the opposite sense: it asks for them to be kept in the Thai",
        "`leftover_abbreviation` ×6 (in the untranslated captions)",
    ),
    ("'triểnBáo', 'BpNguyễn' run together", "no", "`missing_space` ×3"),
    ("Article cut off with '...'", "no", "`truncated` ×1"),
]


def defect_table() -> str:
    lines = ["| Real defect of the seed text | pofilter | `ketnoi qa` |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in DEFECTS]
    return "\n".join(lines)


def section(result: dict, machine: dict, repeat: int) -> str:
    cli_ratio = statistics.median(result["cli"]["ours"]) / statistics.median(result["cli"]["pofilter"])
    in_ratio = statistics.median(result["inprocess"]["ours"]) / statistics.median(result["inprocess"]["pofilter"])
    po = ", ".join(f"`{k}` {v}" for k, v in sorted(result["pofilter_counts"].items(), key=lambda kv: -kv[1])) or "none"
    ours = ", ".join(f"`{k}` {v}" for k, v in sorted(result["ours_counts"].items(), key=lambda kv: -kv[1]))
    bi = ", ".join(f"`{k}` {v}" for k, v in sorted(result["ours_bilingual_counts"].items(), key=lambda kv: -kv[1]))
    return f"""{START}
## Translation QA against pofilter (`benchmarks/bench_qa.py`)

Corpus: the seed Thai text ({result["chars"]:,} characters). For pofilter it is a PO file of
{result["units"]} units: the {result["pairs"]} Vietnamese captions directly followed by their Thai rendering as
bilingual units, every other line as a unit whose msgid is the line itself (pofilter's `unchanged`
test excluded). `ketnoi qa` reads the text as it is (monolingual mode); in process it also runs
bilingually on the {result["pairs"]} caption pairs. {repeat} runs each; medians (minimum).

| | | |
|---|---|---|
| Date | {machine["date"]} | `nproc` {machine["nproc"]}, {machine["cpu"]} |
| Python | {machine["python"]} | translate-toolkit {machine["toolkit"]} |
| Load average at start | {machine["loadavg"]} | |

| Measure | pofilter | `ketnoi qa` / `run_qa` | ours / pofilter |
|---|---|---|---|
| CLI, fresh process each run | {fmt(result["cli"]["pofilter"])} | {fmt(result["cli"]["ours"])} | {cli_ratio:.1f}× |
| In process, warm | {fmt(result["inprocess"]["pofilter"])} | {fmt(result["inprocess"]["ours"])} | {in_ratio:.1f}× |

Our first in-process call (building pythainlp's word-segmentation dictionary) took {result["cold"] * 1000:.0f} ms;
the CLI time of `ketnoi qa` is mostly that plus interpreter start-up (the `qa` command does not set Django up).

What each reported:

- pofilter: {po}. (With `unchanged` left on it also reports the units whose msgid is the line itself — an artefact of
  giving it a text without a source.)
- `ketnoi qa`, whole text: {ours} — {result["ours_blocking"]} blocking publication.
- `run_qa` on the caption pairs (bilingual): {bi or "nothing"}.

{defect_table()}

Reading: pofilter is much faster — it is a small set of regular-expression tests per unit, and its Thai
language adapter switches most of them off (Thai has no capitals or full stops) — but on this text it finds
nothing that matters: its tests are made for software strings (placeholders, accelerators, end punctuation)
and need a source for almost everything. Our runner spends its time on Thai word segmentation (duplicated
words, names in Thai script), per-line language guessing and the repeated-passage index; warm, it checks
this page in tens of milliseconds, and the start-up cost is pythainlp's dictionary. See docs/qa.md for
what our checks still miss.
{END}
"""


def write_doc(path: Path, text: str) -> None:
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if START in current and END in current:
        before, rest = current.split(START, 1)
        after = rest.split(END, 1)[1]
        current = before + text.rstrip("\n") + after
    else:
        current = current.rstrip("\n") + "\n\n" + text
    path.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_qa", description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help=f"do not write {DOC.relative_to(ROOT)}")
    parser.add_argument("--output", type=Path, default=DOC)
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="the seed text (UTF-8)")
    args, _unknown = parser.parse_known_args(argv)  # `python -m benchmarks` passes every benchmark's options
    if shutil.which("pofilter", path=str(Path(sys.executable).parent)) is None:
        print("pofilter not installed: pip install 'translate-toolkit>=3.12' (the test extras)", file=sys.stderr)
        return 1
    if not args.seed.exists():
        print(f"seed text not found: {args.seed} (give --seed PATH)", file=sys.stderr)
        return 1
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnoi.settings")
    repeat = max(args.repeat, 5)
    result = run_benchmark(repeat, args.seed)
    text = section(result, machine_info(), repeat)
    print(text)
    if not args.no_write:
        write_doc(args.output, text)
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
