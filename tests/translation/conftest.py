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


@pytest.fixture(autouse=True)
def english_qa_messages(request):
    """The QA tests read finding messages in English (the msgids); the site's default language is vi."""
    if not request.module.__name__.split(".")[-1].startswith("test_qa"):
        yield
        return
    from django.utils import translation

    with translation.override("en"):
        yield
