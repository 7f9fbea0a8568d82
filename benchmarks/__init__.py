"""Benchmarks of Kết Nối: `make bench` (= `python -m benchmarks`) runs them all.

Each benchmark module has a ``main(argv) -> int``; see docs/benchmarks.md for the latest numbers.
"""

BENCHMARKS = [
    "benchmarks.bench_reference_load",
    "benchmarks.bench_tm",
    "benchmarks.bench_qa",
    "benchmarks.eval_qa_seed",
    "benchmarks.eval_qa",
    "benchmarks.bench_exports",
    "benchmarks.bench_maps",
    "benchmarks.bench_aggregates",
    "benchmarks.bench_press",
    "benchmarks.bench_devices",
    "benchmarks.bench_emergency",
]
