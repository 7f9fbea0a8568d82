"""Housekeeping jobs of the kernel."""

from django.core.management import call_command

from .jobs import crontab, periodic


@periodic(crontab(minute="17", hour="3"), name="core.clear_expired_sessions")
def clear_expired_sessions():
    call_command("clearsessions")
    return "ok"


@periodic(crontab(minute="*"), name="core.seal_audit_log")
def seal_audit_log():
    """Extend the audit log's hash chain over the entries written since the last run."""
    from .audit_chain import seal_pending

    return seal_pending()


@periodic(crontab(minute="*"), name="core.resume_jobs")
def resume_jobs():
    """Enqueue again the jobs a Redis restart lost or a killed worker left half-run."""
    from .jobs import resume_stalled

    return resume_stalled()
