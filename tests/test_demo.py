"""The demo dataset as `ketnoi demo` creates it, including the samples of every module."""

from ketnoi.channels.models import Bulletin, LoudspeakerCluster
from ketnoi.demo import load_demo
from ketnoi.emulation.models import Scorecard
from ketnoi.exchange.models import OfficialRequest
from ketnoi.inspections.models import Finding
from ketnoi.programmes.models import ProgressReport


def test_demo_is_complete_and_idempotent(db):
    load_demo()
    counts = (
        OfficialRequest.objects.count(),
        Finding.objects.count(),
        Scorecard.objects.count(),
        ProgressReport.objects.count(),
        Bulletin.objects.count(),
        LoudspeakerCluster.objects.count(),
    )
    load_demo()
    assert counts == (
        OfficialRequest.objects.count(),
        Finding.objects.count(),
        Scorecard.objects.count(),
        ProgressReport.objects.count(),
        Bulletin.objects.count(),
        LoudspeakerCluster.objects.count(),
    )
    assert set(Bulletin.objects.values_list("state", flat=True)) == {"approved", "draft"}
    assert counts[5] == 2
    assert counts[0] == 1 and counts[1] == 1 and counts[2] == 3
    finding = Finding.objects.get()
    assert finding.corrective_task is not None and finding.visit.unit.code == "03037"
    states = set(ProgressReport.objects.values_list("state", flat=True))
    assert {"draft", "submitted", "approved"} <= states


def test_demo_loads_reference_data_when_the_database_has_none(db, monkeypatch):
    """Issue 7.1: `ketnoi demo` on a database without reference data loads it instead of a traceback."""
    import ketnoi.demo
    import ketnoi.reference
    from ketnoi.geo.models import AdminUnit

    calls = []
    real_exists = {"empty": True}
    original_filter = AdminUnit.objects.filter

    def fake_filter(*args, **kwargs):
        query = original_filter(*args, **kwargs)
        if real_exists["empty"] and kwargs == {"structure": "current"}:
            return query.none()  # the database looks empty until the reference data is "loaded"
        return query

    def fake_load_reference(log=print):
        calls.append(log)
        real_exists["empty"] = False  # the reference data is already in the test database

    monkeypatch.setattr(AdminUnit.objects, "filter", fake_filter)
    monkeypatch.setattr(ketnoi.reference, "load_reference", fake_load_reference)
    messages = []
    assert ketnoi.demo.ensure_reference_data(log=messages.append) is True
    assert len(calls) == 1 and "loading it first" in messages[0]


def test_demo_stops_with_one_clear_sentence_when_a_unit_is_missing(db, monkeypatch):
    import pytest

    import ketnoi.demo

    monkeypatch.setattr(
        ketnoi.demo, "DEMO_VILLAGES", [*ketnoi.demo.DEMO_VILLAGES, ("99999", "Thôn X", "thon", 1, 1, 1)]
    )
    with pytest.raises(ketnoi.demo.DemoError) as info:
        load_demo()
    message = str(info.value)
    assert "99999" in message and "ketnoi load-reference" in message and message.count(".") == 1


def test_demo_with_reference_data_does_not_reload_it(db):
    import ketnoi.demo

    assert ketnoi.demo.ensure_reference_data(log=lambda *a: None) is False


def test_cli_demo_prints_the_sentence_and_exits_2(db, monkeypatch, capsys):
    import ketnoi.demo
    from ketnoi.cli import main

    monkeypatch.setattr(
        ketnoi.demo, "DEMO_VILLAGES", [*ketnoi.demo.DEMO_VILLAGES, ("99999", "Thôn X", "thon", 1, 1, 1)]
    )
    assert main(["demo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "99999" in err and "Traceback" not in err
