"""Fixtures of the notification tests: a programme with a task
assigned to Xã Tả Van (03037, Lào Cai) and a report of that commune, all due around TODAY."""

from __future__ import annotations

import datetime as dt

import pytest

TODAY = dt.date(2032, 6, 10)  # far from any seeded programme's dates, so scans see only these objects


@pytest.fixture(autouse=True)
def _retry_at_once(settings):
    """These tests stand for huey's retry (60 s later) by retrying at once: no mail-server back-off."""
    settings.NOTIFICATIONS_MAIL_BACKOFF_SECONDS = 0


@pytest.fixture
def agency(db):
    from ketnoi.orgs.models import Agency

    return lambda code: Agency.objects.get(code=code)


@pytest.fixture
def programme(db):
    from ketnoi.programmes.models import ContentArea, LegalDocument, Programme

    document = LegalDocument.objects.create(
        number_symbol="999/CTPH-TEST", doc_type="Chương trình", issuer="Thử nghiệm", title="Chương trình thử"
    )
    programme = Programme.objects.create(
        code="thu-nghiem",
        document=document,
        name_vi="Chương trình phối hợp thử nghiệm",
        period_start=dt.date(2031, 1, 1),
        period_end=dt.date(2035, 12, 31),
    )
    programme.area = ContentArea.objects.create(programme=programme, code="1", name_vi="Thông tin cơ sở")
    return programme


@pytest.fixture
def make_task(programme, agency):
    from ketnoi.programmes.models import Task

    def _make(code="NV1", due=TODAY + dt.timedelta(days=3), lead="UBDT", **extra):
        return Task.objects.create(
            programme=programme,
            content_area=programme.area,
            code=code,
            title_vi=f"Nhiệm vụ {code}",
            title_en=f"Task {code}",
            lead_agency=agency(lead),
            due_date=due,
            **extra,
        )

    return _make


@pytest.fixture
def make_report(programme, agency, unit):
    from ketnoi.programmes.models import ProgressReport

    def _make(commune="03037", agency_code="UBNDX-03037", due=TODAY + dt.timedelta(days=5), **extra):
        return ProgressReport.objects.create(
            programme=programme,
            period="2032Q2",
            frequency="quarterly",
            unit=unit(commune),
            unit_key=commune,
            agency=agency(agency_code),
            due_date=due,
            **extra,
        )

    return _make


@pytest.fixture
def deliver(users):
    """deliver("xa.tavan", key) → a notification for that user (no e-mail job run: no commit)."""
    from ketnoi.notifications.services import notification_deliver

    def _deliver(username: str, key: str = "test:1", kind: str = "report_due_soon", **values):
        values = {"period": "2032Q2", "unit": "Xã Tả Van", "programme": "999/CTPH-TEST", "due": TODAY, **values}
        return notification_deliver(
            recipient=users[username], kind=kind, event_key=key, values=values, link="/notifications/"
        )

    return _deliver
