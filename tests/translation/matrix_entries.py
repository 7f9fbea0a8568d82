"""Scoping of the translation URLs (see tests/orgs/test_scoping_matrix.py).

The termbase and the translation memory belong to no area: any official with programmes.view reads
them; imports need programmes.manage over the whole country (tests/translation/test_views_api.py).
"""

SHARED = "shared, programmes.view anywhere (test_views_api.py)"
MANAGE = "programmes.manage, country only; provincial and commune officers refused (test_views_api.py)"

MATRIX = {
    "translation/termbase/": SHARED,
    "translation/termbase/<int:pk>/": SHARED,
    "translation/termbase/import/": MANAGE,
    "translation/termbase/export/": SHARED,
    "translation/memory/": SHARED,
    "translation/memory/import/": MANAGE,
    "translation/memory/export/": SHARED,
    "api/v1/termbase": SHARED,
    "api/v1/termbase/concepts/<int:concept_id>": SHARED,
    "api/v1/termbase/hits": SHARED,
    "api/v1/termbase/export": SHARED,
    "api/v1/termbase/import": MANAGE,
    "api/v1/tm/suggest": SHARED,
    "api/v1/tm/export": SHARED,
    "api/v1/tm/import": MANAGE,
}
