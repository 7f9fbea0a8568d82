import pytest


@pytest.fixture
def programme(db):
    from ketnoi.programmes.models import Programme

    return Programme.objects.get(code="ctph-922-2024")


@pytest.fixture
def report(programme):
    from ketnoi.programmes.models import ProgressReport

    def _report(unit_key: str, period: str = "2025Q2"):
        return ProgressReport.objects.get(programme=programme, period=period, unit_key=unit_key)

    return _report
