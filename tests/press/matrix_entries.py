"""Routes of the press supply and the test that proves their scoping (tests/press/test_press.py)."""

MATRIX = {
    "press/": "press test_press: another province's officer sees none of the orders (page and CSV)",
    "press/import/": "press test_press: a recipient outside the area refuses the file; editors get 404",
    "press/coverage/": "press test_press: another province's commune or province gets 404, never listed",
    "api/v1/press/coverage": "press test_press: api lists only the area's communes; another province's 404",
    "api/v1/press/import": "press test_press: api import refused for editors, row errors as 422 problems",
}
