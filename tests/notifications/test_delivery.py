"""Exactly once: one notification per event and recipient, one e-mail per notification, whatever
is retried, restarted or run twice."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from ketnoi.core.jobs import enqueue_on_commit, job
from ketnoi.core.models import AuditEntry
from ketnoi.notifications import services, tasks
from ketnoi.notifications.models import Notification, NotificationEvent


def test_the_same_event_is_delivered_once_per_recipient(deliver):
    first = deliver("xa.tavan", "report_due_soon:1:2032-06-15")
    again = deliver("xa.tavan", "report_due_soon:1:2032-06-15")
    other = deliver("tinh.laocai", "report_due_soon:1:2032-06-15")
    assert first is not None and again is None and other is not None
    assert Notification.objects.filter(event__event_key="report_due_soon:1:2032-06-15").count() == 2
    assert NotificationEvent.objects.filter(event_key="report_due_soon:1:2032-06-15").count() == 2


def test_bad_input_writes_nothing(users):
    before = Notification.objects.count(), NotificationEvent.objects.count()
    with pytest.raises(ValueError, match="unknown notification kind"):
        services.notification_deliver(recipient=users["xa.tavan"], kind="nonsense", event_key="k", values={})
    with pytest.raises(ValueError, match="event key"):
        services.notification_deliver(recipient=users["xa.tavan"], kind="task_overdue", event_key="", values={})
    with pytest.raises(ValueError, match="event key"):
        services.notification_deliver(recipient=users["xa.tavan"], kind="task_overdue", event_key="k" * 201, values={})
    assert (Notification.objects.count(), NotificationEvent.objects.count()) == before


def test_inactive_users_are_not_notified(users, deliver):
    users["xa.tavan"].is_active = False
    users["xa.tavan"].save()
    assert deliver("xa.tavan") is None
    assert not Notification.objects.filter(recipient=users["xa.tavan"], event__event_key="test:1").exists()


@job(name="tests.notify_once")
def notify_once(username: str):
    from ketnoi.orgs.models import User

    services.notify(
        recipients=[User.objects.get(username=username)],
        kind="task_overdue",
        event_key="audit-test",
        values={"code": "NV9", "due": dt.date(2032, 6, 1)},
    )


def test_delivery_is_audited_as_the_job(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(notify_once, "xa.tavan")
    notification = Notification.objects.get(event__event_key="audit-test")
    entry = AuditEntry.objects.get(model="notifications.notification", object_pk=str(notification.pk))
    assert entry.actor_name == "job:tests.notify_once" and entry.action == "create"


def test_email_is_sent_after_commit_once(deliver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = deliver("xa.tavan", "commit-test")
        assert mail.outbox == []  # not before the transaction commits
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["xa.tavan@demo.ketnoi.local"]
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<notification-{notification.pk}@localhost>"
    notification.refresh_from_db()
    assert notification.emailed_at is not None and notification.email_attempts == 1
    assert tasks.send_notification_email.call_local(notification.pk) is False  # a retried job
    assert services.emails_send_pending() == 0
    assert len(mail.outbox) == 1


def test_crash_between_delivery_and_email_still_sends_exactly_one(deliver):
    """The worker died after the event was committed and before its e-mail job ran: the periodic
    sweep sends it, and running everything again sends nothing more."""
    notification = deliver("xa.tavan", "crash-1")  # on_commit never runs here: the e-mail job was lost
    assert mail.outbox == []
    assert deliver("xa.tavan", "crash-1") is None  # the retried scan meets the event again
    assert tasks.send_pending_emails.call_local() == 1
    assert tasks.send_pending_emails.call_local() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == notification.subject


def test_a_failing_send_releases_the_claim_and_the_retry_sends_once(deliver, monkeypatch):
    notification = deliver("xa.tavan", "flaky-smtp")
    real_send = EmailMessage.send
    calls = []

    def send_failing_once(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("SMTP server went away")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send_failing_once)
    with pytest.raises(ConnectionError):
        services.notification_email_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert mail.outbox == [] and notification.emailed_at is None and notification.email_claimed_at is None
    assert tasks.send_notification_email.call_local(notification.pk) is True  # huey's retry
    assert tasks.send_notification_email.call_local(notification.pk) is False
    assert services.emails_send_pending() == 0
    assert len(mail.outbox) == 1 and len(calls) == 2


def test_the_job_layer_swallows_a_send_failure_for_a_later_retry(deliver, monkeypatch):
    """Through huey (immediate mode) a failing send is logged and rescheduled, never raised into
    the caller that committed; the sweep then sends it."""
    notification = deliver("xa.tavan", "flaky-job")

    def broken(self, *args, **kwargs):
        raise ConnectionError("down")

    monkeypatch.setattr(EmailMessage, "send", broken)
    tasks.send_notification_email(notification.pk)
    monkeypatch.undo()
    assert mail.outbox == []
    assert services.emails_send_pending() == 1
    assert len(mail.outbox) == 1


def test_two_senders_at_once_send_one_email(deliver, monkeypatch):
    """The second sender arrives while the first is talking to the mail server: it finds the
    claim taken and sends nothing."""
    notification = deliver("xa.tavan", "race")
    real_send = EmailMessage.send
    second = []

    def send_while_another_worker_tries(self, *args, **kwargs):
        second.append(services.notification_email_send(notification_id=notification.pk))
        second.append(tasks.send_pending_emails.call_local())
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send_while_another_worker_tries)
    assert services.notification_email_send(notification_id=notification.pk) is True
    assert second == [False, 0]
    assert len(mail.outbox) == 1


def test_two_sequential_calls_send_once(deliver):
    notification = deliver("xa.tavan", "twice")
    results = [services.notification_email_send(notification_id=notification.pk) for _ in range(2)]
    assert results == [True, False] and len(mail.outbox) == 1


def test_a_claim_left_by_a_dead_worker_expires(deliver):
    notification = deliver("xa.tavan", "dead-worker")
    stale = timezone.now() - dt.timedelta(seconds=services.email_lease_seconds() + 60)
    fresh = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(email_claimed_at=fresh)
    assert services.emails_send_pending() == 0  # another worker holds it
    Notification.objects.filter(pk=notification.pk).update(email_claimed_at=stale)
    assert services.emails_send_pending() == 1
    assert len(mail.outbox) == 1


def test_users_without_email_get_the_notification_but_no_email(users, deliver):
    users["xa.tavan"].email = ""
    users["xa.tavan"].save()
    notification = deliver("xa.tavan", "no-address")
    assert notification is not None
    assert services.notification_email_send(notification_id=notification.pk) is False
    assert services.emails_send_pending() == 0 and mail.outbox == []


def test_old_unsent_notifications_are_not_mailed_late(deliver):
    notification = deliver("xa.tavan", "old")
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    assert services.emails_send_pending() == 0 and mail.outbox == []


def test_subjects_are_in_each_recipients_language(users, deliver):
    users["tinh.laocai"].preferred_language = "en"
    users["tinh.laocai"].save()
    deliver("xa.tavan", "lang", kind="report_overdue")
    deliver("tinh.laocai", "lang", kind="report_overdue")
    assert services.emails_send_pending() == 2
    subjects = {m.to[0].split("@")[0]: m.subject for m in mail.outbox}
    assert subjects["xa.tavan"] == "Báo cáo kỳ 2032Q2 của Xã Tả Van đã quá hạn (hạn ngày 10/06/2032)"
    assert subjects["tinh.laocai"] == "Report 2032Q2 of Xã Tả Van is overdue (due 10/06/2032)"
    bodies = {m.to[0].split("@")[0]: m.body for m in mail.outbox}
    assert "Mở: /notifications/" in bodies["xa.tavan"] and "Open: /notifications/" in bodies["tinh.laocai"]


def test_thai_readers_get_thai_text_and_buddhist_era_dates(users, deliver):
    users["xa.tavan"].preferred_language = "th"
    users["xa.tavan"].save()
    notification = deliver("xa.tavan", "thai", kind="report_due_soon")
    assert notification.subject.startswith("รายงานงวด 2032Q2") and "2575" in notification.subject
