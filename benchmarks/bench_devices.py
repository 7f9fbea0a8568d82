"""Play-log ingestion (issue 8.11): rows per second through the device endpoint, against a plain
bulk insert of the same rows measured in the same run.

A scratch SQLite database (migrated first) holds one commune with 50 simulated clusters, each with a
token and a delivered loudspeaker rendition. Each timed run posts ``--batches`` batches of 500 play
logs (one cluster per batch) to ``POST /api/v1/devices/logs`` through Django's test client — the
whole request path: token check, JSON parsing, validation of every line, the duplicate check, one
transaction — and then replays the first batch (which must change nothing). The **baseline** writes
the same number of rows with ``PlayLog.objects.bulk_create`` and nothing else. Medians of
``--repeat`` runs (default 3); one process, no network, so what is measured is the server's work.

`python -m benchmarks.bench_devices [--repeat 3] [--batches 20] [--no-write]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench_devices:start -->", "<!-- bench_devices:end -->"
CLUSTERS, BATCH = 50, 500


def _setup(path: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ketnoi.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _data() -> list[tuple[str, int, int]]:
    """(token, credential id, rendition id) for each simulated cluster."""
    from django.contrib.auth import get_user_model

    from ketnoi.channels.devices import credential_issue
    from ketnoi.channels.models import Bulletin, Delivery, LoudspeakerCluster, RadioStation, Rendition
    from ketnoi.core.audit import acting_as
    from ketnoi.geo.models import AdminUnit
    from ketnoi.orgs.services import role_grant
    from ketnoi.people.models import Language

    keys = {"search_key": "x", "sort_key": "x"}
    vi = Language.objects.create(iso639_3="vie", bcp47="vi", name_vi="Tiếng Việt", name_en="Vietnamese", **keys)
    province = AdminUnit.objects.create(
        structure="current", level="province", code="15", unit_type="tỉnh", name="Tỉnh", short_name="T", **keys
    )
    AdminUnit.objects.filter(pk=province.pk).update(province=province)
    commune = AdminUnit.objects.create(
        structure="current",
        level="commune",
        code="03037",
        unit_type="xã",
        name="Xã",
        short_name="X",
        parent=province,
        province=province,
        **keys,
    )
    officer = get_user_model().objects.create_user("bench.officer", password="x" * 12)
    role_grant(user=officer, role="commune_officer", unit=commune)
    bulletin = Bulletin.objects.create(title="Bản tin", owner_unit=province, author=officer, state="approved")
    rendition = Rendition.objects.create(bulletin=bulletin, channel="loudspeaker", language=vi, text="Bản tin")
    station = RadioStation.objects.create(commune=commune, name="Đài")
    devices = []
    with acting_as(officer, source="cli"):
        for n in range(CLUSTERS):
            cluster = LoudspeakerCluster.objects.create(station=station, name=f"Cụm {n}", speakers=2)
            Delivery.objects.create(
                key=f"bench-{n}",
                bulletin=bulletin,
                rendition=rendition,
                commune=commune,
                endpoint="cluster",
                cluster=cluster,
                state="delivered",
            )
            credential, token = credential_issue(user=officer, cluster=cluster)
            devices.append((token, credential.pk, rendition.pk))
    return devices


def _lines(rendition_id: int, now) -> list[dict]:
    return [
        {
            "client_id": uuid.uuid4().hex,
            "rendition_id": rendition_id,
            "started_at": (now - dt.timedelta(seconds=i)).isoformat(),
            "seconds": 60,
            "completed": True,
        }
        for i in range(BATCH)
    ]


def _run_endpoint(devices, batches: int) -> tuple[float, int]:
    from django.test import Client
    from django.utils import timezone

    now, accepted = timezone.now(), 0
    payloads = [(devices[i % len(devices)][0], _lines(devices[i % len(devices)][2], now)) for i in range(batches)]
    start = time.perf_counter()
    for token, lines in payloads:
        answer = Client().post(
            "/api/v1/devices/logs",
            json.dumps({"lines": lines}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert answer.status_code == 200, answer.content[:500]
        accepted += answer.json()["accepted"]
    elapsed = time.perf_counter() - start
    replay = (
        Client()
        .post(
            "/api/v1/devices/logs",
            json.dumps({"lines": payloads[0][1]}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {payloads[0][0]}",
        )
        .json()
    )
    assert replay["accepted"] == 0 and replay["duplicates"] == BATCH, replay
    return elapsed, accepted


def _run_baseline(devices, batches: int) -> float:
    from django.db import transaction
    from django.utils import timezone

    from ketnoi.channels.models import PlayLog
    from ketnoi.geo.models import AdminUnit

    commune = AdminUnit.objects.get(code="03037")
    bulletin_id = PlayLog.objects.values_list("bulletin_id", flat=True).first()
    now = timezone.now()
    rows = [
        PlayLog(
            credential_id=devices[i % len(devices)][1],
            commune=commune,
            bulletin_id=bulletin_id,
            rendition_id=devices[i % len(devices)][2],
            client_id=line["client_id"],
            started_at=now - dt.timedelta(seconds=n),
            seconds=60,
            completed=True,
        )
        for i in range(batches)
        for n, line in enumerate(_lines(devices[i % len(devices)][2], now))
    ]
    start = time.perf_counter()
    for offset in range(0, len(rows), BATCH):
        with transaction.atomic():
            PlayLog.objects.bulk_create(rows[offset : offset + BATCH])
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        _setup(str(Path(tmp) / "bench.sqlite3"))
        devices = _data()
        endpoint, baseline = [], []
        for _ in range(args.repeat):
            elapsed, accepted = _run_endpoint(devices, args.batches)
            assert accepted == args.batches * BATCH
            endpoint.append(accepted / elapsed)
            baseline.append(args.batches * BATCH / _run_baseline(devices, args.batches))
    rows = args.batches * BATCH
    load = os.getloadavg()
    text = "\n".join(
        [
            START,
            "## Play-log ingestion (`benchmarks/bench_devices.py`, issue 8.11)",
            "",
            f"{rows:,} play logs per run in batches of {BATCH} through `POST /api/v1/devices/logs` (Django's test "
            "client: token, parsing, per-line validation, duplicate check, one transaction per batch; a replayed "
            "batch checked to change nothing) against `bulk_create` of the same rows. SQLite, medians of "
            f"{args.repeat} runs. Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {load[0]:.1f}; "
            "`python -m benchmarks.bench_devices`.",
            "",
            "| | rows/s (median) |",
            "|---|---|",
            f"| device endpoint | {statistics.median(endpoint):,.0f} |",
            f"| baseline: bulk_create only | {statistics.median(baseline):,.0f} |",
            f"| endpoint / baseline | {statistics.median(endpoint) / statistics.median(baseline):.2f} |",
            END,
        ]
    )
    print(text)
    if not args.no_write:
        doc = DOC.read_text(encoding="utf-8")
        if START in doc:
            doc = doc[: doc.index(START)] + text + doc[doc.index(END) + len(END) :]
        else:
            doc = doc.rstrip() + "\n\n" + text + "\n"
        DOC.write_text(doc, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
