"""Jobs of the inbox."""

from ketnoi.core.jobs import crontab, job, periodic


@job(retries=5, retry_delay=60, name="inbox.deliver_answer")
def deliver_answer_job(feedback_id: int) -> str:
    """Send one feedback's answer back by SMS or message (idempotent: services.deliver_answer)."""
    from .services import deliver_answer

    return deliver_answer(feedback_id)


@periodic(crontab(minute="*/15"), name="inbox.deliver_pending_answers")
def deliver_pending_answers() -> int:
    """Answers still waiting (a worker died, a provider was down): tried again, each once."""
    from ketnoi.portal.models import Feedback

    from .services import deliver_answer

    done = 0
    for pk in Feedback.objects.filter(answer_delivery__in=["pending", "sending"]).values_list("pk", flat=True)[:200]:
        try:
            done += deliver_answer(pk) == "sent"
        except Exception:  # noqa: BLE001 - a transient error: the next round tries again
            continue
    return done


@periodic(crontab(minute="52", hour="3"), name="inbox.expire_private_feedback_messages")
def expire_private_feedback_messages() -> dict:
    """Replace the words of answered SMS, messaging, meeting and call-in feedback past their period."""
    from .services import retention_expire

    return retention_expire()
