"""Fixtures of the notification tests: the app's own catalogue compiled, a programme with a task
assigned to Xã Tả Van (03037, Lào Cai) and a report of that commune, all due around TODAY."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import ketnoi.notifications

TODAY = dt.date(2032, 6, 10)  # far from any seeded programme's dates, so scans see only these objects
APP_LOCALE = Path(ketnoi.notifications.__file__).resolve().parent / "locale"


@pytest.fixture(scope="session", autouse=True)
def _compiled_app_catalogue():
    """The notification texts live in the app's own catalogue; compile it (as the CLI does for
    ketnoi/locale) when its .mo is missing or older, and make Django reload its catalogues."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    wrote = False
    for po_path in sorted(APP_LOCALE.glob("*/LC_MESSAGES/django.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with open(po_path, "rb") as handle:
            catalog = read_po(handle)
        with open(mo_path, "wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        wrote = True
    if wrote:
        from asgiref.local import Local
        from django.utils.translation import trans_real

        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = Local()
    yield


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
