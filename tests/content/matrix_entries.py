"""Scoping of content URLs (see tests/orgs/test_scoping_matrix.py)."""

PAGES = "scoped by owner unit: tests/content/test_scoping.py (pages)"
API = "scoped by owner unit: tests/content/test_scoping.py (API)"

MATRIX = {
    "content/": "lists only the caller's area (test_scoping.py pages)",
    "content/new/": "owner unit checked by require (test_scoping.py central/positive tests)",
    "content/jobs/": "lists only the caller's area (test_scoping.py pages)",
    "content/<int:pk>/": PAGES,
    "content/<int:pk>/edit/": PAGES,
    "content/<int:pk>/transition/": PAGES,
    "content/<int:pk>/comment/": PAGES,
    "content/<int:pk>/images/": PAGES,
    "content/<int:pk>/variants/": PAGES,
    "content/images/<int:pk>/": PAGES,
    "content/images/<int:pk>/delete/": PAGES,
    "content/variants/<int:pk>/": PAGES,
    "content/variants/<int:pk>/job/": PAGES,
    "content/variants/<int:pk>/approve/": PAGES,
    "content/variants/<int:pk>/history/": PAGES,
    "content/variants/<int:pk>/xliff/": PAGES,
    "content/variants/<int:pk>/xliff/import/": PAGES,
    "content/units/<int:pk>/": PAGES,
    "api/v1/content/items": API,
    "api/v1/content/items/<int:item_id>": API,
    "api/v1/content/items/<int:item_id>/transition": API,
    "api/v1/content/items/<int:item_id>/variants": API,
    "api/v1/content/variants/<int:variant_id>": API,
    "api/v1/content/variants/<int:variant_id>/segments": API,
    "api/v1/content/variants/<int:variant_id>/units": API,
    "api/v1/content/variants/<int:variant_id>/job": API,
    "api/v1/content/variants/<int:variant_id>/qa": API,
    "api/v1/content/variants/<int:variant_id>/approve": API,
    "api/v1/content/variants/<int:variant_id>/xliff": API,
    "api/v1/content/units/<int:unit_id>": API,
    "api/v1/content/units/<int:unit_id>/review": API,
    "api/v1/content/units/<int:unit_id>/overrides": API,
}
