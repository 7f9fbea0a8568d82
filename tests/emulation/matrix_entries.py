"""Every route of the emulation app and the test that proves its scoping (tests/emulation/test_scoping.py)."""

PAGES = "tests/emulation/test_scoping.py::test_pages_hide_and_protect_lao_cai_scorecards (+ owner control)"
API = "tests/emulation/test_scoping.py::test_api_hides_and_protects_lao_cai_scorecards (+ owner control)"
SHARED = "shared plan data (score sheets, award titles): readable by every signed-in official"

MATRIX = {
    "emulation/sheets/": SHARED,
    "emulation/sheets/load-default/": "country scope only: test_scoping.py::test_only_country_scope_loads_sheets",
    "emulation/sheets/<int:pk>/": PAGES + " (lists only scorecards of the user's area)",
    "emulation/sheets/<int:pk>/open/": PAGES,
    "emulation/sheets/<int:pk>/ranking/": PAGES + " (ranks only scorecards of the user's area)",
    "emulation/scorecards/<int:pk>/": PAGES,
    "emulation/scorecards/<int:pk>/recompute/": PAGES,
    "emulation/scorecards/<int:pk>/lines/<int:line_pk>/": PAGES,
    "emulation/scorecards/<int:pk>/adjust/": PAGES,
    "emulation/scorecards/<int:pk>/propose/": PAGES,
    "emulation/adjustments/<int:pk>/withdraw/": PAGES,
    "emulation/proposals/": PAGES,
    "emulation/proposals/<int:pk>/": PAGES,
    "api/v1/emulation/sheets": SHARED,
    "api/v1/emulation/sheets/<int:sheet_id>": SHARED,
    "api/v1/emulation/sheets/<int:sheet_id>/ranking": API,
    "api/v1/emulation/scorecards": API,
    "api/v1/emulation/scorecards/<int:scorecard_id>": API,
    "api/v1/emulation/scorecards/<int:scorecard_id>/recompute": API,
    "api/v1/emulation/scorecards/<int:scorecard_id>/lines/<int:line_id>": API,
    "api/v1/emulation/scorecards/<int:scorecard_id>/adjust": API,
    "api/v1/emulation/award-titles": SHARED,
    "api/v1/emulation/proposals": API,
    "api/v1/emulation/proposals/<int:proposal_id>": API,
    "api/v1/emulation/proposals/<int:proposal_id>/action": API,
}
