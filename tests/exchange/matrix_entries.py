"""Routes of the information exchange and the test that proves their scoping (tests/exchange/test_scoping.py)."""

MATRIX = {
    "exchange/": "exchange test_scoping: pages list",
    "exchange/new/": "exchange test_scoping: sender is the user's own agency (pages)",
    "exchange/<int:pk>/": "exchange test_scoping: pages detail 404",
    "exchange/<int:pk>/reply/": "exchange test_scoping: pages reply 404",
    "exchange/<int:pk>/close/": "exchange test_scoping: pages close 404",
    "exchange/attachments/<int:pk>/": "exchange test_scoping: pages attachment 404",
    "api/v1/exchange/requests": "exchange test_scoping: api list / create",
    "api/v1/exchange/requests/<int:pk>": "exchange test_scoping: api detail 404",
    "api/v1/exchange/requests/<int:pk>/responses": "exchange test_scoping: api respond 404",
    "api/v1/exchange/requests/<int:pk>/attachments": "exchange test_scoping: api attach 404",
    "api/v1/exchange/requests/<int:pk>/close": "exchange test_scoping: api close 404",
}
