import datetime as dt

import pytest


@pytest.fixture
def programme(db):
    from ketnoi.programmes.models import Programme

    return Programme.objects.get(code="ctph-922-2024")


@pytest.fixture
def other_programme(db):
    from ketnoi.programmes.models import LegalDocument, Programme

    document = LegalDocument.objects.create(number_symbol="99/QĐ-TM", doc_type="Quyết định", issuer="Test", title="T")
    return Programme.objects.create(
        document=document,
        code="tm-other",
        name_vi="Chương trình khác",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2030, 12, 31),
    )


@pytest.fixture
def loaded_termbase(db):
    from ketnoi.translation.loaders import load_termbase

    return load_termbase()
