"""Routes of the channel inventory and the test that proves their scoping (tests/channels/test_inventory.py)."""

MATRIX = {
    "channels/": "channels test_inventory: the list holds only the communes of the user's area",
    "channels/import/": "channels test_inventory: a row for a commune outside the area refuses the file",
}
