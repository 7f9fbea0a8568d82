"""Routes of the data subjects' requests (issue 10.5) and the tests that prove their scoping."""

MATRIX = {
    "privacy/subjects/": "country system administrators only (tests/privacy/test_subject_page.py)",
}
