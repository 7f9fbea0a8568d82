"""Routes of the digital-skills register and the test that proves their scoping (tests/skills/test_skills.py)."""

MATRIX = {
    "skills/": "skills test_skills: another province's officer does not see the sessions",
    "skills/courses/<int:pk>/": "skills test_skills: a course lists only the sessions of the user's area",
    "skills/sessions/<int:pk>/": "skills test_skills: another province's officer gets 404",
    "skills/coverage/": "skills test_skills: a province outside the area gets 404",
    "skills/import/": "skills test_skills: a row outside the area refuses the file; no data entry → 404",
}
MATRIX.update(
    {
        "api/v1/skills/sessions": "skills test_skills: another province's token lists no session",
        "api/v1/skills/coverage": "skills test_skills: a province outside the token's area gets 404",
        "api/v1/skills/import": "skills test_skills: rows outside the area refused; no data entry → 403",
    }
)
