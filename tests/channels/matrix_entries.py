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
        "units/current/commune/<str:code>/sms-recipients/": "channels test_outbox: another commune's officer gets 404",
        "channels/sms-recipients/<int:pk>/opt-out/": "channels test_outbox: manage rights over its commune",
    }
)
MATRIX.update(
    {
        "api/v1/channels/bulletins": "channels test_bulletins: the api lists only bulletins in scope",
        "api/v1/channels/bulletins/<bulletin_id>": "channels test_bulletins: another province's editor gets 404",
        "api/v1/channels/bulletins/<bulletin_id>/transition": "channels test_bulletins: scoped lookup, 422 problems",
        "boards/kiosk/": "channels test_boards: the board's own token only (unknown or revoked → 401)",
        "boards/feed.json": "channels test_boards: only the board's own deliveries; no token → 401",
        "boards/heartbeat": "channels test_boards: token-authenticated; cookie posts need CSRF",
        "boards/displayed": "channels test_boards: only renditions sent to this board are accepted",
        "boards/sw.js": "channels test_boards: a static script, no data",
        "channels/boards/<int:pk>/preview/": "channels test_boards: another commune's officer gets 404",
        "channels/boards/<int:pk>/token/": "channels test_boards: CHANNELS_MANAGE over the board's commune (404)",
        "channels/boards/credentials/<int:pk>/revoke/": "channels test_boards: another commune's officer gets 404",
        "channels/console/": "channels test_console: an editor (no station to run) gets 404",
        "channels/console/<str:code>/": "channels test_console: another commune's officer gets 404",
        "channels/console/<str:code>/decide/": "channels test_console: another commune's officer gets 404, no write",
        "channels/console/plays/": "channels test_console: another commune's play logs 404, never listed",
        "channels/console/clusters/": "channels test_console: clusters filtered through the user's scope",
        "channels/console/province/": "channels test_console: a commune officer and another province get 404",
        "channels/console/national/": "channels test_console: a provincial officer gets 404",
        "channels/evidence/<int:pk>/": "channels test_evidence: another commune's officer gets 404 for a value's rows",
        "units/current/commune/<str:code>/devices/": "channels test_devices: another commune's officer gets 404",
        "units/current/commune/<str:code>/devices/tokens/": "channels test_devices: another commune's officer 404",
        "units/current/commune/<str:code>/devices/tokens/<int:pk>/revoke/": "channels test_devices: other commune 404",
        "api/v1/devices/schedule": "channels test_devices: a device token sees only its own deliveries",
        "api/v1/devices/audio/<rendition_id>": "channels test_devices: only a rendition with a live delivery (404)",
        "api/v1/devices/ack": "channels test_devices: only the device's own live delivery",
        "api/v1/devices/logs": "channels test_devices: a rendition never sent to the device is rejected",
        "api/v1/devices/heartbeat": "channels test_devices: writes only the token's own credential",
        "api/v1/devices/events": "channels test_devices: only the device's own emergencies",
    }
)
