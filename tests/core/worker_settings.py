"""Settings of the job workers that tests start (tests/core/worker_harness.py): the product's own
settings, plus the test-only app tests.core.jobprobe whose jobs the worker loads, a queue polled
every 0.2 s at most, and periodic jobs off unless KETNOI_TEST_PERIODIC=1 (so that core.resume_jobs
runs when the test says, not at a minute's turn). Another test-only app goes in INSTALLED_APPS here,
so that the harness's templates migrate its tables."""

import os

from ketnoi.settings import *  # noqa: F403
from ketnoi.settings import HUEY, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.core.jobprobe"]
HUEY = {
    **HUEY,
    "immediate": False,  # a worker, never inline
    "consumer": {
        **HUEY["consumer"],
        "periodic": os.environ.get("KETNOI_TEST_PERIODIC", "0") == "1",
        "initial_delay": 0.05,
        "max_delay": 0.2,
    },
}
