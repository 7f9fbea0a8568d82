"""The one job layer: huey, on an embedded SQLite queue by default and on Redis when REDIS_URL is set.

Features define jobs with ``@job`` and schedules with ``@periodic``; callers enqueue with
``enqueue_on_commit`` so a job never runs against data whose transaction rolled back. Job bodies
must be idempotent: huey retries them, and a worker restart may run one twice.
"""

from __future__ import annotations

import functools
import logging

from django.db import transaction
from huey import crontab  # noqa: F401  (re-exported for feature modules)
from huey.contrib.djhuey import HUEY as queue
from huey.contrib.djhuey import db_periodic_task, db_task

from .audit import acting_as

log = logging.getLogger(__name__)

DEFAULT_RETRIES = 3
DEFAULT_RETRY_DELAY = 10


def job(*, retries: int = DEFAULT_RETRIES, retry_delay: int = DEFAULT_RETRY_DELAY, name: str | None = None):
    """Declare a background job. It runs with the audit actor 'job:<name>'."""

    def decorator(func):
        job_name = name or f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def run(*args, **kwargs):
            with acting_as(None, name=f"job:{job_name}", source="job"):
                return func(*args, **kwargs)

        return db_task(retries=retries, retry_delay=retry_delay, name=job_name)(run)

    return decorator


def periodic(schedule, *, name: str | None = None, retries: int = 1, retry_delay: int = 60):
    """Declare a job that the worker runs on a crontab schedule."""

    def decorator(func):
        job_name = name or f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def run(*args, **kwargs):
            with acting_as(None, name=f"job:{job_name}", source="job"):
                return func(*args, **kwargs)

        return db_periodic_task(schedule, retries=retries, retry_delay=retry_delay, name=job_name)(run)

    return decorator


def enqueue_on_commit(job_func, *args, **kwargs) -> None:
    transaction.on_commit(lambda: job_func(*args, **kwargs))


def queue_backend() -> str:
    return type(queue).__name__
