"""Routes of the DHIS2 exchange and the tests that prove their scoping (tests/dhis2/test_api.py)."""

MATRIX = {
    "dhis2/": "dhis2 test_api: the page's import refuses another province's units; editors see no import form",
    "dhis2/export": "dhis2 test_api: the download holds only the area's values",
    "api/v1/dhis2/dataValueSets": "dhis2 test_api: GET lists only the area's values, POST refuses units outside it",
    "api/v1/dhis2/dataValueSets.json": "dhis2 test_api: export scoped to the area",
    "api/v1/dhis2/dataValueSets.adx": "dhis2 test_api: export scoped to the area",
}
