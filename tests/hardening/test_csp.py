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


INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
PDF_ONLY = {"reports/review.html"}  # rendered by WeasyPrint into the review PDF, never served as a page


def test_the_policy_allows_styles_from_files_only_and_sets_the_other_headers(client, db):
    for path in ("/", "/login/", "/p/vi/", "/api/v1/docs"):
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        style_src = next(part for part in policy.split(";") if part.strip().startswith("style-src"))
        assert style_src.split() == ["style-src", "'self'"], (path, policy)
        assert "frame-ancestors 'none'" in policy and response["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        if response.status_code == 200 and path != "/api/v1/docs":
            assert not INLINE_STYLE.search(response.content.decode()), path


def test_no_served_template_has_inline_style():
    found = []
    for template in TEMPLATES.rglob("*.html"):
        name = str(template.relative_to(TEMPLATES))
        if name in PDF_ONLY:
            continue
        text = template.read_text(encoding="utf-8")
        found += [f"{name}: {m.group(0)}" for m in INLINE_STYLE.finditer(text)]
    assert found == []


def test_the_timeline_draws_its_bars_without_style_attributes(login):
    from ketnoi.programmes.models import Programme

    programme = Programme.objects.order_by("pk").first()
    page = login("dieuphoi").get(f"/programmes/{programme.code}/timeline/").content.decode()
    assert 'class="gantt-svg"' in page and "<rect" in page and " style=" not in page
    assert 'x="12,' not in page  # numbers for SVG are never written the Vietnamese way
