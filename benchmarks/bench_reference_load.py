"""How long does loading ALL reference data take, and how much of it is the loader's own work?

For each database (SQLite in a temporary file with the project's settings — WAL, IMMEDIATE
transactions, synchronous=NORMAL — and PostgreSQL in a scratch database that is created and
dropped), each repetition runs in fresh subprocesses so Django settings are fresh:

* loader:   `migrate` an empty database (not timed), then time `ketnoi.reference.load_reference()`
            (the first, real load), then time it again on the loaded database (idempotent: nothing
            changes).
* baseline: read the same source rows the loaders read (vietnamadminunits' dataset.db
            admin_units + admin_units_legacy, converter_2025.json, the geo/people/orgs CSVs) and
            insert them as they are into simple tables with the same columns, with plain DB-API
            `executemany` in one transaction (sqlite3 / psycopg): no ORM, no normalisation, no
            sort keys, no upsert checks, no parent links. Creating those tables is not timed.

Usage: `make bench` or `python -m benchmarks [--repeat 3] [--no-write] [--skip-postgres]`.
The PostgreSQL server is BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres);
when it is unreachable PostgreSQL is skipped with a note.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.util
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_SCRATCH_DB = os.environ.get("BENCH_POSTGRES_DB", "ketnoi_bench")  # dropped and recreated per run
GOAL_SECONDS = 20.0
LOADERS = ["load_admin_units", "load_crosswalk", "load_classification_periods", "load_people", "load_agencies"]
PHASE_LABELS = {name: f"`{name}`" for name in LOADERS} | {
    "upsert": "of all that: `upsert()` (read back existing rows, `bulk_create`/`bulk_update`)",
    "_set_parents": "of all that: unit parent/province links (`_set_parents`, `bulk_update`)",
}
# Settings inherited from a CI or developer shell that must not leak into the measured processes.
STRIPPED_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "TEST_DATABASE_NAME",
    "KETNOI_QUEUE_FILE",
    "KETNOI_PROFILE",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "DJANGO_SETTINGS_MODULE",
)


# --------------------------------------------------------------------------------------------
# Children: each runs in its own process and prints one JSON line.
# --------------------------------------------------------------------------------------------


def child_loader() -> dict:
    """Migrate the (empty) database of DATABASE_URL, then time load_reference twice."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnoi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    import ketnoi.reference as reference
    from ketnoi.core.audit import acting_as

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    migrate_s = time.perf_counter() - started

    # Time each phase of the real load_reference by wrapping the loaders it calls (negligible cost).
    phases: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - t0

        return wrapper

    for name in LOADERS:
        setattr(reference, name, timed(name, getattr(reference, name)))
    # Inside those: the generic upsert (read back existing rows, bulk_create / bulk_update) and the
    # unit parent/province links (a bulk_update per level); the rest is reading and normalising rows.
    import ketnoi.geo.loaders as geo_loaders
    import ketnoi.orgs.loaders as orgs_loaders
    import ketnoi.people.loaders as people_loaders

    for module in (geo_loaders, people_loaders, orgs_loaders):
        module.upsert = timed("upsert", module.upsert)
    if hasattr(geo_loaders, "_set_parents"):  # older loaders patched parents after the insert
        geo_loaders._set_parents = timed("_set_parents", geo_loaders._set_parents)

    def quiet(*args, **kwargs):
        return None

    with acting_as(None, name="bench", source="cli"):
        t0 = time.perf_counter()
        first = reference.load_reference(log=quiet)
        first_s = time.perf_counter() - t0
        first_phases = dict(phases)
        t0 = time.perf_counter()
        second = reference.load_reference(log=quiet)
        second_s = time.perf_counter() - t0

    info = {"vendor": connection.vendor}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode")
            info["journal_mode"] = cursor.fetchone()[0]
            cursor.execute("select sqlite_version()")
        else:
            cursor.execute("show server_version")
        info["server_version"] = cursor.fetchone()[0]
    return {
        "migrate_s": migrate_s,
        "first_s": first_s,
        "second_s": second_s,
        "phases_s": first_phases,
        "rows_created": sum(r.created for r in first.values()),
        "second_changed": sum(r.created + r.updated for r in second.values()),
        "second_unchanged": sum(r.unchanged for r in second.values()),
        **info,
    }


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    return Path(next(iter(spec.submodule_search_locations)))


