"""Press coverage (issue 9.6): time of the coverage report of one province with many deliveries.

Synthetic data in a scratch SQLite database (migrated first): one province of 100 communes with 20
recipients each (2,000) and 100 confirmed issues per recipient in the year (200,000 deliveries, one in
ten late). Timed `--repeat` runs each (default 5), medians, in one process: the report
(``selectors._coverage``: SQL aggregates), one commune's ``delivery_rate`` (what the gap index calls
per commune), and the **baseline**: the same totals computed by reading every delivery row through
the ORM (what the first version of the report did).

`python -m benchmarks.bench_press [--repeat 5] [--no-write]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench_press:start -->", "<!-- bench_press:end -->"
COMMUNES, RECIPIENTS, ISSUES = 100, 20, 100


def _setup(path: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ketnoi.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _data():
    import datetime as dt
    from decimal import Decimal

    from ketnoi.core.audit import suppressed
    from ketnoi.geo.models import AdminUnit, Village
    from ketnoi.press.loaders import load_reference
    from ketnoi.press.models import BeneficiaryCategory, Decision, Delivery, Publication, Recipient, YearlyOrder

    def unit(level, code, province=None):
        return AdminUnit.objects.create(
            structure="current",
            level=level,
            code=code,
            unit_type=level,
            name=f"Đơn vị {code}",
            short_name=code,
            search_key=code,
            sort_key=code,
            province=province,
            parent=province,
        )

    with suppressed():
        load_reference()
        province = unit("province", "99")
        communes = [unit("commune", f"99{i:03d}", province) for i in range(COMMUNES)]
        Village.objects.bulk_create(
            Village(commune=c, name="Thôn 1", search_key="thon 1", sort_key="thon 1", households=400) for c in communes
        )
        category = BeneficiaryCategory.objects.get(code="ubnd-xa")
        order = YearlyOrder.objects.create(
            decision=Decision.objects.get(number="752/QĐ-TTg"),
            year=2025,
            province=province,
            publication=Publication.objects.get(code="dan-toc-phat-trien"),
            category=category,
            issues=104,
            unit_price=Decimal(5000),
        )
        recipients = Recipient.objects.bulk_create(
            Recipient(reference=f"R{c.code}-{i}", category=category, commune=c, unit_name="UBND")
            for c in communes
            for i in range(RECIPIENTS)
        )
        start = dt.date(2025, 1, 1)
        Delivery.objects.bulk_create(
            (
                Delivery(
                    order=order,
                    recipient=r,
                    issue=f"{n:03d}",
                    issue_date=start + dt.timedelta(days=3 * n),
                    copies=1,
                    delivered_on=start + dt.timedelta(days=3 * n + (12 if n % 10 == 0 else 2)),
                    late=n % 10 == 0,
                )
                for r in recipients
                for n in range(ISSUES)
            ),
            batch_size=5000,
        )
    return communes


def _baseline(communes) -> tuple[int, int, int]:
    """Every delivery row read through the ORM and summed in Python (the first version's approach)."""
    from ketnoi.press.models import Delivery

    delivered = copies = late = 0
    rows = Delivery.objects.filter(order__year=2025, recipient__commune__in=communes).select_related("order")
    for delivery in rows:
        if delivery.state == Delivery.State.CONFIRMED:
            delivered += 1
            copies += delivery.copies
            late += (delivery.delivered_on - delivery.issue_date).days > delivery.order.late_after_days
    return delivered, copies, late


def _median(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_press")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args, _unknown = parser.parse_known_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        _setup(str(Path(scratch) / "bench.sqlite3"))
        from ketnoi.press import selectors

        communes = _data()
        report_s, rows = _median(lambda: selectors._coverage(communes, 2025), args.repeat)
        one_s, _rate = _median(lambda: selectors.delivery_rate(communes[0], 2025), args.repeat)
        base_s, base = _median(lambda: _baseline(communes), args.repeat)
        totals = (sum(r.delivered for r in rows), sum(r.copies for r in rows), sum(r.late for r in rows))
        assert totals == base, (totals, base)  # the report and the baseline agree
    deliveries = COMMUNES * RECIPIENTS * ISSUES
    text = (
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}, "
        f"SQLite; `python -m benchmarks.bench_press --repeat {args.repeat}`; medians.\n\n"
        "| What | Communes | Deliveries | Time |\n|---|---|---|---|\n"
        f"| Coverage report of the province (SQL aggregates) | {COMMUNES} | {deliveries:,} | "
        f"{report_s * 1000:.0f} ms |\n"
        f"| `delivery_rate` of one commune | 1 | {RECIPIENTS * ISSUES:,} | {one_s * 1000:.0f} ms |\n"
        f"| Baseline: every delivery row read and summed in Python | {COMMUNES} | {deliveries:,} | "
        f"{base_s * 1000:.0f} ms |\n"
    )
    print(text)
    if not args.no_write:
        doc = DOC.read_text(encoding="utf-8")
        block = f"{START}\n{text}{END}"
        if START in doc:
            doc = doc[: doc.index(START)] + block + doc[doc.index(END) + len(END) :]
        else:
            doc = (
                doc.rstrip("\n")
                + "\n\n## Press coverage (issue 9.6)\n\n"
                + "`benchmarks/bench_press.py`: the coverage report of one synthetic province (100 communes, "
                + "2,000 recipients, 200,000 deliveries) computed with SQL aggregates, one commune's "
                + "`delivery_rate`, and as baseline the same totals from every delivery row read through the ORM.\n\n"
                + block
                + "\n"
            )
        DOC.write_text(doc, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
