"""Background jobs of the analytics: the refresh after a change, and the same every minute for
anything a lost job left (both idempotent: they fold in the dirty marks, which the run deletes)."""

from __future__ import annotations

from ketnoi.core.jobs import crontab, job, periodic


@job(retries=3, retry_delay=5, name="analytics.refresh")
def refresh():
    from . import engine

    return engine.refresh_dirty()


@periodic(crontab(minute="*"), name="analytics.refresh_due")
def refresh_due():
    from . import engine

    return engine.refresh_dirty()
