"""Writes of notifications: deliver once per event, e-mail once per notification, mark read.

Exactly once, in two steps:

1. ``notification_deliver`` inserts the ``NotificationEvent`` (unique event_key + recipient) and
   the ``Notification`` in one transaction. Meeting the same event again (a retried job, a
   restarted worker, the daily scan run twice) hits the unique constraint and changes nothing.
2. After commit, ``notification_email_send`` claims the notification with a conditional UPDATE
   (``WHERE emailed_at IS NULL AND claim free or expired``), sends, and marks ``emailed_at``. Two
   workers cannot both win the claim; a failed send releases the claim so a retry sends it.

The only window left is a crash after the mail server accepted the message and before
``emailed_at`` is written: the claim then expires and the mail is sent again, with the same
Message-ID so mail clients can fold the duplicate. SMTP offers nothing stronger.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ketnoi.core.jobs import enqueue_on_commit

from . import selectors
from .messages import render
from .models import Kind, Notification, NotificationEvent

log = logging.getLogger(__name__)

DEFAULT_DUE_SOON_DAYS = 7
DEFAULT_OVERDUE_LOOKBACK_DAYS = 60
DEFAULT_EMAIL_LEASE_SECONDS = 600
DEFAULT_EMAIL_MAX_AGE_DAYS = 3
DEFAULT_MAIL_BACKOFF_SECONDS = 60


def due_soon_days() -> int:
    return int(getattr(settings, "NOTIFICATIONS_DUE_SOON_DAYS", DEFAULT_DUE_SOON_DAYS))


def overdue_lookback_days() -> int:
    return int(getattr(settings, "NOTIFICATIONS_OVERDUE_LOOKBACK_DAYS", DEFAULT_OVERDUE_LOOKBACK_DAYS))


def email_lease_seconds() -> int:
    return int(getattr(settings, "NOTIFICATIONS_EMAIL_LEASE_SECONDS", DEFAULT_EMAIL_LEASE_SECONDS))


def _path(name: str, *args) -> str:
    """A link to a page of another app, or no link if that page does not exist (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- delivery ------------------------------------------------------------------------------


def notification_deliver(*, recipient, kind: str, event_key: str, values: dict, link: str = "") -> Notification | None:
    """Tell ``recipient`` about an event once. Returns the new notification, or None when this
    event was already delivered to this recipient (or the recipient is inactive)."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not event_key or len(event_key) > 200:
        raise ValueError("an event key of 1 to 200 characters is required")
    if recipient is None or not recipient.is_active:
        return None
    subject, body = render(kind, values, recipient.preferred_language)
    try:
        with transaction.atomic():
            event = NotificationEvent.objects.create(event_key=event_key, recipient=recipient)
            notification = Notification.objects.create(
                recipient=recipient,
                event=event,
                kind=kind,
                subject=" ".join(subject.split())[:300],
                body=body,
                link=link[:300],
            )
    except IntegrityError:
        return None  # delivered before: the event row exists
    if recipient.email:
        from .tasks import send_notification_email

        enqueue_on_commit(send_notification_email, notification.pk)
    return notification


def notify(*, recipients, kind: str, event_key: str, values: dict, link: str = "", exclude=()) -> list[Notification]:
    """Deliver one event to several users (each at most once). For other apps too, e.g. the
    exchange module: ``notify(recipients=..., kind="request_received", event_key=f"request_received:{pk}", ...)``."""
    excluded = {getattr(u, "pk", u) for u in exclude if u is not None}
    created, seen = [], set()
    for recipient in recipients:
        if recipient is None or recipient.pk in excluded or recipient.pk in seen:
            continue
        seen.add(recipient.pk)
        notification = notification_deliver(
            recipient=recipient, kind=kind, event_key=event_key, values=values, link=link
        )
        if notification is not None:
            created.append(notification)
    return created


# --- e-mail --------------------------------------------------------------------------------


def _email_body(notification: Notification) -> str:
    with translation.override(notification.recipient.preferred_language or "vi"):
        lines = [notification.body]
        if notification.link:
            site = getattr(settings, "KETNOI_SITE_URL", "").rstrip("/")
            lines += ["", _("Open: %(url)s") % {"url": f"{site}{notification.link}"}]
        lines += [
            "",
            "—",
            _("%(site)s · you receive this because of your role. Your notifications: %(url)s")
            % {"site": settings.KETNOI_SITE_NAME, "url": f"{getattr(settings, 'KETNOI_SITE_URL', '')}/notifications/"},
        ]
    return "\n".join(lines)


class MailServerUnavailable(Exception):
    """The mail server failed to answer a moment ago; the e-mail is retried later, not now."""


# Failures of the mail server itself (down, hung past EMAIL_TIMEOUT, dropped the connection), as
# opposed to a refusal of one message (a bad recipient), which says nothing about the next one.
MAIL_SERVER_FAILURES = (
    TimeoutError,
    ConnectionError,
    socket.gaierror,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
)
_MAIL_DOWN_KEY = "notifications:mail-server-down"


def mail_backoff_seconds() -> int:
    return int(getattr(settings, "NOTIFICATIONS_MAIL_BACKOFF_SECONDS", DEFAULT_MAIL_BACKOFF_SECONDS))


def _mail_server_down() -> bool:
    return bool(cache.get(_MAIL_DOWN_KEY))


def _note_mail_server_down(exc: Exception) -> None:
    """One hung mail server costs one EMAIL_TIMEOUT per back-off period, not one per e-mail: every
    worker thread stays free for the other jobs (scheduled publishing, reminders)."""
    log.warning("mail server unavailable (%s); e-mails wait %ss", type(exc).__name__, mail_backoff_seconds())
    cache.set(_MAIL_DOWN_KEY, True, mail_backoff_seconds())


def notification_email_send(*, notification_id: int, connection=None) -> bool:
    """Send the notification's e-mail unless it was sent or another sender holds it. True if sent here.

    Raises MailServerUnavailable without trying while the mail server is known to be down or hung
    (NOTIFICATIONS_MAIL_BACKOFF_SECONDS after a failure); the job's retries and the periodic sweep
    send it later. Each try waits at most EMAIL_TIMEOUT seconds for the server."""
    if _mail_server_down():
        raise MailServerUnavailable(notification_id)
    now = timezone.now()
    expired = now - dt.timedelta(seconds=email_lease_seconds())
    claimed = (
        Notification.objects.filter(pk=notification_id, emailed_at__isnull=True)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=expired))
        .exclude(recipient__email="")
        .update(email_claimed_at=now, email_attempts=F("email_attempts") + 1)
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    domain = getattr(settings, "DEFAULT_FROM_EMAIL", "ketnoi@localhost").rpartition("@")[2] or "localhost"
    message = EmailMessage(
        subject=notification.subject,
        body=_email_body(notification),
        to=[notification.recipient.email],
        headers={"Message-ID": f"<notification-{notification.pk}@{domain}>"},
        connection=connection,
    )
    try:
        message.send()
    except Exception as exc:
        # Release the claim so a retry (the job's or the periodic sweep's) sends it.
        Notification.objects.filter(pk=notification_id, email_claimed_at=now).update(email_claimed_at=None)
        if isinstance(exc, MAIL_SERVER_FAILURES):
            _note_mail_server_down(exc)
        raise
    Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    return True


def pending_email_ids(*, now: dt.datetime | None = None) -> list[int]:
    """Notifications whose e-mail is still due: not sent, not claimed (or claim expired), recent."""
    now = now or timezone.now()
    max_age = int(getattr(settings, "NOTIFICATIONS_EMAIL_MAX_AGE_DAYS", DEFAULT_EMAIL_MAX_AGE_DAYS))
    expired = now - dt.timedelta(seconds=email_lease_seconds())
    return list(
        Notification.objects.filter(emailed_at__isnull=True, created_at__gte=now - dt.timedelta(days=max_age))
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=expired))
        .exclude(recipient__email="")
        .filter(recipient__is_active=True)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )


def emails_send_pending(*, now: dt.datetime | None = None) -> int:
    """Send every pending e-mail over one connection; a refused message does not stop the others, a
    mail server that is down or hung stops the sweep (the next sweep tries again). Returns how many
    were sent."""
    sent = 0
    ids = pending_email_ids(now=now)
    if not ids:
        return 0
    connection = get_connection()
    try:
        for notification_id in ids:
            try:
                sent += notification_email_send(notification_id=notification_id, connection=connection)
            except (MailServerUnavailable, *MAIL_SERVER_FAILURES):
                log.warning("mail server unavailable: %s e-mails wait for the next sweep", len(ids) - sent)
                break
            except Exception:
                log.exception("e-mail of notification %s failed; it will be retried", notification_id)
    finally:
        try:
            connection.close()
        except Exception:  # closing a connection to a broken server
            log.debug("closing the mail connection failed", exc_info=True)
    return sent


# --- reading -------------------------------------------------------------------------------


def notification_mark_read(*, user, notification: Notification) -> Notification:
    if notification.recipient_id != getattr(user, "pk", None):
        raise PermissionDenied("notifications are their recipient's own")
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_mark_all_read(*, user) -> int:
    return selectors.notifications_of(user=user, unread_only=True).update(read_at=timezone.now())


# --- deadlines -----------------------------------------------------------------------------


def _task_values(task) -> dict:
    return {
        "code": task.code,
        "title_vi": task.title_vi,
        "title_en": task.title_en,
        "programme": task.programme.document.number_symbol if task.programme.document_id else task.programme.code,
        "due": task.due_date,
    }


def task_reminders_send(*, today: dt.date | None = None) -> list[Notification]:
    """Tasks due within NOTIFICATIONS_DUE_SOON_DAYS and overdue tasks (due at most
    NOTIFICATIONS_OVERDUE_LOOKBACK_DAYS ago), to the lead agency and the officers of each open
    assignment. One reminder of each kind per task, assignment, recipient and due date."""
    from ketnoi.programmes.models import Task
    from ketnoi.programmes.selectors import task_state

    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=due_soon_days())
    oldest = today - dt.timedelta(days=overdue_lookback_days())
    tasks = (
        Task.objects.filter(due_date__gte=oldest, due_date__lte=soon)
        .exclude(manual_status=Task.Status.CANCELLED)
        .select_related("programme__document", "lead_agency")
        .prefetch_related("assignments__unit__province")
        .order_by("due_date", "pk")
    )
    closed = {Task.Status.DONE, Task.Status.CANCELLED}
    created = []
    for task in tasks:
        if task_state(task, today=today).status in closed:
            continue
        kind = Kind.TASK_OVERDUE if task.due_date < today else Kind.TASK_DUE_SOON
        due = task.due_date.isoformat()
        values = _task_values(task)
        link = _path("task-detail", task.pk)
        lead = selectors.task_lead_recipients(task, today=today)
        created += notify(
            recipients=lead, kind=kind, event_key=f"{kind}:{task.pk}:lead:{due}", values=values, link=link
        )
        for assignment in task.assignments.all():
            if assignment.status in closed:
                continue
            officers = selectors.assignment_recipients(assignment, today=today)
            created += notify(
                recipients=officers,
                kind=kind,
                event_key=f"{kind}:{task.pk}:{assignment.pk}:{due}",
                values={**values, "unit": assignment.unit.name},
                link=link,
                exclude=lead,
            )
    return created


def _report_values(report, **extra) -> dict:
    programme = report.programme
    return {
        "programme": programme.document.number_symbol if programme.document_id else programme.code,
        "period": report.period,
        "unit": report.unit.name if report.unit_id else "",
        "due": report.due_date,
        **extra,
    }


def report_reminders_send(*, today: dt.date | None = None) -> list[Notification]:
    """Draft or returned reports due soon or overdue, to the users who submit them."""
    from ketnoi.programmes.models import ProgressReport

    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=due_soon_days())
    oldest = today - dt.timedelta(days=overdue_lookback_days())
    reports = (
        ProgressReport.objects.filter(
            state__in=[ProgressReport.State.DRAFT, ProgressReport.State.RETURNED],
            due_date__gte=oldest,
            due_date__lte=soon,
        )
        .select_related("programme__document", "unit__province", "agency")
        .order_by("due_date", "pk")
    )
    created = []
    for report in reports:
        kind = Kind.REPORT_OVERDUE if report.due_date < today else Kind.REPORT_DUE_SOON
        created += notify(
            recipients=selectors.report_writers(report, today=today),
            kind=kind,
            event_key=f"{kind}:{report.pk}:{report.due_date.isoformat()}",
            values=_report_values(report),
            link=_path("report-detail", report.pk),
        )
    return created


# --- submissions and approvals -----------------------------------------------------------


def _actor_name(user) -> str:
    return str(user) if user is not None else ""


def notify_report_submitted(report, *, version: int | None = None) -> list[Notification]:
    """Tell the approvers that a report was submitted. ``version`` is the report's version right
    after submission, so a resubmission after a return is a new event and a retry is not."""
    version = version if version is not None else report.version
    return notify(
        recipients=selectors.report_approvers(report),
        kind=Kind.REPORT_SUBMITTED,
        event_key=f"report_submitted:{report.pk}:v{version}",
        values=_report_values(report, actor=_actor_name(report.submitted_by)),
        link=_path("report-detail", report.pk),
        exclude=[report.submitted_by],
    )


_DECISIONS = {"approve": Kind.REPORT_APPROVED, "return": Kind.REPORT_RETURNED, "unapprove": Kind.REPORT_UNAPPROVED}


def notify_report_decided(report, action: str, *, signoff=None) -> list[Notification]:
    """Tell the report's writers (and whoever submitted it) that it was approved, returned, or its
    approval withdrawn. An approval is told once the report is approved by every signer."""
    from ketnoi.programmes.models import ProgressReport

    if action not in _DECISIONS:
        raise ValueError(f"unknown decision {action!r}")
    kind = _DECISIONS[action]
    if kind == Kind.REPORT_APPROVED:
        if report.state != ProgressReport.State.APPROVED or report.approved_at is None:
            return []  # a partial sign-off of a co-owned report, or withdrawn since
        event_key = f"report_approved:{report.pk}:{report.approved_at.isoformat()}"
    elif signoff is not None:
        event_key = f"{kind}:{report.pk}:s{signoff.pk}"
    else:
        event_key = f"{kind}:{report.pk}:v{report.version}"
    actor = signoff.user if signoff is not None else None
    recipients = selectors.report_writers(report)
    if report.submitted_by is not None:
        recipients = [report.submitted_by, *recipients]
    return notify(
        recipients=recipients,
        kind=kind,
        event_key=event_key,
        values=_report_values(report, actor=_actor_name(actor), reason=signoff.reason if signoff else ""),
        link=_path("report-detail", report.pk),
        exclude=[actor],
    )
