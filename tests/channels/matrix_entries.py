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
