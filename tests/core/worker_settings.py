"""Settings of the job workers that tests start (tests/core/worker_harness.py): the product's own
settings, plus the test-only app tests.core.jobprobe (and any in KETNOI_TEST_EXTRA_APPS) whose jobs
the worker loads, a queue polled every 0.2 s at most, and periodic jobs off unless
KETNOI_TEST_PERIODIC=1 (so that core.resume_jobs runs when the test says, not at a minute's turn)."""

import os

from ketnoi.settings import *  # noqa: F403
from ketnoi.settings import HUEY, INSTALLED_APPS

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "tests.core.jobprobe",
    *[app.strip() for app in os.environ.get("KETNOI_TEST_EXTRA_APPS", "").split(",") if app.strip()],
]
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