def read_sources() -> list[tuple[str, list[str], list[str], list[tuple]]]:
    """The rows the reference loaders read, as they are: (table, columns, sqlite types, rows)."""
    tables = []
    dataset = _package_dir("vietnamadminunits") / "data"
    con = sqlite3.connect(f"file:{dataset / 'dataset.db'}?mode=ro", uri=True)
    for table in ("admin_units", "admin_units_legacy"):
        info = con.execute(f"PRAGMA table_info({table})").fetchall()
        columns, types = [r[1] for r in info], [r[2] or "TEXT" for r in info]
        rows = con.execute(f"SELECT {', '.join(_q(c) for c in columns)} FROM {table}").fetchall()
        tables.append((table, columns, types, rows))
    con.close()

    data = json.loads((dataset / "converter_2025.json").read_text(encoding="utf-8"))
    links = []
    for province_key, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            links.extend((province_key, ward_key, old_key, 1, 0) for old_key in old_keys)
    for province_key, old_wards in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, new_wards in old_wards.items():
            links.extend(
                (province_key, new["newWardKey"], old_key, int(bool(new["isDefaultNewWard"])), 1) for new in new_wards
            )
    tables.append(
        (
            "crosswalk",
            ["province_key", "new_ward_key", "old_key", "is_default", "divided"],
            ["TEXT", "TEXT", "TEXT", "INTEGER", "INTEGER"],
            links,
        )
    )

    package = _package_dir("ketnoi")
    for app in ("geo", "people", "orgs"):
        for path in sorted((package / app / "data").glob("*.csv")):
            with open(path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                columns = next(reader)
                rows = [tuple(row + [None] * (len(columns) - len(row)))[: len(columns)] for row in reader]
            tables.append((f"{app}_{path.stem}", columns, ["TEXT"] * len(columns), rows))
    return tables


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


PG_TYPES = {"TEXT": "text", "REAL": "double precision", "INTEGER": "bigint"}


def child_baseline(database_url: str) -> dict:
    """Create the simple tables (not timed), then time reading the sources + executemany + commit."""
    sources = read_sources()  # warm the file cache; the timed run reads them again
    if database_url.startswith("sqlite:"):
        path = database_url.split("sqlite:///", 1)[1]
        con = sqlite3.connect(path, isolation_level=None, timeout=20)
        # The project's SQLite settings (ketnoi/settings.py).
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA busy_timeout=20000")
        con.execute("PRAGMA synchronous=NORMAL")
        for table, columns, types, _rows in sources:
            con.execute(
                f"CREATE TABLE {_q(table)} ({', '.join(f'{_q(c)} {t}' for c, t in zip(columns, types, strict=True))})"
            )
        t0 = time.perf_counter()
        sources = read_sources()
        t_read = time.perf_counter() - t0
        con.execute("BEGIN IMMEDIATE")
        for table, columns, _types, rows in sources:
            marks = ", ".join("?" for _ in columns)
            con.executemany(f"INSERT INTO {_q(table)} VALUES ({marks})", rows)
        con.execute("COMMIT")
        total = time.perf_counter() - t0
        version = sqlite3.sqlite_version
        con.close()
    else:
        import psycopg

        with psycopg.connect(database_url) as con:
            with con.transaction():
                for table, columns, types, _rows in sources:
                    cols = ", ".join(
                        f"{_q(c)} {PG_TYPES.get(t.upper(), 'text')}" for c, t in zip(columns, types, strict=True)
                    )
                    con.execute(f"CREATE TABLE {_q(table)} ({cols})")
            t0 = time.perf_counter()
            sources = read_sources()
            t_read = time.perf_counter() - t0
            with con.transaction(), con.cursor() as cursor:
                for table, columns, _types, rows in sources:
                    marks = ", ".join("%s" for _ in columns)
                    cursor.executemany(f"INSERT INTO {_q(table)} VALUES ({marks})", rows)
            total = time.perf_counter() - t0
            version = con.execute("show server_version").fetchone()[0]
    return {
        "total_s": total,
        "read_s": t_read,
        "insert_s": total - t_read,
        "rows": sum(len(rows) for *_rest, rows in sources),
        "tables": {table: len(rows) for table, _c, _t, rows in sources},
        "server_version": version,
    }


# --------------------------------------------------------------------------------------------
# Parent: orchestration, statistics, report.
# --------------------------------------------------------------------------------------------


def _env(database_url: str, var_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in STRIPPED_ENV}
    env.update(
        DATABASE_URL=database_url,
        KETNOI_VAR_DIR=var_dir,
        KETNOI_TESTING="0",
        HUEY_IMMEDIATE="0",
        DJANGO_SETTINGS_MODULE="ketnoi.settings",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    )
    return env


def run_child(mode: str, database_url: str, var_dir: str) -> dict:
    command = [sys.executable, "-m", "benchmarks.bench_reference_load", "--child", mode, "--database-url", database_url]
    result = subprocess.run(
        command, env=_env(database_url, var_dir), cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    if result.returncode != 0:
        raise RuntimeError(f"{mode} on {database_url} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _pg_url(database: str) -> str:
    return urlsplit(PG_ADMIN_URL)._replace(path="/" + database).geturl()


def _pg_admin():
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)


def _pg_recreate(database: str) -> None:
    with _pg_admin() as con:
        con.execute(f"DROP DATABASE IF EXISTS {_q(database)} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {_q(database)}")


def _pg_drop(database: str) -> None:
    with _pg_admin() as con:
        con.execute(f"DROP DATABASE IF EXISTS {_q(database)} WITH (FORCE)")


def postgres_available() -> tuple[bool, str]:
    try:
        with _pg_admin() as con:
            return True, con.execute("show server_version").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return False, f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


def measure_sqlite(repeat: int) -> dict:
    loader, baseline = [], []
    for i in range(repeat):
        with tempfile.TemporaryDirectory(prefix="ketnoi-bench-") as tmp:
            loader.append(run_child("loader", f"sqlite:///{tmp}/ketnoi.sqlite3", tmp))
        with tempfile.TemporaryDirectory(prefix="ketnoi-bench-raw-") as tmp:
            baseline.append(run_child("baseline", f"sqlite:///{tmp}/raw.sqlite3", tmp))
        _progress("SQLite", i, loader, baseline)
    return {"loader": loader, "baseline": baseline}


def measure_postgres(repeat: int) -> dict:
    loader, baseline = [], []
    url = _pg_url(PG_SCRATCH_DB)
    try:
        for i in range(repeat):
            with tempfile.TemporaryDirectory(prefix="ketnoi-bench-") as tmp:
                _pg_recreate(PG_SCRATCH_DB)
                loader.append(run_child("loader", url, tmp))
                _pg_recreate(PG_SCRATCH_DB)
                baseline.append(run_child("baseline", url, tmp))
            _progress("PostgreSQL", i, loader, baseline)
    finally:
        _pg_drop(PG_SCRATCH_DB)
    return {"loader": loader, "baseline": baseline}


def _progress(name, i, loader, baseline) -> None:
    print(
        f"  {name} run {i + 1}: load_reference {loader[-1]['first_s']:.2f} s,"
        f" second run {loader[-1]['second_s']:.2f} s, raw baseline {baseline[-1]['total_s']:.2f} s",
        flush=True,
    )


def summarize(runs: dict) -> dict:
    first = [r["first_s"] for r in runs["loader"]]
    second = [r["second_s"] for r in runs["loader"]]
    base = [r["total_s"] for r in runs["baseline"]]
    phases = {}
    for name in runs["loader"][0]["phases_s"]:
        phases[name] = statistics.median(r["phases_s"][name] for r in runs["loader"])
    return {
        "first_median": statistics.median(first),
        "first_min": min(first),
        "second_median": statistics.median(second),
        "second_min": min(second),
        "base_median": statistics.median(base),
        "base_min": min(base),
        "base_insert_median": statistics.median(r["insert_s"] for r in runs["baseline"]),
        "ratio_median": statistics.median(first) / statistics.median(base),
        "ratio_min": min(first) / min(base),
        "loader_rows": runs["loader"][0]["rows_created"],
        "base_rows": runs["baseline"][0]["rows"],
        "second_changed": max(r["second_changed"] for r in runs["loader"]),
        "phases": phases,
        "runs": len(first),
        "server_version": runs["loader"][0]["server_version"],
        "journal_mode": runs["loader"][0].get("journal_mode", ""),
    }


def machine_info(pg_version: str | None) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        nproc = str(len(os.sched_getaffinity(0)))
    import django

    return {
        "nproc": nproc,
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version or "not measured",
        "loadavg": " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "",
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def table(results: dict[str, dict]) -> str:
    lines = [
        "| Database | `load_reference`, empty DB: median (min) | raw `executemany` baseline: median (min) "
        "| loader / baseline (medians) | second run, nothing changes: median (min) | rows: loader / baseline |",
        "|---|---|---|---|---|---|",
    ]
    for name, s in results.items():
        lines.append(
            f"| {name} | {_s(s['first_median'])} ({_s(s['first_min'])}) | {_s(s['base_median'])} ({_s(s['base_min'])})"
            f" | {s['ratio_median']:.1f}× | {_s(s['second_median'])} ({_s(s['second_min'])})"
            f" | {s['loader_rows']:,} / {s['base_rows']:,} |"
        )
    return "\n".join(lines)


def phase_table(results: dict[str, dict]) -> str:
    lines = ["| Phase of the first load (median) | " + " | ".join(results) + " |", "|---|" + "---:|" * len(results)]
    for phase, label in PHASE_LABELS.items():
        lines.append(f"| {label} | " + " | ".join(_s(s["phases"].get(phase, 0.0)) for s in results.values()) + " |")
    return "\n".join(lines)


def reading(results: dict[str, dict], machine: dict, notes: list[str]) -> str:
    out = []
    lite = results.get("SQLite")
    if lite:
        verdict = "meets" if lite["first_median"] < GOAL_SECONDS else "misses"
        out.append(
            f"- **SQLite**: loading all reference data into an empty database takes {lite['first_median']:.1f} s "
            f"(median of {lite['runs']}) on {machine['nproc']} cores, which {verdict} the goal of "
            f"< {GOAL_SECONDS:.0f} s. Inserting the raw source rows as they are takes {lite['base_median']:.2f} s, "
            f"so the loader costs {lite['ratio_median']:.0f}× the bare insert."
        )
    pg = results.get("PostgreSQL")
    if pg:
        out.append(
            f"- **PostgreSQL**: {pg['first_median']:.1f} s for the loader against {pg['base_median']:.2f} s "
            f"for the raw insert ({pg['ratio_median']:.0f}×)"
            + (
                f"; {pg['first_median'] / lite['first_median']:.2f}× the SQLite time on the same machine."
                if lite
                else "."
            )
        )
    first = lite or pg
    if first:
        slowest = max(LOADERS, key=lambda name: first["phases"].get(name, 0.0))
        share = first["phases"][slowest] / first["first_median"]
        parents = first["phases"].get("_set_parents", 0.0) / first["first_median"]
        upserts = first["phases"].get("upsert", 0.0) / first["first_median"]
        out.append(
            f"- Where the loader's time goes ({'SQLite' if lite else 'PostgreSQL'}): `{slowest}` takes {share:.0%} "
            f"of the first load; across all loaders the generic `upsert()` takes {upserts:.0%} and setting the "
            f"units' parent/province links with `bulk_update` (a CASE WHEN per row) {parents:.0%}; the remaining "
            f"~{max(0.0, 1 - parents - upserts):.0%} is reading the sources and building the rows (Unicode and "
            "tone-mark normalisation, folded search keys, Vietnamese sort keys, crosswalk key lookups). The baseline "
            "skips all of that and inserts source rows verbatim; the loader also writes "
            f"{first['loader_rows'] - first['base_rows']:,} more rows than it (derived rows such as one local "
            "agency per province and commune)."
        )
        changed = max(s["second_changed"] for s in results.values())
        out.append(
            "- A second run on a loaded database is the idempotence check: "
            + ", ".join(f"{n} {_s(s['second_median'])}" for n, s in results.items())
            + (
                "; it created or updated nothing."
                if changed == 0
                else f"; **it still created or updated {changed} rows (not idempotent)**."
            )
        )
    out.append(
        "- The machine is shared and noisy (load average at the start: "
        f"{machine['loadavg'] or 'n/a'}): compare medians and ratios, not single runs."
    )
    out.extend(f"- {note}" for note in notes)
    return "\n".join(out)


def write_doc(path: Path, results: dict, machine: dict, notes: list[str], repeat: int) -> None:
    text = f"""# Benchmarks

Generated by `make bench` (`python -m benchmarks`, source in `benchmarks/`); rerun it to refresh this page.

## Loading all reference data (`benchmarks/bench_reference_load.py`)

What is timed, in a fresh subprocess per run (fresh Django settings), {repeat} runs per database, each on
a new empty database that was just migrated (migration not timed):

- **`load_reference`**: `ketnoi.reference.load_reference()` — administrative units (current and legacy),
  the 2025 crosswalk, classification periods, ethnic groups and languages, agencies — as
  `ketnoi load-reference` runs it, in one transaction.
- **raw `executemany` baseline**: reading the same source rows the loaders read (vietnamadminunits'
  `dataset.db` tables `admin_units` and `admin_units_legacy`, `converter_2025.json`, the geo/people/orgs
  CSVs) and inserting them unchanged into simple tables with the same columns with DB-API `executemany`
  in one transaction (`sqlite3`, `psycopg`): no ORM, no normalisation, no sort keys, no upsert checks,
  no parent links.
- **second run**: `load_reference()` again on the loaded database; nothing changes.

SQLite is a temporary file with the project's settings (WAL, `IMMEDIATE` transactions,
`synchronous=NORMAL`); PostgreSQL is a scratch database `{PG_SCRATCH_DB}` created and dropped by the run.

### Machine

| | |
|---|---|
| Date | {machine["date"]} |
| Command | `make bench` |
| `nproc` | {machine["nproc"]} |
| CPU | {machine["cpu"]} |
| RAM | {machine["ram"]} |
| Python | {machine["python"]} (Django {machine["django"]}) |
| SQLite | {machine["sqlite"]} |
| PostgreSQL | {machine["postgresql"]} |
| Load average at start | {machine["loadavg"]} |

### Results

{table(results) if results else "_No database could be measured._"}

{phase_table(results) if results else ""}

### Reading

{reading(results, machine, notes)}
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Keep the sections other benchmarks append (each from its "<!-- bench_…:start -->" marker on).
    if path.exists():
        existing = path.read_text(encoding="utf-8")
        start = existing.find("<!-- bench_")
        if start != -1:
            text = text.rstrip("\n") + "\n\n" + existing[start:]
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_reference_load", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per database (fresh empty DB each)")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {DOC.relative_to(ROOT)}")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--output", type=Path, default=DOC)
    parser.add_argument("--child", choices=["loader", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "loader":
        print(json.dumps(child_loader()))
        return 0
    if args.child == "baseline":
        print(json.dumps(child_baseline(args.database_url)))
        return 0

    notes: list[str] = []
    results: dict[str, dict] = {}
    pg_ok, pg_version = (False, "skipped (--skip-postgres)") if args.skip_postgres else postgres_available()
    print(f"Reference data load: {args.repeat} runs per database, fresh empty database each run", flush=True)
    results["SQLite"] = summarize(measure_sqlite(args.repeat))
    if pg_ok:
        results["PostgreSQL"] = summarize(measure_postgres(args.repeat))
    else:
        note = f"PostgreSQL not measured: {PG_ADMIN_URL} unreachable or skipped ({pg_version})."
        print(f"NOTE: {note}", flush=True)
        notes.append(note)
    machine = machine_info(pg_version if pg_ok else None)

    print()
    print(table(results))
    print()
    print(phase_table(results))
    if not args.no_write:
        write_doc(args.output, results, machine, notes, args.repeat)
        print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
