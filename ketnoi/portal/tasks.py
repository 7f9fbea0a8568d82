"""Jobs of the portal."""

from ketnoi.core.jobs import crontab, periodic


@periodic(crontab(minute="47", hour="3"), name="portal.expire_feedback_personal_data")
def expire_feedback_personal_data() -> dict:
    """Remove feedback senders and rejected messages past their retention period (idempotent)."""
    from .services import feedback_retention_expire

    return feedback_retention_expire()
