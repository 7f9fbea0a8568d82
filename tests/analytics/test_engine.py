"""The aggregation engine (issue 9.2): rules across units and over time, disaggregations, the
legacy crosswalk, the incremental refresh, equality with the indicators app, the rebuild command."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ketnoi.analytics import engine
from ketnoi.analytics.models import Aggregate, DirtyMark, LegacyValue, SuccessionShare
from ketnoi.analytics.selectors import aggregate_series, aggregate_table
from ketnoi.analytics.services import legacy_value_set
from ketnoi.geo.models import AdminUnit, UnitSuccession
from ketnoi.indicators import selectors as indicator_selectors
from ketnoi.indicators.models import DataElement, DataValue
from ketnoi.indicators.periods import parse_period

pytestmark = pytest.mark.django_db


def _element(code, aggregation="sum", time_aggregation="sum"):
    return DataElement.objects.create(
        code=code, name_vi=code, aggregation=aggregation, time_aggregation=time_aggregation, value_type="number"
    )


def _value(element, unit, period, value, disaggregation=""):
    spec = parse_period(period)
    return DataValue.objects.create(
        element=element,
        unit=unit,
        period=spec.code,
        period_start=spec.start,
        period_end=spec.end,
        disaggregation=disaggregation,
        value=Decimal(str(value)),
    )


def _agg(element, period, unit=None, disaggregation=""):
    row = Aggregate.objects.filter(
        element=element,
        period=period,
        unit_key=str(unit.pk) if unit is not None else "VN",
        disaggregation=disaggregation,
    ).first()
    return row


def _v(element, period, unit=None, disaggregation=""):
    row = _agg(element, period, unit, disaggregation)
    return None if row is None else row.value


@pytest.fixture
def places(db):
    """Two communes of Lào Cai, one of Tuyên Quang, and the two provinces."""
    laocai = AdminUnit.objects.get(structure="current", level="province", code="15")
    tuyenquang = AdminUnit.objects.get(structure="current", level="province", code="08")
    a, b = AdminUnit.objects.filter(structure="current", level="commune", province=laocai).order_by("code")[:2]
    c = AdminUnit.objects.filter(structure="current", level="commune", province=tuyenquang).order_by("code").first()
    return {"P": laocai, "Q": tuyenquang, "a": a, "b": b, "c": c}


def test_a_flow_sums_over_units_and_time(places):
    element = _element("an_sum")
    a, b, c, province = places["a"], places["b"], places["c"], places["P"]
    _value(element, a, "2025M01", 10)
    _value(element, a, "2025M02", 5)
    _value(element, b, "2025M01", 7)
    _value(element, c, "2025M03", 100)
    _value(element, a, "2025Q2", 40)  # a quarterly value: its quarter and year, no month
    engine.rebuild(element)
    assert _v(element, "2025M01", a) == 10
    assert _v(element, "2025Q1", a) == 15
    assert _v(element, "2025Q2", a) == 40
    assert _v(element, "2025", a) == 55
    assert _v(element, "2025M01", province) == 17
    assert _v(element, "2025Q1", province) == 22
    assert _v(element, "2025", province) == 62
    assert _v(element, "2025", None) == 162
    year = _agg(element, "2025")
    assert (year.level, year.unit_id, year.n_values, year.n_units, year.split_rules) == ("country", None, 5, 3, "")
    assert _agg(element, "2025M04", a) is None and _agg(element, "2025Q2", b) is None
    assert Aggregate.objects.filter(element=element, period="2025Q2").values_list("period_type", flat=True)[0] == (
        "quarter"
    )


def test_average_and_max_across_units(places):
    a, b, c, province = places["a"], places["b"], places["c"], places["P"]
    average, maximum = _element("an_avg", "average"), _element("an_max", "max")
    for element in (average, maximum):
        _value(element, a, "2025M01", 10)
        _value(element, a, "2025M02", 20)
        _value(element, b, "2025M01", 60)
        _value(element, c, "2025M01", 1)
        engine.rebuild(element)
    # the mean of the raw values (as the indicators app's Avg): each commune weighs by its values
    assert _v(average, "2025Q1", a) == 15
    assert _v(average, "2025Q1", province) == 30  # (10 + 20 + 60) / 3, not (15 + 60) / 2
    assert _v(average, "2025Q1") == Decimal("22.75")  # 91 / 4, composed from the provinces' totals
    assert _v(maximum, "2025M01", province) == 60
    assert _v(maximum, "2025") == 60
    assert _v(maximum, "2025M02") == 20


def test_a_stock_takes_each_units_latest_value(places):
    element = _element("an_stock", "sum", "last")
    a, b, province = places["a"], places["b"], places["P"]
    _value(element, a, "2025M01", 3)
    _value(element, a, "2025M03", 5)
    _value(element, b, "2025M02", 8)
    _value(element, b, "2025M07", 9)
    engine.rebuild(element)
    assert _v(element, "2025Q1", a) == 5
    assert _v(element, "2025Q1", province) == 13
    assert _v(element, "2025", province) == 14  # a: March's 5, b: July's 9
    assert _agg(element, "2025", province).n_values == 2


def test_each_disaggregation_aggregates_separately(places):
    element = _element("an_disagg")
    element.disaggregations = ["sex"]
    element.save()
    a, b = places["a"], places["b"]
    _value(element, a, "2025M01", 10)
    _value(element, a, "2025M01", 4, "sex=female")
    _value(element, b, "2025M01", 6, "sex=female")
    _value(element, b, "2025M02", 1, "sex=male")
    engine.rebuild(element)
    assert _v(element, "2025Q1", places["P"]) == 10  # the total as entered, not the sum of the keys
    assert _v(element, "2025Q1", places["P"], "sex=female") == 10
    assert _v(element, "2025", None, "sex=male") == 1
    assert _v(element, "2025M01", b, "sex=male") is None


@pytest.mark.parametrize(
    ("aggregation", "time_aggregation"),
    [("sum", "sum"), ("average", "sum"), ("max", "sum"), ("sum", "last"), ("average", "last"), ("max", "last")],
)
def test_the_engine_agrees_with_the_indicators_app(places, aggregation, time_aggregation):
    element = _element(f"an_eq_{aggregation}_{time_aggregation}", aggregation, time_aggregation)
    numbers = iter([3, 14, 15, 92, 65, 35, 89, 79, 32, 38, 46, 26, 43, 38, 32, 79, 50, 28])
    for unit in (places["a"], places["b"], places["c"]):
        for month in ("2025M01", "2025M02", "2025M04", "2025M11"):
            _value(element, unit, month, next(numbers))
    _value(element, places["a"], "2025Q3", next(numbers))
    _value(element, places["P"], "2025M02", next(numbers))  # a value of the province itself
    engine.rebuild(element)
    compared = 0
    for unit in (places["a"], places["b"], places["P"], places["Q"], None):
        for period in ("2025M01", "2025M02", "2025Q1", "2025Q2", "2025Q3", "2025"):
            expected = indicator_selectors.element_total(element, period=period, unit=unit)
            ours = _v(element, period, unit)
            if expected is None:
                assert ours is None, (unit, period)
                continue
            assert ours.quantize(Decimal("0.0001")) == Decimal(expected).quantize(Decimal("0.0001")), (unit, period)
            compared += 1
    assert compared >= 25


def _legacy_commune(code: str, successors, *, divided: bool) -> AdminUnit:
    """A legacy commune of our own with its crosswalk links, so the test does not depend on which
    communes the reference data happens to split."""
    legacy_province = AdminUnit.objects.filter(structure="legacy", level="province").order_by("code").first()
    legacy = AdminUnit.objects.create(
        structure="legacy", level="commune", code=code, unit_type="xã", name=f"Xã cũ {code}",
        short_name=code, province=legacy_province, search_key=code, sort_key=code,
    )  # fmt: skip
    for index, current in enumerate(successors):
        UnitSuccession.objects.create(legacy=legacy, current=current, is_default=index == 0, divided=divided)
    return legacy


def _divided_legacy_commune(places):
    """A legacy commune split between the two current communes a and b."""
    successors = [places["a"], places["b"]]
    return _legacy_commune("T9001", successors, divided=True), successors


def test_legacy_values_split_by_population_then_area_then_equal_shares(places, settings):
    legacy, (first, second) = _divided_legacy_commune(places)
    element = _element("an_legacy")
    LegacyValue.objects.create(
        element=element, unit=legacy, period="2024M05", period_start=parse_period("2024M05").start,
        period_end=parse_period("2024M05").end, value=Decimal(100),
    )  # fmt: skip
    settings.ANALYTICS_SPLIT_RULES = ["population", "area", "equal"]
    SuccessionShare.objects.create(legacy=legacy, current=first, population=3000, area_km2=10)
    SuccessionShare.objects.create(legacy=legacy, current=second, population=1000, area_km2=30)
    engine.rebuild(element)
    assert (_v(element, "2024M05", first), _v(element, "2024M05", second)) == (75, 25)
    row = _agg(element, "2024", first)
    assert (row.split_rules, row.n_legacy, row.n_values) == ("population", 1, 1)
    assert _v(element, "2024") == 100 and _agg(element, "2024").split_rules == "population"

    SuccessionShare.objects.filter(current=second).update(population=None)  # population not known for all parts
    engine.rebuild(element)
    assert (_v(element, "2024M05", first), _v(element, "2024M05", second)) == (25, 75)
    assert _agg(element, "2024Q2", first).split_rules == "area"

    settings.ANALYTICS_SPLIT_RULES = ["population", "equal"]  # area not wanted: equal shares
    engine.rebuild(element)
    assert (_v(element, "2024M05", first), _v(element, "2024M05", second)) == (50, 50)
    assert _agg(element, "2024M05", second).split_rules == "equal"


def test_a_whole_legacy_commune_goes_to_its_successor_and_meets_current_values(places):
    merged = _legacy_commune("T9002", [places["a"]], divided=False)  # wholly into commune a
    element = _element("an_legacy_whole")
    LegacyValue.objects.create(
        element=element, unit=merged, period="2025Q1", period_start=parse_period("2025Q1").start,
        period_end=parse_period("2025Q1").end, value=Decimal(12),
    )  # fmt: skip
    _value(element, places["a"], "2025M08", 5)  # after the reform, for the current commune
    engine.rebuild(element)
    year = _agg(element, "2025", places["a"])
    assert (year.value, year.n_values, year.n_legacy, year.split_rules) == (17, 2, 1, "whole")
    assert _agg(element, "2025Q3", places["a"]).split_rules == ""


def test_legacy_values_are_for_legacy_communes_before_the_reform(places, users):
    legacy, _successors = _divided_legacy_commune(places)
    element = _element("an_legacy_rules")
    admin = users["admin"]
    with pytest.raises(ValidationError):
        legacy_value_set(user=admin, element=element, unit=places["a"], period="2024", value=1)
    with pytest.raises(ValidationError):
        legacy_value_set(user=admin, element=element, unit=legacy, period="2025Q3", value=1)
    with pytest.raises(ValidationError):
        legacy_value_set(user=admin, element=element, unit=legacy, period="2024", value="many")
    saved = legacy_value_set(user=admin, element=element, unit=legacy, period="2024", value="1.250")
    assert saved.value == 1250
    assert DirtyMark.objects.filter(element_ref=element.pk, period="2024").count() == 2  # one per successor


def _snapshot(element):
    return {
        (r.period, r.level, r.unit_key, r.disaggregation): (r.value, r.n_values, r.computed_at)
        for r in Aggregate.objects.filter(element=element)
    }


def test_one_change_refreshes_only_its_commune_province_and_country(places):
    element = _element("an_incremental")
    a, b, c = places["a"], places["b"], places["c"]
    for unit in (a, b, c):
        for month in ("2025M01", "2025M02", "2025M05"):
            _value(element, unit, month, 10)
    engine.rebuild(element)
    assert not DirtyMark.objects.filter(element_ref=element.pk).exists()
    before = _snapshot(element)

    changed = DataValue.objects.get(element=element, unit=a, period="2025M02")
    changed.value = 25
    changed.save()  # the signal marks (element, a, 2025M02)
    assert DirtyMark.objects.filter(element_ref=element.pk, unit_ref=a.pk, period="2025M02").exists()
    counts = engine.refresh_dirty()
    after = _snapshot(element)
    touched = {key for key in after if after[key] != before[key]}
    expected = {
        (period, level, key, "")
        for period in ("2025M02", "2025Q1", "2025")
        for level, key in (("commune", str(a.pk)), ("province", str(places["P"].pk)), ("country", "VN"))
    }
    assert touched == expected
    assert counts["updated"] == 9 and counts["created"] == counts["deleted"] == 0
    assert _v(element, "2025", a) == 45 and _v(element, "2025") == 105
    assert not DirtyMark.objects.exists()

    engine.mark(element.pk, a.pk, "2025M02")  # the job again (a retry, the minute's run): no change
    again = engine.refresh_dirty()
    assert again["updated"] == again["created"] == again["deleted"] == 0
    assert _snapshot(element) == after

    engine.rebuild(element)  # and a full rebuild agrees with the incremental result
    assert {k: v[:2] for k, v in _snapshot(element).items()} == {k: v[:2] for k, v in after.items()}

    changed.delete()  # a deleted value: its month disappears for the commune
    engine.refresh_dirty()
    assert _agg(element, "2025M02", a) is None and _v(element, "2025M02") == 20


def test_saving_a_form_enqueues_one_refresh_that_runs_after_commit(places, users, django_capture_on_commit_callbacks):
    from ketnoi.core.models import JobRecord
    from ketnoi.indicators.services import data_values_save

    first, second = _element("an_job_one"), _element("an_job_two")
    engine.refresh_dirty()  # whatever the demo data left
    jobs_before = JobRecord.objects.filter(name="analytics.refresh").count()
    with django_capture_on_commit_callbacks(execute=True):
        data_values_save(
            user=users["admin"], unit=places["a"], period="2025M03", values={first.code: "4", second.code: "6"}
        )
    assert JobRecord.objects.filter(name="analytics.refresh").count() == jobs_before + 1
    assert _v(first, "2025Q1", places["P"]) == 4 and _v(second, "2025") == 6  # ran at commit (immediate queue)
    assert not DirtyMark.objects.exists()


def test_the_rebuild_command(places, capsys):
    from ketnoi.cli import main

    element = _element("an_cli")
    _value(element, places["a"], "2025M01", 2)
    Aggregate.objects.filter(element=element).delete()
    assert main(["analytics", "rebuild", "--element", element.code]) == 0
    assert "3 periods: 9 created" in capsys.readouterr().out
    assert _v(element, "2025") == 2
    assert main(["analytics", "rebuild", "--element", element.code]) == 0
    assert "0 created, 0 updated, 0 deleted" in capsys.readouterr().out
    assert main(["analytics", "rebuild", "--element", "no-such-element"]) == 2


def test_dashboard_selectors_are_scoped(places, users):
    element = _element("an_selectors")
    a, b, c = places["a"], places["b"], places["c"]
    for month, value in (("2025M01", 1), ("2025M02", 2), ("2025M03", 3)):
        _value(element, a, month, value)
        _value(element, b, month, 10 * value)
        _value(element, c, month, 100 * value)
    engine.rebuild(element)
    national, laocai = users["dieuphoi"], users["tinh.laocai"]
    series = aggregate_series(user=national, element=element, period_type="month", start="2025M01", end="2025M12")
    assert [(r["period"], r["value"]) for r in series] == [("2025M01", 111), ("2025M02", 222), ("2025M03", 333)]
    assert aggregate_series(user=laocai, element=element, period_type="month", start="2025M01", end="2025M12") == []
    mine = aggregate_series(
        user=laocai, element=element, unit=places["P"], period_type="quarter", start="2025Q1", end="2025Q4"
    )
    assert [(r["period"], r["value"]) for r in mine] == [("2025Q1", 66)]
    table = aggregate_table(user=laocai, element=element, period="2025Q1", level="commune", within_unit=places["P"])
    assert [(r["unit_id"], r["value"]) for r in table] == [(b.pk, 60), (a.pk, 6)]
    provinces = aggregate_table(user=national, element=element, period="2025", level="province")
    assert [r["unit_id"] for r in provinces] == [places["Q"].pk, places["P"].pk]
    assert aggregate_table(user=laocai, element=element, period="2025", level="province") == [
        r for r in provinces if r["unit_id"] == places["P"].pk
    ]
    with pytest.raises(ValidationError):
        aggregate_series(user=national, element=element, period_type="week", start="2025M01", end="2025M02")


def test_aggregates_are_partitioned_by_year_on_postgresql(places):
    """PostgreSQL: a partition a year (added for a year outside the migration's range, moving rows
    the DEFAULT partition took); SQLite: the plain table. The numbers are the same either way."""
    from django.db import connection

    from ketnoi.analytics import partitions

    element = _element("an_partitions")
    _value(element, places["a"], "2057M03", 4)
    _value(element, places["a"], "2025M03", 1)
    if connection.vendor == "postgresql":
        assert partitions.is_partitioned()
        assert {2015, 2025, 2040} <= partitions.partition_years() and 2057 not in partitions.partition_years()
        engine.refresh_dirty()  # the refresh makes the year's partition before writing
        assert 2057 in partitions.partition_years()
        with connection.cursor() as cursor:
            cursor.execute("SELECT year, COUNT(*) FROM analytics_aggregate_y2057 GROUP BY year")
            assert cursor.fetchall() == [(2057, 9)]
            cursor.execute("SELECT COUNT(*) FROM analytics_aggregate_default")
            assert cursor.fetchone() == (0,)
    else:
        assert not partitions.is_partitioned() and partitions.ensure_years([2057]) == []
        engine.refresh_dirty()
    assert _v(element, "2057", places["P"]) == 4 and _v(element, "2025Q1") == 1
