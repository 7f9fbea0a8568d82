from pathlib import Path

import pytest

from ketnoi.dhis2.mappings import mappings_import_csv
from ketnoi.orgs.models import User

DATA = Path(__file__).resolve().parents[1] / "data" / "dhis2"


@pytest.fixture
def mapped(db):
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("dhis2admin", "", "x")
    for kind in ("orgunits", "elements", "combos"):
        mappings_import_csv(user=admin, kind=kind, data=(DATA / f"mappings_{kind}.csv").read_bytes())
    return admin


def payload(name: str) -> bytes:
    return (DATA / name).read_bytes()
