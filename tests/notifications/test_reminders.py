"""The daily scan: tasks and reports due soon or overdue, to the right people, once."""

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings

from ketnoi.notifications import services, tasks
from ketnoi.notifications.models import Notification

from .conftest import TODAY

BDTTG_USERS = {"admin", "dieuphoi", "bientap", "dichthuat", "thamdinh", "kiemtoan"}


def _recipients(**filters) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for n in Notification.objects.filter(**filters).select_related("recipient", "event"):
        found.setdefault(n.recipient.username, []).append(n.event.event_key)
    return found


def _for_task(task):
    return _recipients(event__event_key__regex=rf"^task_[a-z_]+:{task.pk}:")


def test_task_due_soon_reaches_the_lead_agencys_successor_and_the_local_officers(make_task, unit):
    from ketnoi.programmes.models import TaskAssignment

    task = make_task(due=TODAY + dt.timedelta(days=3), lead="UBDT")  # UBDT → Bộ Dân tộc và Tôn giáo (BDTTG)
    assignment = TaskAssignment.objects.create(task=task, unit=unit("03037"))
    services.task_reminders_send(today=TODAY)
    found = _for_task(task)
    lead_key = f"task_due_soon:{task.pk}:lead:2032-06-13"
    local_key = f"task_due_soon:{task.pk}:{assignment.pk}:2032-06-13"
    assert BDTTG_USERS <= set(found)
    assert all(found[name] == [lead_key] for name in BDTTG_USERS)
    assert found["xa.tavan"] == [local_key] and found["tinh.laocai"] == [local_key]
    # Officers of other areas, and Lào Cai's editor (no TASKS_UPDATE), are not told.
    assert not {"xa.dongvan", "tinh.tuyenquang", "xa.tumorong", "bientap.laocai"} & set(found)
    # Agency officers of other ministries are not told either.
    assert "canbo.bvhttdl" not in found
    subject = Notification.objects.get(event__event_key=local_key, recipient__username="xa.tavan").subject
    assert subject == "Nhiệm vụ NV1 đến hạn ngày 13/06/2032"


def test_running_the_scan_twice_creates_each_notification_once(make_task, make_report, unit, monkeypatch):
    from django.utils import timezone

    from ketnoi.programmes.models import TaskAssignment

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)  # the job reads the clock

    task = make_task(due=TODAY - dt.timedelta(days=2))
    TaskAssignment.objects.create(task=task, unit=unit("03037"))
    report = make_report(due=TODAY + dt.timedelta(days=1))
    first = tasks.deadline_reminders.call_local()
    count = Notification.objects.count()
    assert first >= len(BDTTG_USERS) + 2 + 2
    assert tasks.deadline_reminders.call_local() == 0
    assert Notification.objects.count() == count
    assert set(_for_task(task)) >= BDTTG_USERS | {"xa.tavan", "tinh.laocai"}
    assert all(len(keys) == 1 for keys in _for_task(task).values())
    assert {k.split(":")[0] for keys in _for_task(task).values() for k in keys} == {"task_overdue"}
    report_found = _recipients(event__event_key=f"report_due_soon:{report.pk}:2032-06-11")
    assert set(report_found) == {"xa.tavan", "tinh.laocai"}


def test_a_new_due_date_is_a_new_reminder(make_task):
    task = make_task(due=TODAY + dt.timedelta(days=2))
    services.task_reminders_send(today=TODAY)
    first = Notification.objects.filter(recipient__username="dieuphoi", event__event_key__contains=f":{task.pk}:")
    assert first.count() == 1
    task.due_date = TODAY + dt.timedelta(days=6)
    task.save()
    services.task_reminders_send(today=TODAY)
    services.task_reminders_send(today=TODAY + dt.timedelta(days=1))
    assert first.count() == 2


def test_overdue_replaces_due_soon_once_the_date_passes(make_task):
    task = make_task(due=TODAY)
    services.task_reminders_send(today=TODAY)
    services.task_reminders_send(today=TODAY + dt.timedelta(days=1))
    services.task_reminders_send(today=TODAY + dt.timedelta(days=2))
    keys = sorted(_for_task(task)["dieuphoi"])
    assert keys == [f"task_due_soon:{task.pk}:lead:2032-06-10", f"task_overdue:{task.pk}:lead:2032-06-10"]


