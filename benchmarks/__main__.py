"""`python -m benchmarks [args]`: run every benchmark in benchmarks.BENCHMARKS (args go to each)."""

import importlib
import sys

from benchmarks import BENCHMARKS


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    status = 0
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        status = importlib.import_module(name).main(argv) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
