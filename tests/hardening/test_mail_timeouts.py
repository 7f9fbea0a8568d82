"""Issue 11.7: a mail server that accepts the connection and never answers costs one EMAIL_TIMEOUT,
not a worker thread for ever, and the other jobs (scheduled publishing) still run."""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import socket
import threading
import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from ketnoi.notifications import services as notifications

WATCHDOG_SECONDS = 8


class HungSmtpServer:
    """Accepts TCP connections on 127.0.0.1 and never sends a byte (no greeting, no reply)."""

    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        self.listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _addr = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            self.connections.append(conn)  # held open, never answered

    def close(self):
        self._stop.set()
        self.thread.join(2)
        for conn in self.connections:
            with contextlib.suppress(OSError):
                conn.close()
        self.listener.close()


@contextlib.contextmanager
def watchdog(seconds: int):
    """Fail (instead of hanging the test run) when the block blocks longer than ``seconds``."""

    def _expired(signum, frame):
        raise AssertionError(f"still blocked on the mail server after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def hung_smtp(settings, db):
    server = HungSmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 1
    settings.NOTIFICATIONS_MAIL_BACKOFF_SECONDS = 60
    cache.delete(notifications._MAIL_DOWN_KEY)
    yield server
    cache.delete(notifications._MAIL_DOWN_KEY)
    server.close()


@pytest.fixture
def pending(users):
    """Five notifications waiting for their e-mail (no commit in a test: no job sent them)."""
    recipients = [u for u in users.values() if u.email and u.is_active][:5]
    assert len(recipients) == 5
    created = []
    for number, user in enumerate(recipients):
        created.append(
            notifications.notification_deliver(
                recipient=user,
                kind="report_due_soon",
                event_key=f"hung-smtp:{number}",
                values={"period": "2032Q2", "unit": "Xã Tả Van", "programme": "999/CTPH-TEST", "due": dt.date.today()},
            )
        )
    return created


def test_the_default_mail_connection_has_a_timeout():
    from django.conf import settings
    from django.core.mail import get_connection

    assert 0 < settings.EMAIL_TIMEOUT <= 30
    connection = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert connection.timeout == settings.EMAIL_TIMEOUT


def test_a_send_to_a_hung_server_fails_within_the_timeout(hung_smtp, pending):
    started = time.monotonic()
    with watchdog(WATCHDOG_SECONDS), pytest.raises(notifications.MAIL_SERVER_FAILURES):
        notifications.notification_email_send(notification_id=pending[0].pk)
    assert time.monotonic() - started < 4
    pending[0].refresh_from_db()
    assert pending[0].emailed_at is None and pending[0].email_claimed_at is None  # retried later


def test_a_hung_server_does_not_stall_the_worker_and_publishing_still_runs(hung_smtp, pending, users):
    """What a worker thread does in one minute: the e-mail jobs of five notifications, the e-mail
    sweep, then the scheduled publishing job. Only the first e-mail waits for the hung server."""
    from ketnoi.content import services as content
    from ketnoi.content.tasks import publish_due

    item = content.item_create(user=users["bientap"], kind="news", title="Tin hẹn giờ", summary="Tóm tắt.", body="")
    content.item_transition(user=users["bientap"], item=item, action="submit")
    content.item_transition(user=users["thamdinh"], item=item, action="appraise")
    content.item_transition(user=users["dieuphoi"], item=item, action="approve")
    at = timezone.now() + dt.timedelta(seconds=1)
    content.item_transition(user=users["dieuphoi"], item=item, action="schedule", publish_at=at)

    started = time.monotonic()
    outcomes = []
    with watchdog(WATCHDOG_SECONDS):
        for notification in pending:  # the send jobs (huey retries each later)
            try:
                notifications.notification_email_send(notification_id=notification.pk)
                outcomes.append("sent")
            except notifications.MailServerUnavailable:
                outcomes.append("deferred")
            except notifications.MAIL_SERVER_FAILURES:
                outcomes.append("timed out")
        assert notifications.emails_send_pending() == 0  # the sweep gives up at once too
        while timezone.now() <= at:
            time.sleep(0.05)
        publish_due.call_local()
    elapsed = time.monotonic() - started
    assert outcomes == ["timed out"] + ["deferred"] * 4
    assert elapsed < 4, elapsed
    item.refresh_from_db()
    assert item.state == "published"
    assert all(n.emailed_at is None for n in type(pending[0]).objects.filter(pk__in=[p.pk for p in pending]))


def test_the_sweep_stops_at_a_hung_server_instead_of_waiting_for_each_email(hung_smtp, pending, settings):
    settings.NOTIFICATIONS_MAIL_BACKOFF_SECONDS = 0  # no memory of the failure: only the sweep's own stop
    started = time.monotonic()
    with watchdog(WATCHDOG_SECONDS):
        assert notifications.emails_send_pending() == 0
    assert time.monotonic() - started < 3
