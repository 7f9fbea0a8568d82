"""Background jobs of content: scheduled publishing, every minute (idempotent)."""

from __future__ import annotations

from ketnoi.core.jobs import crontab, periodic

from . import services


@periodic(crontab(minute="*"), name="content.publish_due")
def publish_due():
    """Publish the scheduled items whose time has come; safe to run twice."""
    return services.publish_due_items()
