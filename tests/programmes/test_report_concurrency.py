"""Report transitions under concurrent requests (issue 11.3): 8 people pressing the same button at
the same moment give exactly one transition, one sign-off row, one notification, one audit entry
and never a server error; the rest are told why (422, or 409 for a record written at the same moment).

These tests commit (``committed_data``): each request runs in its own thread with its own database
connection, as it would under several app processes. Each test first puts its report in the state
it needs, so the order of the tests does not matter.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.test import Client

from ketnoi.core.models import AuditEntry
from ketnoi.indicators.models import DataValue
from ketnoi.notifications.models import Notification
from ketnoi.orgs.models import User
from ketnoi.orgs.services import token_create
from ketnoi.programmes.models import ProgressReport, ReportSignoff

REQUESTS = 8


def _at_once(call, count: int = REQUESTS) -> list:
    """Run ``call(i)`` in ``count`` threads released together; each thread closes its connection."""
    barrier = threading.Barrier(count)

    def run(index):
        try:
            barrier.wait()
            return call(index)
        finally:
            connection.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def _token(username: str) -> dict:
    key = token_create(user=User.objects.get(username=username), name="concurrency")[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _report(unit_key: str, state: str) -> ProgressReport:
    """The demo report of a unit for 2025Q2, put in ``state`` with no sign-offs."""
    reports = ProgressReport.objects.filter(programme__code="ctph-922-2024", period="2025Q2")
    report = reports.get(unit_key=unit_key)
    ReportSignoff.objects.filter(report=report).delete()
    reports.filter(pk=report.pk).update(state=state, approved_at=None, narrative=report.narrative or "Báo cáo")
    reports.filter(unit_key=report.unit.province.code).update(state="submitted", approved_at=None)
    report.refresh_from_db()
    return report


def _post(path: str, auth: dict, body: dict | None = None):
    return lambda _index: Client().post(path, body or {}, content_type="application/json", **auth).status_code


def _one_per_person(notifications) -> None:
    assert notifications.count() >= 1
    assert notifications.count() == notifications.values("recipient").distinct().count()


def test_eight_approvals_at_once_record_one(committed_data):
    report = _report("00721", "submitted")  # Đồng Văn, approved by its province, Tuyên Quang
    audit_before = AuditEntry.objects.filter(model="programmes.reportsignoff", action="create").count()

    statuses = _at_once(_post(f"/api/v1/reports/{report.pk}/approve", _token("tinh.tuyenquang")))

    assert sorted(statuses) == [200] + [422] * (REQUESTS - 1), statuses
    report.refresh_from_db()
    assert report.state == "approved"
    assert ReportSignoff.objects.filter(report=report).count() == 1
    assert AuditEntry.objects.filter(model="programmes.reportsignoff", action="create").count() == audit_before + 1
    _one_per_person(Notification.objects.filter(kind="report_approved", link__contains=f"/{report.pk}/"))


def test_eight_withdrawals_and_submissions_at_once_make_one_transition(committed_data):
    report = _report("03037", "approved")  # Tả Van, approved by Lào Cai
    auth = _token("tinh.laocai")
    statuses = _at_once(_post(f"/api/v1/reports/{report.pk}/unapprove", auth, {"reason": "Số liệu cần sửa"}))
    assert sorted(statuses) == [200] + [422] * (REQUESTS - 1), statuses
    assert ReportSignoff.objects.filter(report=report, action="unapprove").count() == 1

    statuses = _at_once(_post(f"/api/v1/reports/{report.pk}/return", auth, {"reason": "Bổ sung thôn"}))
    assert sorted(statuses) == [200] + [422] * (REQUESTS - 1), statuses

    last = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
    statuses = _at_once(_post(f"/api/v1/reports/{report.pk}/submit", _token("xa.tavan")))
    assert sorted(statuses) == [200] + [422] * (REQUESTS - 1), statuses
    report.refresh_from_db()
    assert report.state == "submitted"
    _one_per_person(Notification.objects.filter(kind="report_submitted", id__gt=last))


def test_concurrent_first_values_for_a_unit_are_stored_once(committed_data):
    DataValue.objects.filter(unit__code="23425", period="2025M05").delete()
    auth = _token("xa.tumorong")

    def save(index):
        body = {"unit_code": "23425", "period": "2025M05", "values": {"ban_tin_dai_xa": 10 + index}}
        return Client().post("/api/v1/data-values", body, content_type="application/json", **auth)

    responses = _at_once(save)

    assert all(r.status_code in (201, 409) for r in responses), [r.status_code for r in responses]
    assert any(r.status_code == 201 for r in responses)
    for refused in (r for r in responses if r.status_code == 409):
        assert refused["Content-Type"].startswith("application/problem+json")
    stored = DataValue.objects.filter(unit__code="23425", period="2025M05", element__code="ban_tin_dai_xa")
    assert stored.count() == 1
