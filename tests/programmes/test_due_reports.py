"""The officer is told which reports are due (from the assignments and the reporting calendar) and
opens one with one click; rates count reports received over reports expected; a commune's report
goes to its province's queue (issue 7.2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from ketnoi.programmes import selectors
from ketnoi.programmes.models import ProgressReport, ReportingSchedule

AUGUST = dt.date(2025, 8, 10)


@pytest.fixture
def quarterly_only(programme):
    """The calendar as data: this programme reports quarterly only (the others removed)."""
    ReportingSchedule.objects.filter(programme=programme).exclude(frequency="quarterly").delete()
    return programme


def _rows(user, programme, today=AUGUST):
    return {
        (d.period, d.unit.code if d.unit else None): d
        for d in selectors.due_reports(user=user, programme=programme, today=today)
    }


def test_a_commune_officer_owes_the_reports_of_their_commune_for_each_period(users, quarterly_only):
    rows = _rows(users["xa.tavan"], quarterly_only)
    assert {unit for _period, unit in rows} == {"03037"}
    assert set(rows) >= {("2025Q1", "03037"), ("2025Q2", "03037"), ("2025Q3", "03037")}
    q2, q3 = rows[("2025Q2", "03037")], rows[("2025Q3", "03037")]
    assert q2.report is not None and q2.state == "approved" and not q2.needs_action
    assert q3.report is None and q3.state == "not_opened" and q3.needs_action and not q3.overdue
    assert q3.due_date == dt.date(2025, 10, 5)
    with translation.override("vi"):
        assert q3.period_label == "Quý 3/2025"
    with translation.override("th"):
        assert "2568" in q3.period_label  # the Buddhist Era in Thai
    q1 = rows[("2025Q1", "03037")]
    assert q1.overdue  # never opened and past its due date
    ordered = selectors.due_reports(user=users["xa.tavan"], programme=quarterly_only, today=AUGUST)
    assert ordered[0].needs_action and not ordered[-1].needs_action  # what needs action comes first


def test_the_calendar_decides_the_frequencies(users, programme):
    periods = {p for p, _unit in _rows(users["xa.tavan"], programme)}
    assert {"2025M07", "2025Q2", "2025S1", "2025"} <= periods  # monthly, quarterly, half-yearly, yearly
    ReportingSchedule.objects.filter(programme=programme, frequency="monthly").delete()
    assert not any("M" in p for p, _unit in _rows(users["xa.tavan"], programme))


def test_province_and_central_writers_owe_their_own_level(users, quarterly_only):
    assert {u for _p, u in _rows(users["tinh.laocai"], quarterly_only)} == {"15"}
    central = _rows(users["dieuphoi"], quarterly_only)
    assert {u for _p, u in central} == {None}
    assert central[("2025Q2", None)].report.agency.code == "BDTTG"
    assert _rows(users["bientap"], quarterly_only) == {}  # an editor writes no progress report


def test_one_click_from_the_due_list_to_the_report(login, quarterly_only):
    client = login("xa.tavan")
    page = client.get(f"/programmes/{quarterly_only.code}/reports/").content.decode()
    assert "Reports due from you" in page and "Start the report" in page
    assert 'name="unit_code"' in page and 'type="hidden" name="period"' in page
    assert "NSO code" not in page  # nobody types a unit or period code
    today_q = f"{dt.date.today().year}Q{(dt.date.today().month - 1) // 3 + 1}"
    response = client.post(
        f"/programmes/{quarterly_only.code}/reports/open/",
        {"period": today_q, "frequency": "quarterly", "unit_code": "03037"},
    )
    report = ProgressReport.objects.get(programme=quarterly_only, period=today_q, unit_key="03037")
    assert response.status_code == 302 and response["Location"] == f"/progress-reports/{report.pk}/"
    again = client.get(f"/programmes/{quarterly_only.code}/reports/").content.decode()
    assert f'href="/progress-reports/{report.pk}/"' in again and "Continue" in again


def test_an_unknown_unit_is_a_message_not_a_404(login, programme):
    client = login("xa.tavan")
    response = client.post(
        f"/programmes/{programme.code}/reports/open/",
        {"period": "2025Q3", "frequency": "quarterly", "unit_code": "99999"},
        follow=True,
    )
    assert response.status_code == 200
    assert "There is no province or commune with code 99999" in response.content.decode()
    assert not ProgressReport.objects.filter(unit_key="99999").exists()


def test_my_work_lists_the_due_reports(login, quarterly_only):
    page = login("xa.tavan").get("/my-work/").content.decode()
    assert "Start the report" in page and quarterly_only.document.number_symbol in page


def test_rates_count_received_over_expected_per_level_with_a_total(programme):
    rows = selectors.reporting_rates(programme=programme, period="2025Q2")
    levels = {r.level: r for r in rows if r.level in ("commune", "province", "central")}
    total = next(r for r in rows if r.is_total)
    # communes: 3 assigned, Tả Van on time, Đồng Văn late, Tu Mơ Rông a draft
    assert (levels["commune"].expected, levels["commune"].submitted, levels["commune"].on_time) == (3, 2, 1)
    assert (levels["commune"].late, levels["commune"].missing) == (1, 1)
    assert levels["central"].expected == 1 and levels["central"].submitted == 0
    assert total.expected == sum(r.expected for r in levels.values())
    assert total.submitted == sum(r.submitted for r in levels.values())
    opened = ProgressReport.objects.filter(programme=programme, period="2025Q2").count()
    assert total.expected > opened  # expected from the assignments, not from the reports opened


def test_rates_page_shows_levels_totals_and_thousands(login, programme):
    page = login("dieuphoi").get(f"/programmes/{programme.code}/reports/?period=2025Q2").content.decode()
    assert "Communes" in page and "Total" in page and "Not received" in page
    assert '<option value="2025Q2" selected>' in page


def test_a_commune_report_waits_in_its_provinces_queue(users, programme):
    queue = {r.unit_key for r in selectors.approval_queue(user=users["dieuphoi"])}
    assert "15" in queue  # a province's report goes to central
    assert "00721" not in queue  # Đồng Văn's goes to Tuyên Quang, which has an approver
    assert {r.unit_key for r in selectors.approval_queue(user=users["tinh.tuyenquang"])} == {"00721"}
    users["tinh.tuyenquang"].role_grants.all().delete()
    assert "00721" in {r.unit_key for r in selectors.approval_queue(user=users["dieuphoi"])}  # nobody else would


def test_the_api_lists_due_reports(client, users, quarterly_only):
    from ketnoi.orgs.services import token_create

    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users['tinh.laocai'], name='due')[1]}"}
    rows = client.get(f"/api/v1/programmes/{quarterly_only.code}/due-reports", **auth).json()
    assert rows and {r["unit_code"] for r in rows} == {"15"}
    assert {"period", "period_label", "due_date", "state", "overdue", "report_id"} <= set(rows[0])
