"""Retention periods of personal data per category (PERSONAL_DATA_RETENTION_MONTHS), enforced by
nightly jobs that are idempotent (issue 10.5)."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from ketnoi.core import jobs, retention
from ketnoi.core.models import AuditEntry
from ketnoi.orgs.models import User
from ketnoi.orgs.services import closed_accounts_expire
from ketnoi.orgs.tasks import expire_closed_accounts
from ketnoi.portal import services
from ketnoi.portal.models import Feedback, FeedbackSender
from ketnoi.portal.services import ERASED_MESSAGE
from ketnoi.portal.tasks import expire_feedback_personal_data

NOW = timezone.now()


def _age(feedback, *, state, months_ago):
    when = NOW - dt.timedelta(days=31 * months_ago)
    Feedback.objects.filter(pk=feedback.pk).update(state=state, answered_at=when)


def test_cutoff_counts_calendar_months():
    at = dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)
    with override_settings(PERSONAL_DATA_RETENTION_MONTHS={"x": 1, "y": 24, "z": 0}):
        assert retention.cutoff("x", at) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
        assert retention.cutoff("y", at) == dt.datetime(2024, 3, 31, 12, tzinfo=dt.UTC)
        assert retention.cutoff("z", at) is None  # kept until erased by hand
        with pytest.raises(KeyError):
            retention.cutoff("unknown", at)


def test_the_jobs_are_scheduled():
    names = {task.__name__ for task in jobs.queue._registry._periodic_tasks}
    assert {"orgs.expire_closed_accounts", "portal.expire_feedback_personal_data"} <= names


def test_senders_of_feedback_closed_long_ago_are_removed_and_rejections_erased(db, feedback):
    vi = feedback.language
    recent = services.feedback_submit(
        language=vi, message="Câu hỏi mới về điện lưới.", name="B", contact="0911 000 222"
    )
    still_open = services.feedback_submit(
        language=vi, message="Câu hỏi chưa trả lời.", name="C", contact="0911 000 333"
    )
    Feedback.objects.filter(pk=still_open.pk).update(created_at=NOW - dt.timedelta(days=3000))
    _age(feedback, state="rejected", months_ago=25)
    _age(recent, state="published", months_ago=23)
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    result = expire_feedback_personal_data.call_local()
    assert result == {"feedback_sender": 1, "rejected_feedback_message": 1}
    assert not FeedbackSender.objects.filter(feedback=feedback).exists()
    assert FeedbackSender.objects.filter(feedback__in=[recent, still_open]).count() == 2
    feedback.refresh_from_db()
    assert feedback.message == ERASED_MESSAGE and feedback.state == "rejected"  # still counted
    entries = AuditEntry.objects.filter(id__gt=start)
    assert entries.filter(action="subject_erase").count() == 2
    assert all(e.actor_name == "job:portal.expire_feedback_personal_data" for e in entries)
    # Idempotent: a second run finds nothing.
    assert expire_feedback_personal_data.call_local() == {"feedback_sender": 0, "rejected_feedback_message": 0}
    with override_settings(PERSONAL_DATA_RETENTION_MONTHS={"feedback_sender": 12, "rejected_feedback_message": 0}):
        assert services.feedback_retention_expire() == {"feedback_sender": 1, "rejected_feedback_message": 0}


def test_closed_accounts_past_the_period_are_anonymised(db):
    old = User.objects.create_user("nghi.huu", password="x" * 12, full_name="Người Nghỉ Hưu", phone="0900 111 222")
    kept = User.objects.create_user("nghi.gan.day", password="x" * 12, full_name="Mới Nghỉ")
    active = User.objects.create_user("dang.lam", password="x" * 12, full_name="Đang Làm")
    User.objects.filter(pk__in=[old.pk, kept.pk]).update(is_active=False)
    User.objects.filter(pk=old.pk).update(last_login=NOW - dt.timedelta(days=61 * 31))
    User.objects.filter(pk=active.pk).update(last_login=NOW - dt.timedelta(days=61 * 31))
    assert expire_closed_accounts.call_local() == 1
    old.refresh_from_db()
    assert (old.username, old.full_name, old.phone) == (f"erased-{old.pk}", "", "")
    assert User.objects.get(pk=kept.pk).full_name == "Mới Nghỉ"
    assert User.objects.get(pk=active.pk).full_name == "Đang Làm"
    assert closed_accounts_expire() == []  # idempotent
