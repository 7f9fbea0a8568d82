"""Fixtures of the emulation tests: a programme with tasks, assignments and progress reports whose
shares are known, the default sheet for units and for agencies, and scorecards for Lào Cai (15),
Xã Tả Van (03037), Tuyên Quang (08) and Xã Đồng Văn (00721)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from ketnoi.emulation import inputs, services
from ketnoi.emulation.loaders import load_default_sheet
from ketnoi.orgs.models import Agency
from ketnoi.programmes.models import ContentArea, LegalDocument, Programme, ProgressReport, Task, TaskAssignment

YEAR = 2025
TODAY = dt.date(2026, 1, 15)  # the year is over: inputs are computed as of 31/12/2025


def D(value) -> Decimal:
    return Decimal(str(value))


@pytest.fixture(autouse=True)
def findings(monkeypatch):
    """A stand-in for inspections.selectors.finding_counts with the same signature and result shape
    ({unit code: object with open_by_severity}): tests set ``findings.open["15"] = {"high": 1}`` and read
    ``findings.calls``. The real function's contract is checked in test_scoring.py."""
    state = SimpleNamespace(open={}, calls=[])

    def fake_finding_counts(*, programme, year, unit=None):
        state.calls.append((programme.pk, year, unit.code if unit else None))
        return {code: SimpleNamespace(open_by_severity=dict(counts)) for code, counts in state.open.items()}

    monkeypatch.setattr(inputs, "finding_counts", fake_finding_counts)
    return state


@pytest.fixture
def programme(db):
    document = LegalDocument.objects.create(
        number_symbol="999/CTPH-THU", doc_type="Chương trình phối hợp", issuer="Thử nghiệm", title="Thử nghiệm"
    )
    return Programme.objects.create(
        code="thu-nghiem-thi-dua",
        document=document,
        name_vi="Chương trình thử nghiệm",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2030, 12, 31),
    )


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


