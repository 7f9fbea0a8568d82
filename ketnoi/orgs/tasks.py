"""Jobs of accounts."""

from django.conf import settings
from django.core.mail import EmailMessage

from ketnoi.core.jobs import job


@job(name="orgs.send_password_reset_mail", retries=3, retry_delay=60)
def send_password_reset_mail(subject: str, body: str, to: str) -> int:
    """Idempotent enough: a retried send repeats a link that is valid either way (one use resets)."""
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
