"""Routes of the maps and the tests that prove their scoping (tests/maps/test_page.py)."""

MATRIX = {
    "maps/": "maps test_page: a provincial officer's map holds only the province's communes; another province is 400",
    "maps/map.svg": "maps test_page: the SVG export goes through the same scoped units (another province: 400)",
    "maps/values.csv": "maps test_page: the CSV export lists only the area's units",
}
