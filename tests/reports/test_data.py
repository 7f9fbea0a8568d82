"""review_data: what a review states, read from the database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ketnoi.programmes.models import Programme
from ketnoi.reports.selectors import programme_lookup, review_data, review_periods, review_window

from .conftest import CODE, SYMBOL, TODAY


@pytest.fixture
def data(programme):
    return review_data(programme=programme, period="2025", kind="annual", today=TODAY)


def test_tasks_are_counted_from_their_evidence(data):
    states = {row.code: (row.status, row.overdue) for row in data.tasks}
    assert states == {
        "1.1": ("in_progress", True),  # 7 of 10 communes: a value but the target not met, due 30/06/2025
        "1.2": ("done", False),  # 85 % against 80 %
        "2.1": ("done", False),  # no indicator: the typed status
        "2.2": ("not_started", False),  # due in 2026
        "2.3": ("not_started", True),  # a target but no value, due 31/03/2025
    }
    counts = data.counts
    assert (counts.total, counts.done, counts.in_progress, counts.not_started, counts.overdue) == (5, 2, 1, 2, 2)
    assert [(a.code, a.counts.total, a.counts.overdue) for a in data.areas] == [("1", 2, 1), ("2", 3, 1)]
    assert data.as_of == dt.date(2025, 12, 31)  # a review of 2025 made in 2026 looks at the end of 2025


def test_indicators_against_national_and_provincial_targets(data):
    figures = {(f.code, f.area_code): f for f in data.indicators}
    assert set(figures) == {("t-radio", "VN"), ("t-radio", "15"), ("t-reach", "VN"), ("t-train", "VN")}
    radio = figures[("t-radio", "VN")]
    assert (radio.value, radio.target, radio.baseline, radio.achievement, radio.met) == (
        Decimal(7),
        Decimal(10),
        Decimal(2),
        Decimal("70.0"),
        False,
    )
    lao_cai = figures[("t-radio", "15")]
    assert (lao_cai.value, lao_cai.target, lao_cai.area_name) == (Decimal(4), Decimal(5), "Tỉnh Lào Cai")
    reach = figures[("t-reach", "VN")]
    assert (reach.value, reach.achievement, reach.met) == (Decimal("85.00"), Decimal("106.3"), True)
    assert figures[("t-train", "VN")].value is None and figures[("t-train", "VN")].met is None
    assert [(f.code, f.target) for f in data.next_targets] == [("t-radio", Decimal(14))]


def test_parties_are_followed_through_succession(data):
    parties = {p.original.code: [a.code for a in p.current] for p in data.parties}
    assert parties == {"BTTTT": ["BKHCN", "BVHTTDL"], "UBDT": ["BDTTG"]}
    lead = {row.code: row.lead for row in data.tasks}
    assert lead["1.2"] == "Bộ Dân tộc và Tôn giáo"


def test_reporting_rates_and_narratives(data):
    total = data.rates_total
    assert (total.expected, total.submitted, total.on_time) == (3, 3, 2)
    areas = {r.label: (r.expected, r.submitted, r.on_time) for r in data.rates if r.group == "area"}
    assert areas == {"Tỉnh Lào Cai": (1, 1, 1), "Tỉnh Tuyên Quang": (1, 1, 0)}
    levels = {r.label: (r.expected, r.submitted, r.on_time) for r in data.rates if r.group == "level"}
    assert levels == {"Cấp tỉnh": (2, 2, 1), "Trung ương": (1, 1, 1)}  # Vietnamese labels: the review is in Vietnamese
    assert [n.unit_name for n in data.narratives] == ["Trung ương", "Tỉnh Lào Cai"]  # approved ones only
    assert "4 đài truyền thanh" in data.narratives[1].text


def test_midterm_review_covers_the_years_so_far(programme):
    data = review_data(programme=programme, period="2027", kind="midterm", today=TODAY)
    assert (data.window_start, data.window_end) == (dt.date(2024, 1, 1), dt.date(2027, 12, 31))
    radio = next(s for s in data.series if s.code == "t-radio")
    assert [(y.period, y.value, y.target) for y in radio.years] == [
        ("2024", None, None),
        ("2025", Decimal(7), Decimal(10)),
        ("2026", None, Decimal(14)),
        ("2027", None, None),
    ]


@pytest.mark.parametrize(
    ("period", "kind", "message"),
    [
        ("2031", "annual", "The programme runs 2024–2030; there is no review for 2031."),
        ("2025Q1", "annual", "is not a year"),
        ("hai nghìn", "annual", "is not a year"),
        ("2025", "final", "The final review is made for the last year of the programme, 2030."),
        ("2030", "midterm", "before the last year"),
        ("2025", "weekly", "Unknown kind"),
    ],
)
def test_bad_periods_and_kinds_are_refused_clearly(programme, period, kind, message):
    with pytest.raises(ValidationError) as caught:
        review_window(programme, period, kind)
    assert message in " ".join(caught.value.messages)


def test_only_country_wide_readers_get_the_data(programme, users):
    with pytest.raises(PermissionDenied):
        review_data(programme=programme, period="2025", user=users["tinh.laocai"])
    assert review_data(programme=programme, period="2025", user=users["dieuphoi"]).counts.total == 5


def test_programme_lookup_by_code_or_symbol(programme):
    assert programme_lookup(SYMBOL) == programme
    assert programme_lookup(CODE) == programme
    with pytest.raises(Programme.DoesNotExist, match="No programme '1/CTPH-X'"):
        programme_lookup("1/CTPH-X")


def test_review_periods(programme):
    rows = review_periods(programme)
    assert rows[:2] == [("2024", "annual"), ("2025", "annual")]
    assert ("2027", "midterm") in rows and ("2030", "final") in rows and len(rows) == 9
