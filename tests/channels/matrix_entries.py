"""Routes of the channel inventory and the test that proves their scoping (tests/channels/test_inventory.py)."""

MATRIX = {
    "channels/": "channels test_inventory: the list holds only the communes of the user's area",
    "channels/import/": "channels test_inventory: a row for a commune outside the area refuses the file",
    "api/v1/channels/devices": "channels test_inventory: api lists only the area's devices",
    "api/v1/channels/import": "channels test_inventory: api import refused for editors, row errors as problems",
    "units/current/commune/<str:code>/accounts/new/": "channels test_inventory: another commune's officer gets 404",
}
