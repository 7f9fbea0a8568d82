"""Issue 7.9: every string shown in the interface goes through gettext. The main pages are rendered in
Vietnamese and Thai and no English may be left in them, beyond proper names and data."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "ketnoi" / "locale"

STAFF_PAGES = [
    "/",
    "/my-work/",
    "/incidents/",
    "/incidents/new/",
    "/account/two-factor/",
    "/account/sessions/",
    "/programmes/",
    "/programmes/ctph-922-2024/",
    "/programmes/ctph-922-2024/reports/",
    "/reviews/",
    "/indicators/",
    "/maps/",
    "/dhis2/",
    "/maps/?element=ban_tin_dai_xa&period=2025&level=commune&within=15",
    "/units/",
    "/villages/",
    "/channels/",
    "/channels/import/",
    "/inbox/",
    "/units/current/commune/03037/sms-recipients/",
    "/units/current/commune/03037/devices/",
    "/channels/console/03037/",
    "/channels/console/plays/?commune=03037",
    "/channels/console/clusters/?commune=03037",
    "/channels/console/province/?province=15",
    "/channels/console/national/",
    "/skills/",
    "/skills/coverage/?province=15&year=2025",
    "/skills/import/",
    "/agencies/",
    "/users/",
    "/audit/",
    "/tokens/",
    "/ethnic-groups/",
    "/languages/",
    "/legal-documents/",
    "/exchange/",
    "/inspections/plans/",
    "/inspections/findings/",
    "/emulation/sheets/",
    "/emulation/proposals/",
    "/notifications/",
    "/content/",
    "/content/new/",
    "/translation/termbase/",
    "/translation/memory/",
    "/portal/feedback/",
    "/approvals/",
    "/privacy/subjects/",
    "/press/",
    "/press/import/",
    "/press/coverage/?year=2025",
]


def _report_pages() -> list[str]:
    """A province's report (with its communes' roll-up and evidence) and a commune's, page and print."""
    from ketnoi.programmes.models import ProgressReport

    urls = []
    for unit_key in ("15", "23425"):
        pk = ProgressReport.objects.get(period="2025Q2", unit_key=unit_key).pk
        urls += [f"/progress-reports/{pk}/", f"/progress-reports/{pk}/print/"]
    return urls


def _bulletin_pages() -> list[str]:
    """The demo bulletins (approved and draft), their edit form and a rendition's form."""
    from ketnoi.channels.demo import load_demo_channels
    from ketnoi.channels.models import Bulletin

    load_demo_channels()
    urls = ["/channels/bulletins/", "/channels/bulletins/new/"]
    for bulletin in Bulletin.objects.all():
        urls.append(f"/channels/bulletins/{bulletin.pk}/")
        if bulletin.state == "draft":
            urls += [
                f"/channels/bulletins/{bulletin.pk}/edit/",
                f"/channels/bulletins/{bulletin.pk}/renditions/sms/vi/",
            ]
    return urls


PORTAL_PAGES = ["/p/{lang}/", "/p/{lang}/gop-y/", "/p/{lang}/hoi-dap/", "/p/{lang}/dan-toc/", "/p/{lang}/lich/"]

# English words that are never Vietnamese or Thai words ("to", "no", "a" are Vietnamese: not listed).
ENGLISH = re.compile(
    r"\b(the|and|of|with|for|from|not|this|that|your|you|are|is|has|have|will|been|none|yes|all|"
    r"draft|submitted|approved|returned|pending|overdue|closed|save|cancel|edit|delete|search|export|import|"
    r"status|state|warning|error|blocking|report|reports|task|tasks|new|next|previous|page|sign|out|view|"
    r"add|remove|back|filter|show|hide|total|due|late|on|time|users?|language|languages)\b",
    re.IGNORECASE,
)


class VisibleText(HTMLParser):
    """Text a person sees, leaving out scripts, styles, code and anything marked as another language."""

    SKIP = {"script", "style", "code", "pre", "kbd", "samp", "option"}

    def __init__(self, ui: str):
        super().__init__(convert_charrefs=True)
        self.ui, self.stack, self.chunks = ui, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang")
        skip = tag in self.SKIP or (lang is not None and not lang.startswith(self.ui)) or "translate" in attrs
        if tag in {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}:
            return
        self.stack.append(skip)

    def handle_endtag(self, tag):
        if tag in {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}:
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.chunks.append(data)


def visible(html: str, ui: str) -> str:
    parser = VisibleText(ui)
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.chunks))


def english_left(text: str) -> list[str]:
    return sorted({m.group().lower() for m in ENGLISH.finditer(text)})


@pytest.fixture(scope="module")
def msgids():
    with open(LOCALE / "vi" / "LC_MESSAGES" / "django.po", "rb") as handle:
        # English msgids of three words or more (a few msgids are Vietnamese words themselves).
        return [m.id for m in read_po(handle) if isinstance(m.id, str) and len(m.id.split()) >= 3 and m.id.isascii()]


@pytest.mark.parametrize("ui", ["vi", "th"])
def test_staff_pages_have_no_english_left(client, users, ui, msgids):
    client.force_login(users["admin"])
    client.post("/i18n/setlang/", {"language": ui, "next": "/"})
    problems = {}
    for url in STAFF_PAGES + _report_pages() + _bulletin_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible(response.content.decode(), ui)
        found = english_left(text) + [m for m in msgids if "%" not in m and m in text]
        if found:
            problems[url] = found
    assert problems == {}
