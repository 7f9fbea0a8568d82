"""Jobs of notifications. Every body is idempotent: running one twice delivers nothing twice.

Schedules are crontabs in UTC: huey evaluates them in UTC (its ``utc`` option, on by default), not
in TIME_ZONE. ``hour="0"`` is therefore 07:00 in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
"""

from ketnoi.core.jobs import crontab, job, periodic

from . import services


@job(name="notifications.send_email", retries=5, retry_delay=60)
def send_notification_email(notification_id: int) -> bool:
    return services.notification_email_send(notification_id=notification_id)


@periodic(crontab(minute="*/10"), name="notifications.send_pending_emails")
def send_pending_emails() -> int:
    """Safety net: e-mails whose first attempt failed or whose worker died mid-send."""
    return services.emails_send_pending()


@periodic(crontab(minute="0", hour="0"), name="notifications.deadline_reminders")
def deadline_reminders() -> int:
    """Daily at 00:00 UTC = 07:00 Asia/Ho_Chi_Minh: tasks and reports due soon or overdue."""
    created = services.task_reminders_send()
    created += services.report_reminders_send()
    return len(created)


@job(name="notifications.report_submitted")
def report_submitted(report_id: int, version: int) -> int:
    from ketnoi.programmes.models import ProgressReport

    report = ProgressReport.objects.select_related("programme__document", "unit__province", "submitted_by").filter(
        pk=report_id
    )
    report = report.first()
    if report is None:
        return 0
    return len(services.notify_report_submitted(report, version=version))


@job(name="notifications.report_decided")
def report_decided(signoff_id: int) -> int:
    from ketnoi.programmes.models import ReportSignoff

    signoff = (
        ReportSignoff.objects.select_related(
            "user", "report__programme__document", "report__unit__province", "report__submitted_by", "report__agency"
        )
        .filter(pk=signoff_id)
        .first()
    )
    if signoff is None:
        return 0
    return len(services.notify_report_decided(signoff.report, signoff.action, signoff=signoff))
