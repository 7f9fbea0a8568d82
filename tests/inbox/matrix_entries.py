"""Routes of the feedback inbox and the test that proves their scoping (tests/inbox/test_inbox.py)."""

MATRIX = {
    "inbox/": "inbox test_another_communes_and_provinces_staff_get_404: another province's list lacks it",
    "inbox/note/": "inbox test_commune_staff_note_meeting_feedback_only_for_their_commune: other commune → 422",
    "inbox/<int:pk>/": "inbox test_another_communes_and_provinces_staff_get_404: GET and POST 404",
    "inbox/receive/<str:platform>/": (
        "public provider endpoint, authenticated by the adapter's token or signature "
        "(inbox test_a_forged_sms_post_is_refused_and_records_nothing, ..._forged_one_is_refused)"
    ),
}
MATRIX.update(
    {
        "api/v1/inbox/feedback": "inbox test_the_api_lists_routes_answers_and_closes_in_the_callers_area_only",
        "api/v1/inbox/feedback/<int:feedback_id>": "inbox test_the_api_...: another commune's officer gets 404",
        "api/v1/inbox/feedback/<int:feedback_id>/route": "inbox test_the_api_...: scoped lookup (404)",
        "api/v1/inbox/feedback/<int:feedback_id>/answer": "inbox test_the_api_...: another commune's officer 404",
        "api/v1/inbox/feedback/<int:feedback_id>/close": "inbox test_the_api_...: scoped lookup (404)",
    }
)
