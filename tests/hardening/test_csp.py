"""No inline script anywhere, and a policy that forbids it (issue 11.11)."""

import re
from pathlib import Path

import ketnoi

TEMPLATES = Path(ketnoi.__file__).parent / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def _script_src(policy: str) -> str:
    return next(part for part in policy.split(";") if part.strip().startswith("script-src"))


def test_the_policy_allows_scripts_from_files_of_this_site_only(client, db):
    for path in ("/", "/login/", "/p/"):
        policy = client.get(path)["Content-Security-Policy"]
        assert _script_src(policy).split() == ["script-src", "'self'"], (path, policy)


def test_no_template_has_inline_script_or_event_handlers():
    found = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        found += [f"{template.relative_to(TEMPLATES)}: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)]
        found += [f"{template.relative_to(TEMPLATES)}: {m.group(0)}" for m in EVENT_HANDLER.finditer(text)]
    assert found == []