@pytest.fixture
def plan(programme, unit):
    """Tasks and reports with known shares.

    Lào Cai (15): assignments due in 2025: 3 done, 1 in progress, 1 cancelled (left out); one due in 2026
    (not counted) → 3/4. Reports of 2025 due by 31/12: Q1 on time, Q2 late, Q3 still a draft → 1/3.
    BVHTTDL: leads T1 (done), T2 (not started), co-ordinates T3 (in progress) → 1/3.
    BDTTG: UBDT (its predecessor) led T4 (done) → 1/1.
    """
    area = ContentArea.objects.create(programme=programme, code="1", name_vi="Nội dung 1", order=1)

    def task(code, lead, due, status=Task.Status.NOT_STARTED, co=()):
        t = Task.objects.create(
            programme=programme,
            content_area=area,
            code=code,
            title_vi=f"Nhiệm vụ {code}",
            lead_agency=agency(lead),
            due_date=due,
            manual_status=status,
        )
        t.co_agencies.set([agency(c) for c in co])
        return t

    task("T1", "BVHTTDL", dt.date(YEAR, 6, 30), Task.Status.DONE)
    task("T2", "BVHTTDL", dt.date(YEAR, 9, 30))
    task("T3", "BKHCN", dt.date(YEAR, 12, 31), Task.Status.IN_PROGRESS, co=["BVHTTDL"])
    task("T4", "UBDT", dt.date(YEAR, 2, 20), Task.Status.DONE)
    task("T5", "BVHTTDL", dt.date(YEAR + 1, 6, 30), Task.Status.DONE)  # another year
    lao_cai, ta_van, tuyen_quang, dong_van = unit("15"), unit("03037"), unit("08"), unit("00721")
    statuses = ["done", "done", "done", "in_progress", "cancelled"]
    for index, status in enumerate(statuses):
        t = task(f"L{index}", "SDTTG-15", dt.date(YEAR, 3 + index, 1))
        TaskAssignment.objects.create(task=t, unit=lao_cai, status=status)
    later = task("L9", "SDTTG-15", dt.date(YEAR + 1, 3, 1))
    TaskAssignment.objects.create(task=later, unit=lao_cai, status="done")
    for index, status in enumerate(["done", "not_started"]):
        t = task(f"V{index}", "UBNDX-03037", dt.date(YEAR, 5, 1))
        TaskAssignment.objects.create(task=t, unit=ta_van, status=status)
    t = task("Q0", "SDTTG-08", dt.date(YEAR, 5, 1))
    TaskAssignment.objects.create(task=t, unit=tuyen_quang, status="done")
    TaskAssignment.objects.create(task=t, unit=dong_van, status="in_progress")

    def report(period, unit_, agency_code, due, submitted=None, state=ProgressReport.State.DRAFT):
        return ProgressReport.objects.create(
            programme=programme,
            period=period,
            frequency="quarterly",
            unit=unit_,
            unit_key=unit_.code if unit_ else "central",
            agency=agency(agency_code),
            due_date=due,
            state=state,
            submitted_at=timezone.make_aware(dt.datetime.combine(submitted, dt.time(9))) if submitted else None,
        )

    sub = ProgressReport.State.SUBMITTED
    report("2025Q1", lao_cai, "SDTTG-15", dt.date(2025, 4, 5), dt.date(2025, 4, 3), sub)
    report("2025Q2", lao_cai, "SDTTG-15", dt.date(2025, 7, 5), dt.date(2025, 7, 10), ProgressReport.State.APPROVED)
    report("2025Q3", lao_cai, "SDTTG-15", dt.date(2025, 10, 5))
    report("2024Q4", lao_cai, "SDTTG-15", dt.date(2025, 1, 5), dt.date(2025, 1, 2), sub)  # a 2024 period
    report("2025Q1", None, "BVHTTDL", dt.date(2025, 4, 5), dt.date(2025, 4, 1), sub)
    report("2025Q2", None, "BVHTTDL", dt.date(2025, 7, 5), dt.date(2025, 7, 1), sub)
    report("2025Q1", tuyen_quang, "SDTTG-08", dt.date(2025, 4, 5), dt.date(2025, 4, 1), sub)
    return programme


@pytest.fixture
def sheet(plan):
    return load_default_sheet(programme=plan, year=YEAR)


@pytest.fixture
def agency_sheet(plan):
    return load_default_sheet(programme=plan, year=YEAR, applies_to="agencies")


@pytest.fixture
def cards(sheet, users, unit):
    """Scorecards of Lào Cai, Tả Van, Tuyên Quang and Đồng Văn, opened by the coordinator."""
    coordinator = users["dieuphoi"]
    return {
        code: services.scorecard_open(user=coordinator, sheet=sheet, unit=unit(code), today=TODAY)
        for code in ("15", "03037", "08", "00721")
    }


@pytest.fixture
def tq_scorer(db, unit):
    """A user holding EMULATION_SCORE in Tuyên Quang only (a coordinator role granted for province 08)."""
    from ketnoi.orgs.models import User
    from ketnoi.orgs.services import role_grant

    user = User.objects.create_user("thidua.tuyenquang", password="x" * 14, agency=agency("SDTTG-08"))
    role_grant(user=user, role="coordinator", unit=unit("08"))
    return user


def line_of(card, code):
    return card.lines.select_related("criterion").get(criterion__code=code)


@pytest.fixture
def api(client, users):
    from ketnoi.orgs.services import token_create

    def _for(user_or_name):
        user = users[user_or_name] if isinstance(user_or_name, str) else user_or_name
        _token, key = token_create(user=user, name="emulation-tests")

        def call(method, path, data=None):
            kwargs = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
            if method == "get":
                return client.get(path, data, **kwargs)
            body = json.dumps(data) if data is not None else ""
            return getattr(client, method)(path, body, content_type="application/json", **kwargs)

        return call

    return _for
