"""The one job layer: huey, on an embedded SQLite queue by default and on Redis when REDIS_URL is set.

Features define jobs with ``@job`` and schedules with ``@periodic``; callers enqueue with
``enqueue_on_commit``, which writes a ``JobRecord`` in the caller's transaction (so a job exists
exactly when the change that asked for it committed) and hands the queue only the record's id once
the transaction commits. ``resume_stalled`` (the periodic job core.resume_jobs) enqueues again the
records the queue lost (Redis keeps nothing across a restart) or a killed worker left running.
Job bodies must be idempotent: huey retries them, and a worker killed mid-job runs it again.
"""

from __future__ import annotations

import functools
import logging
from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone
from huey import crontab  # noqa: F401  (re-exported for feature modules)
from huey.contrib.djhuey import HUEY as queue
from huey.contrib.djhuey import db_periodic_task, db_task

from .audit import acting_as

log = logging.getLogger(__name__)

DEFAULT_RETRIES = 3
DEFAULT_RETRY_DELAY = 10
# A queued record not picked up after this long was lost by the queue; a running one not finished
# after STALLED_AFTER was left by a worker that died. Both are enqueued again, up to MAX_ATTEMPTS.
LOST_AFTER = timedelta(minutes=2)
STALLED_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 8
KEEP_DONE = timedelta(days=7)

# job name → the huey task, for enqueueing a record again by its name
JOBS: dict[str, object] = {}


def _claim(record_id: int) -> bool:
    """Mark the record running if nobody runs it now; False when it is done, failed, or being run."""
    from .models import JobRecord

    now = timezone.now()
    claimable = JobRecord.objects.filter(pk=record_id).filter(
        models.Q(state=JobRecord.State.QUEUED)
        | models.Q(state=JobRecord.State.RUNNING, started_at__lt=now - STALLED_AFTER)
    )
    return bool(claimable.update(state=JobRecord.State.RUNNING, started_at=now, attempts=models.F("attempts") + 1))


def _finish(record_id: int, error: BaseException | None) -> None:
    from .models import JobRecord

    if error is None:
        JobRecord.objects.filter(pk=record_id).update(state=JobRecord.State.DONE, finished_at=timezone.now())
    else:  # back to the queue: huey retries it, and core.resume_jobs after huey gave up
        JobRecord.objects.filter(pk=record_id).update(
            state=JobRecord.State.QUEUED, started_at=None, last_error=f"{type(error).__name__}: {error}"[:2000]
        )


def job(*, retries: int = DEFAULT_RETRIES, retry_delay: int = DEFAULT_RETRY_DELAY, name: str | None = None):
    """Declare a background job. It runs with the audit actor 'job:<name>'."""

    def decorator(func):
        job_name = name or f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def run(*args, _job_record: int | None = None, **kwargs):
            if _job_record is not None and not _claim(_job_record):
                return None  # already done, or another worker runs it right now
            with acting_as(None, name=f"job:{job_name}", source="job"):
                try:
                    result = func(*args, **kwargs)
                except Exception as exc:
                    if _job_record is not None:
                        _finish(_job_record, exc)
                    raise
            if _job_record is not None:
                _finish(_job_record, None)
            return result

        task = db_task(retries=retries, retry_delay=retry_delay, name=job_name)(run)
        task.job_name = job_name
        JOBS[job_name] = task
        return task

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
    """Record the job in the current transaction; enqueue it when that transaction commits."""
    from .models import JobRecord

    name = getattr(job_func, "job_name", None)
    if name is None:  # not declared with @job: no record to resume it by
        transaction.on_commit(lambda: job_func(*args, **kwargs))
        return
    record = JobRecord.objects.create(name=name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: _send(job_func, record))


def _send(job_func, record) -> None:
    try:
        job_func(*record.args, _job_record=record.pk, **record.kwargs)
    except Exception:  # the queue is down: the record stays queued and core.resume_jobs sends it
        if queue.immediate:
            raise
        log.exception("could not enqueue %s #%s; it will be resumed", record.name, record.pk)


def resume_stalled(now=None) -> dict[str, int]:
    """Enqueue again what the queue lost or a dead worker left; give up after MAX_ATTEMPTS; forget
    finished records after KEEP_DONE. Safe to run at any time and from several places at once."""
    from .models import JobRecord

    now = now or timezone.now()
    counts = {"resumed": 0, "failed": 0, "forgotten": 0}
    stalled = JobRecord.objects.filter(
        models.Q(state=JobRecord.State.QUEUED, enqueued_at__lt=now - LOST_AFTER)
        | models.Q(state=JobRecord.State.RUNNING, started_at__lt=now - STALLED_AFTER)
    )
    for record in stalled.order_by("pk")[:1000]:
        if record.attempts >= MAX_ATTEMPTS or record.name not in JOBS:
            reason = "too many attempts" if record.name in JOBS else "no such job in this version"
            counts["failed"] += JobRecord.objects.filter(pk=record.pk, state=record.state).update(
                state=JobRecord.State.FAILED, finished_at=now, last_error=f"{record.last_error}\n{reason}".strip()
            )
            continue
        # push enqueued_at forward so that the next sweep waits for this attempt
        if JobRecord.objects.filter(pk=record.pk, state=record.state).update(enqueued_at=now):
            _send(JOBS[record.name], record)
            counts["resumed"] += 1
    counts["forgotten"] = JobRecord.objects.filter(
        state=JobRecord.State.DONE, finished_at__lt=now - KEEP_DONE
    ).delete()[0]
    return counts


def queue_backend() -> str:
    return type(queue).__name__
