"""Routes of the channel inventory and the test that proves their scoping (tests/channels/test_inventory.py)."""

MATRIX = {
    "channels/": "channels test_inventory: the list holds only the communes of the user's area",
    "channels/import/": "channels test_inventory: a row for a commune outside the area refuses the file",
    "api/v1/channels/devices": "channels test_inventory: api lists only the area's devices",
    "api/v1/channels/import": "channels test_inventory: api import refused for editors, row errors as problems",
    "units/current/commune/<str:code>/accounts/new/": "channels test_inventory: another commune's officer gets 404",
}
MATRIX.update(
    {
        "channels/bulletins/": "channels test_bulletins: bulletins of another province are invisible",
        "channels/bulletins/new/": "channels test_bulletins: targets must lie in the owner's area",
        "channels/bulletins/<int:pk>/": "channels test_bulletins: another province's editor gets 404",
        "channels/bulletins/<int:pk>/edit/": "channels test_bulletins: the edit goes through the scoped lookup (404)",
        "channels/bulletins/<int:pk>/transition/": "channels test_bulletins: another province's editor gets 404",
        "channels/bulletins/<int:pk>/schedules/": "channels test_bulletins: scoped bulletin lookup (404)",
        "channels/bulletins/<int:pk>/schedules/<int:schedule_pk>/delete/": "channels test_bulletins: scoped lookup",
        "channels/bulletins/<int:pk>/renditions/new/": "channels test_bulletins: scoped bulletin lookup (404)",
        "channels/bulletins/<int:pk>/renditions/<str:channel>/<str:language>/": "channels test_bulletins: scoped",
        "channels/renditions/<int:pk>/recording/": "channels test_bulletins: rendition of a visible bulletin only",
        "channels/renditions/<int:pk>/speech/": "channels test_bulletins: rendition of a visible bulletin only",
        "channels/renditions/<int:pk>/audio/": "channels test_bulletins: rendition of a visible bulletin only",
        "channels/renditions/<int:pk>/delete/": "channels test_bulletins: rendition of a visible bulletin only",
    }
)
MATRIX.update(
    {
        "channels/evidence/<int:pk>/": "channels test_evidence: another commune's officer gets 404 for a value's rows",
    }
)
