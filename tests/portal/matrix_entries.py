"""Routes of the portal app and the test that proves each one's scoping.

The public portal (everything under p/, and the two public API reads) needs no sign-in and shows
only published content: tests/portal/test_visibility.py and test_public_routes.py. The moderation
pages and endpoints are scoped by CONTENT_APPRAISE: tests/portal/test_feedback.py."""

PUBLIC = "public portal (no sign-in; only published content: tests/portal/test_visibility.py)"

MATRIX = {
    "p/": PUBLIC,
    "p/robots.txt": PUBLIC,
    "p/sitemap.xml": PUBLIC,
    "p/img/<int:pk>/": "public portal: images of published items only (test_images_of_drafts_are_not_served)",
    "p/<str:lang>/": PUBLIC,
    "p/<str:lang>/tin-tuc/<slug:slug>/": PUBLIC,
    "p/<str:lang>/chu-de/<slug:code>/": PUBLIC,
    "p/<str:lang>/chu-de/<slug:topic>/rss.xml": PUBLIC,
    "p/<str:lang>/chu-de/<slug:topic>/atom.xml": PUBLIC,
    "p/<str:lang>/muc/<slug:code>/": PUBLIC,
    "p/<str:lang>/rss.xml": PUBLIC,
    "p/<str:lang>/atom.xml": PUBLIC,
    "p/<str:lang>/tim-kiem/": PUBLIC,
    "p/<str:lang>/dan-toc/": "public portal (reference data)",
    "p/<str:lang>/dan-toc/<str:code>/": "public portal (reference data)",
    "p/<str:lang>/lich/": PUBLIC,
    "p/<str:lang>/lich/<int:year>/<int:month>/": PUBLIC,
    "p/<str:lang>/lich.ics": PUBLIC,
    "p/<str:lang>/gop-y/": "public portal: citizens write, rate-limited (tests/portal/test_feedback.py)",
    "p/<str:lang>/hoi-dap/": "public portal: published answers without personal data (test_feedback.py)",
    "api/v1/portal/items": "public portal API (test_public_api_lists_only_public_items)",
    "api/v1/portal/answers": "public portal API, no personal data (test_reviewer_of_the_province_answers...)",
    "portal/feedback/": "test_tuyen_quang_cannot_read_or_answer_lao_cai_feedback",
    "portal/feedback/<int:pk>/": "test_tuyen_quang_cannot_read_or_answer_lao_cai_feedback",
    "api/v1/portal/feedback": "test_api_moderation_is_scoped",
    "api/v1/portal/feedback/<int:feedback_id>": "test_api_moderation_is_scoped",
    "api/v1/portal/feedback/<int:feedback_id>/answer": "test_api_moderation_is_scoped",
    "api/v1/portal/feedback/<int:feedback_id>/reject": "test_api_moderation_is_scoped",
}
MATRIX.update(
    {
        "p/<str:lang>/gop-y/tra-cuu/": (
            "public portal: a citizen's reference lookup, nothing personal, rate-limited "
            "(tests/inbox/test_inbox.py::test_the_citizen_looks_up_the_answer_by_reference_without_anything_personal)"
        ),
    }
)
