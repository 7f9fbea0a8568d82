"""Routes of the notifications app and the tests that prove their scoping (a user's own only)."""

PAGES = "tests/notifications/test_pages_api.py::test_pages_do_not_show_or_change_another_users_notifications"
API = "tests/notifications/test_pages_api.py::test_api_does_not_show_or_change_another_users_notifications"

MATRIX = {
    "notifications/": PAGES,
    "notifications/read-all/": PAGES,
    "notifications/<int:pk>/read/": PAGES,
    "api/v1/notifications": API,
    "api/v1/notifications/read-all": API,
    "api/v1/notifications/<int:pk>": API,
    "api/v1/notifications/<int:pk>/read": API,
}
