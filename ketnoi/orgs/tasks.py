"""Jobs of accounts."""

from django.conf import settings
from django.core.mail import EmailMessage

from ketnoi.core.jobs import crontab, job, periodic


@job(name="orgs.send_password_reset_mail", retries=3, retry_delay=60)
def send_password_reset_mail(subject: str, body: str, to: str) -> int:
    """Idempotent enough: a retried send repeats a link that is valid either way (one use resets)."""
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()


@periodic(crontab(minute="23", hour="3"), name="orgs.sweep_signed_in_sessions")
def sweep_signed_in_sessions() -> int:
    """Forget the address and browser of sessions that have ended (after Django's own sweep at 03:17)."""
    from .sessions import sweep

    return sweep()


@periodic(crontab(minute="41", hour="3"), name="orgs.expire_closed_accounts")
def expire_closed_accounts() -> int:
    """Anonymise deactivated accounts past their retention period (PERSONAL_DATA_RETENTION_MONTHS)."""
    from .services import closed_accounts_expire

    return len(closed_accounts_expire())