def test_done_cancelled_far_and_long_past_tasks_are_quiet(make_task, unit):
    from ketnoi.programmes.models import Task, TaskAssignment

    done = make_task(code="XONG", manual_status=Task.Status.DONE)
    cancelled = make_task(code="HUY", manual_status=Task.Status.CANCELLED)
    far = make_task(code="XA", due=TODAY + dt.timedelta(days=30))
    ancient = make_task(code="CU", due=TODAY - dt.timedelta(days=400))
    finished_locally = make_task(code="DIAPHUONG")
    TaskAssignment.objects.create(task=finished_locally, unit=unit("03037"), status=Task.Status.DONE)
    services.task_reminders_send(today=TODAY)
    for task in (done, cancelled, far, ancient, finished_locally):
        assert _for_task(task) == {}, task.code


@override_settings(NOTIFICATIONS_DUE_SOON_DAYS=30)
def test_the_due_soon_window_is_a_setting(make_task):
    task = make_task(due=TODAY + dt.timedelta(days=20))
    services.task_reminders_send(today=TODAY)
    assert "dieuphoi" in _for_task(task)


def test_reports_due_soon_and_overdue_go_to_their_writers(make_report, unit, agency):
    from ketnoi.programmes.models import ProgressReport

    soon = make_report(due=TODAY + dt.timedelta(days=5))
    late = make_report(commune="00721", agency_code="UBNDX-00721", due=TODAY - dt.timedelta(days=3))
    submitted = make_report(
        commune="23425", agency_code="UBNDX-23425", due=TODAY - dt.timedelta(days=3), state="submitted"
    )
    central = ProgressReport.objects.create(
        programme=soon.programme,
        period="2032Q2",
        frequency="quarterly",
        unit=None,
        unit_key="VN",
        agency=agency("UBDT"),
        due_date=TODAY + dt.timedelta(days=1),
    )
    services.report_reminders_send(today=TODAY)
    assert set(_recipients(event__event_key__startswith=f"report_due_soon:{soon.pk}:")) == {"xa.tavan", "tinh.laocai"}
    assert set(_recipients(event__event_key__startswith=f"report_overdue:{late.pk}:")) == {
        "xa.dongvan",
        "tinh.tuyenquang",
    }
    assert _recipients(event__event_key__regex=rf"^report_[a-z_]+:{submitted.pk}:") == {}
    # A central report: the country-wide submitters of the reporting agency's successor (BDTTG).
    assert set(_recipients(event__event_key__startswith=f"report_due_soon:{central.pk}:")) == {"admin", "dieuphoi"}
    subject = Notification.objects.get(
        event__event_key__startswith=f"report_overdue:{late.pk}:", recipient__username="xa.dongvan"
    ).subject
    assert subject.startswith("Báo cáo kỳ 2032Q2 của") and "đã quá hạn (hạn ngày 07/06/2032)" in subject


def test_scan_emails_are_sent_once_per_recipient(make_report, django_capture_on_commit_callbacks):
    make_report(due=TODAY + dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reminders_send(today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reminders_send(today=TODAY)
    tasks.send_pending_emails.call_local()
    assert sorted(m.to[0] for m in mail.outbox) == ["tinh.laocai@demo.ketnoi.local", "xa.tavan@demo.ketnoi.local"]


def test_the_daily_scan_runs_at_seven_in_vietnam():
    """huey evaluates crontabs in UTC: hour 0 UTC is 07:00 in Asia/Ho_Chi_Minh."""
    import datetime

    from ketnoi.core.jobs import queue

    assert queue.utc is True

    def due_at(hour, minute=0):
        return {task.name for task in queue.read_periodic(datetime.datetime(2032, 6, 10, hour, minute))}

    assert "notifications.deadline_reminders" in due_at(0)  # 00:00 UTC = 07:00 ICT
    assert "notifications.deadline_reminders" not in due_at(7)
    assert "notifications.send_pending_emails" in due_at(7, 10)


@pytest.mark.parametrize("day, expected", [(TODAY + dt.timedelta(days=7), True), (TODAY + dt.timedelta(days=8), False)])
def test_the_default_window_is_seven_days(make_task, day, expected):
    task = make_task(due=day)
    services.task_reminders_send(today=TODAY)
    assert ("dieuphoi" in _for_task(task)) is expected
