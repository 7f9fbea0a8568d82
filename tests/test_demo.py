"""The demo dataset as `ketnoi demo` creates it, including the samples of every module."""

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
    )
    load_demo()
    assert counts == (
        OfficialRequest.objects.count(),
        Finding.objects.count(),
        Scorecard.objects.count(),
        ProgressReport.objects.count(),
    )
    assert counts[0] == 1 and counts[1] == 1 and counts[2] == 3
    finding = Finding.objects.get()
    assert finding.corrective_task is not None and finding.visit.unit.code == "03037"
    states = set(ProgressReport.objects.values_list("state", flat=True))
    assert {"draft", "submitted", "approved"} <= states
