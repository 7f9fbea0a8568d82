"""docs/personal-data.md names every field that looks personal, and every encrypted field (issue 10.5)."""

import re
from pathlib import Path

from django.apps import apps

from ketnoi.core.fields import EncryptedTextField, encrypted_fields

DOC = Path(__file__).resolve().parents[2] / "docs" / "personal-data.md"
PERSONAL_LOOKING = re.compile(r"phone|e_?mail|address|id_number|birth|contact")


def _documented() -> str:
    return DOC.read_text(encoding="utf-8")


def _fields():
    for model in apps.get_models():
        if not model.__module__.startswith("ketnoi."):
            continue
        for field in model._meta.concrete_fields:
            yield model, field


def test_every_field_that_looks_personal_is_in_the_inventory():
    text = _documented()
    missing = [
        f"{model._meta.label}.{field.name}"
        for model, field in _fields()
        if PERSONAL_LOOKING.search(field.name) and f"`{model._meta.label}.{field.name}`" not in text
    ]
    assert missing == [], f"add these fields to docs/personal-data.md: {missing}"


def test_every_encrypted_field_is_in_the_table_as_encrypted():
    text = _documented()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    for field in encrypted_fields():
        name = f"`{field.model._meta.label}.{field.name}`"
        row = next((r for r in rows if name in r), None)
        assert row is not None, f"{name} is not in the inventory table"
        assert "**yes**" in row, f"{name} is encrypted but its row does not say so"
    declared = {f"{m._meta.label}.{f.name}" for m, f in _fields() if isinstance(f, EncryptedTextField)}
    assert declared == {f"{f.model._meta.label}.{f.name}" for f in encrypted_fields()}


def test_the_inventory_names_no_field_that_does_not_exist():
    existing = {f"{m._meta.label}.{f.name}" for m, f in _fields()}
    named = set(re.findall(r"`((?:[a-z]+)\.[A-Z]\w+\.\w+)`", _documented()))
    assert named - existing == set()
