"""Routes of the reports app and the test that proves how each is scoped."""

MATRIX = {
    "reviews/": "tests/reports/test_views.py::test_pages_need_programme_access (no area data)",
    "reviews/<str:code>/": "tests/reports/test_views.py::test_area_officers_see_the_page_without_downloads",
    "reviews/<str:code>/download/": "tests/reports/test_views.py::test_tuyen_quang_officers_cannot_download_or_number",
    "reviews/<str:code>/issue/": "tests/reports/test_views.py::test_tuyen_quang_officers_cannot_download_or_number",
    "api/v1/programmes/<code>/reviews/<period>": "tests/reports/test_views.py::test_api_refuses_area_officers",
}
