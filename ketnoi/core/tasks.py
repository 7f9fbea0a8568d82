"""Housekeeping jobs of the kernel."""

from django.core.management import call_command

from .jobs import crontab, periodic


@periodic(crontab(minute="17", hour="3"), name="core.clear_expired_sessions")
def clear_expired_sessions():
    call_command("clearsessions")
    return "ok"
