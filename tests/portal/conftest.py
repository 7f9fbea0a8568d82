"""Content for the portal tests, made directly with the ORM: published items in several languages,
and items in every state that must never be public."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from ketnoi.content.models import ContentItem, ContentVariant, ContentVersion, Section, Topic
from ketnoi.content.text import search_text_for
from ketnoi.people.models import Language


@pytest.fixture(autouse=True)
def _clear_cache(db):
    cache.clear()  # rate-limit counters
    yield
    cache.clear()


@pytest.fixture
def make_item(db, users):
    """make_item(slug, {"vi": ("Title", "Summary", "<p>Body</p>"), "th": (...)}, state=..., ...).

    The first language is the source; others are reviewed translations unless listed in
    ``unreviewed`` (then they stay "translated", not public)."""

    def _make(
        slug,
        texts,
        *,
        state="published",
        topics=(),
        section=None,
        author="bientap",
        unreviewed=(),
        kind="news",
        published_at=None,
        event_start=None,
        event_end=None,
        event_place="",
        owner_unit=None,
        ethnic_group=None,
    ):
        codes = list(texts)
        source = Language.objects.get(bcp47=codes[0])
        item = ContentItem.objects.create(
            slug=slug,
            kind=kind,
            state=state,
            source_language=source,
            author=users[author],
            section=section,
            published_at=(published_at or timezone.now() - dt.timedelta(days=1)) if state == "published" else None,
            event_start=event_start,
            event_end=event_end,
            event_place=event_place,
            owner_unit=owner_unit,
            ethnic_group=ethnic_group,
        )
        for topic in topics:
            item.topics.add(topic)
        for index, code in enumerate(codes):
            title, summary, body = texts[code]
            status = (
                ContentVariant.Status.SOURCE
                if index == 0
                else ContentVariant.Status.TRANSLATED
                if code in unreviewed
                else ContentVariant.Status.REVIEWED
            )
            variant = ContentVariant.objects.create(
                item=item,
                language=Language.objects.get(bcp47=code),
                is_source=index == 0,
                status=status,
                title=title,
                summary=summary,
                body=body,
                search_text=search_text_for(title=title, summary=summary, body=body, language=code),
            )
            if status == ContentVariant.Status.REVIEWED:  # approved: its version is what the portal shows
                variant.published = ContentVersion.objects.create(
                    variant=variant, number=1, title=title, summary=summary, body=body
                )
                variant.save(update_fields=["published"])
        return item

    return _make


@pytest.fixture
def topic(db):
    return Topic.objects.create(code="chinh-sach", name_vi="Chính sách", name_en="Policy")


@pytest.fixture
def section(db):
    return Section.objects.create(code="thoi-su", name_vi="Thời sự", name_en="Current affairs")


HIDDEN_STATES = ["draft", "submitted", "appraised", "approved", "scheduled", "withdrawn"]


@pytest.fixture
def hidden_items(make_item):
    """One item in each non-public state, with Vietnamese and Thai text, each carrying a marker."""
    return {
        state: make_item(
            f"an-{state}",
            {
                "vi": (f"BÍ MẬT {state} chính sách", "Tóm tắt bí mật", "<p>Nội dung bí mật</p>"),
                "th": (f"ความลับ {state}", "ความลับ", "<p>ความลับ</p>"),
            },
            state=state,
            event_start=timezone.now() + dt.timedelta(days=2),
        )
        for state in HIDDEN_STATES
    }


def shown(language: str, msgid: str, **values) -> str:
    """A message as the portal shows it in ``language`` (the catalogues are complete, so pages in
    Vietnamese or Thai no longer carry the English text)."""
    from django.utils import translation
    from django.utils.html import escape

    with translation.override(language):
        text = translation.gettext(msgid)
    return escape(text % values if values else text)
