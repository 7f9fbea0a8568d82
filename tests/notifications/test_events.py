"""Submissions and decisions made through the programmes services notify the right people, once."""

import pytest
from django.core import mail
from django.urls import reverse

from ketnoi.notifications import services, tasks
from ketnoi.notifications.models import Notification
from ketnoi.programmes import services as programmes


@pytest.fixture
def report(make_report):
    return make_report(narrative="Đã tổ chức 12 buổi phát thanh bằng tiếng Mông.")


def _told(report, kind) -> list[str]:
    return sorted(
        Notification.objects.filter(event__event_key__startswith=f"{kind}:{report.pk}:").values_list(
            "recipient__username", flat=True
        )
    )


def test_the_whole_cycle_notifies_approvers_then_writers(report, users, agency, django_capture_on_commit_callbacks):
    tavan, laocai, sdttg = users["xa.tavan"], users["tinh.laocai"], agency("SDTTG-15")
    laocai.preferred_language = "en"
    laocai.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = programmes.report_submit(user=tavan, report=report)
    assert _told(report, "report_submitted") == ["tinh.laocai"]  # the province approves; the submitter is not told
    submitted = Notification.objects.get(event__event_key__startswith=f"report_submitted:{report.pk}:")
    assert submitted.subject == "Report 2032Q2 of Xã Tả Van was submitted"
    assert submitted.body.startswith("Giàng Thị Xã submitted")
    assert submitted.link == reverse("report-detail", args=[report.pk])
    assert [m.to for m in mail.outbox] == [["tinh.laocai@demo.ketnoi.local"]]

    with django_capture_on_commit_callbacks(execute=True):
        report = programmes.report_return(user=laocai, report=report, agency=sdttg, reason="Thiếu số liệu thôn")
    assert _told(report, "report_returned") == ["xa.tavan"]  # the approver who acted is not told
    returned = Notification.objects.get(event__event_key__startswith=f"report_returned:{report.pk}:")
    assert returned.subject == "Báo cáo kỳ 2032Q2 của Xã Tả Van bị trả lại để chỉnh sửa"
    assert returned.body.endswith(": Thiếu số liệu thôn")

    with django_capture_on_commit_callbacks(execute=True):
        report = programmes.report_submit(user=tavan, report=report)
        report = programmes.report_approve(user=laocai, report=report, agency=sdttg)
    assert _told(report, "report_submitted") == ["tinh.laocai", "tinh.laocai"]  # a resubmission is a new event
    assert _told(report, "report_approved") == ["xa.tavan"]

    with django_capture_on_commit_callbacks(execute=True):
        programmes.report_unapprove(user=laocai, report=report, agency=sdttg, reason="Sai số hộ")
    assert _told(report, "report_unapproved") == ["xa.tavan"]
    assert _told(report, "report_submitted") == ["tinh.laocai", "tinh.laocai"]  # withdrawal is not a submission
    assert sorted(m.to[0] for m in mail.outbox) == [
        "tinh.laocai@demo.ketnoi.local",
        "tinh.laocai@demo.ketnoi.local",
        "xa.tavan@demo.ketnoi.local",
        "xa.tavan@demo.ketnoi.local",
        "xa.tavan@demo.ketnoi.local",
    ]


def test_retried_event_jobs_notify_nobody_twice(report, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = programmes.report_submit(user=users["xa.tavan"], report=report)
    assert tasks.report_submitted.call_local(report.pk, report.version) == 0
    assert services.notify_report_submitted(report) == []
    assert len(_told(report, "report_submitted")) == 1


def test_nothing_is_told_when_the_transaction_rolls_back(report, users, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        try:
            with transaction.atomic():
                programmes.report_submit(user=users["xa.tavan"], report=report)
                raise RuntimeError("the submission failed later")
        except RuntimeError:
            pass
    assert callbacks == []
    assert _told(report, "report_submitted") == []


def test_a_partial_signoff_of_a_co_owned_report_is_not_an_approval(report):
    report.state = "submitted"
    report.save()
    assert services.notify_report_decided(report, "approve") == []
    with pytest.raises(ValueError, match="unknown decision"):
        services.notify_report_decided(report, "shred")


def test_a_province_report_goes_to_the_central_approvers(make_report, users, django_capture_on_commit_callbacks):
    province_report = make_report(commune="15", agency_code="SDTTG-15", narrative="Tổng hợp cấp tỉnh.")
    with django_capture_on_commit_callbacks(execute=True):
        programmes.report_submit(user=users["tinh.laocai"], report=province_report)
    told = _told(province_report, "report_submitted")
    assert "dieuphoi" in told and "tinh.laocai" not in told and "tinh.tuyenquang" not in told
