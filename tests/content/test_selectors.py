"""The portal's selectors: only published items, source or reviewed variants; search; related; events."""

import datetime as dt

import pytest
from django.utils import timezone

from ketnoi.content import selectors, services
from ketnoi.content.models import ContentVariant, Section, Topic

from .conftest import publish


@pytest.fixture
def topics(db):
    return (
        Topic.objects.create(code="chinh-sach", name_vi="Chính sách"),
        Topic.objects.create(code="van-hoa", name_vi="Văn hóa"),
        Section.objects.create(code="tin", name_vi="Tin tức"),
    )


def test_drafts_and_unreviewed_translations_are_not_public(item, users):
    with pytest.raises(ContentVariant.DoesNotExist):
        selectors.public_variant(slug=item.slug, language="vi")
    assert not selectors.public_items(language="vi").filter(item=item).exists()
    assert selectors.public_languages(item) == []
    services.variant_add(user=users["bientap"], item=item, language="en")
    publish(item, users)
    assert selectors.public_variant(slug=item.slug, language="vi").is_source
    with pytest.raises(ContentVariant.DoesNotExist):  # English is still in translation
        selectors.public_variant(slug=item.slug, language="en")
    assert [lang.bcp47 for lang in selectors.public_languages(item)] == ["vi"]
    services.item_transition(user=users["dieuphoi"], item=item, action="withdraw", comment="Rút lại")
    with pytest.raises(ContentVariant.DoesNotExist):
        selectors.public_variant(slug=item.slug, language="vi")


def test_public_items_filters_and_order(make_item, users, topics):
    policy, culture, news = topics
    first = make_item(title="Chính sách mới cho vùng cao", topics=["chinh-sach"], section="tin")
    second = make_item(kind="explainer", title="Lễ hội Lồng Tồng", topics=["van-hoa"])
    draft = make_item(title="Bản nháp về chính sách")
    publish(first, users)
    publish(second, users)
    titles = [v.title for v in selectors.public_items(language="vi")]
    assert titles.index("Lễ hội Lồng Tồng") < titles.index("Chính sách mới cho vùng cao")  # newest first
    assert "Bản nháp về chính sách" not in titles and draft.state == "draft"
    assert [v.item for v in selectors.public_items(language="vi", kind="explainer")] == [second]
    assert [v.item for v in selectors.public_items(language="vi", topic="chinh-sach")] == [first]
    assert [v.item for v in selectors.public_items(language="vi", section=news)] == [first]
    assert [v.item for v in selectors.public_items(language="vi", query="chinh sach moi")] == [first]
    assert [v.item for v in selectors.public_items(language="vi", query="LỒNG tồng")] == [second]
    assert not selectors.public_items(language="vi", query="không có gì như vậy").exists()


def test_related_items_share_topic_section_or_author(make_item, users, topics):
    base = make_item(title="Gốc", topics=["chinh-sach"], section="tin")
    same_author = make_item(title="Cùng tác giả", topics=["van-hoa"])
    same_section = make_item(author="dieuphoi", title="Cùng chuyên mục", section="tin")
    same_topic = make_item(author="dieuphoi", title="Cùng chủ đề", topics=["chinh-sach"])
    unrelated = make_item(author="dieuphoi", title="Khác hẳn", topics=["van-hoa"])
    for it in (base, same_author, same_section, same_topic, unrelated):
        publish(it, users)
    variant = selectors.public_variant(slug=base.slug, language="vi")
    assert [v.item for v in selectors.related_items(variant)] == [same_topic, same_section, same_author]
    assert [v.item for v in selectors.related_items(variant, limit=1)] == [same_topic]


def test_public_events_overlap_the_window(make_item, users):
    now = timezone.now()
    festival = make_item(title="Ngày hội", event_start=now + dt.timedelta(days=3), event_end=now + dt.timedelta(days=5))
    past = make_item(title="Đã qua", event_start=now - dt.timedelta(days=30), event_end=now - dt.timedelta(days=29))
    for it in (festival, past):
        publish(it, users)
    found = selectors.public_events(language="vi", start=now.date(), end=(now + dt.timedelta(days=7)).date())
    assert [v.item for v in found] == [festival]
    found = selectors.public_events(language="vi", start=now + dt.timedelta(days=4), end=now + dt.timedelta(days=10))
    assert [v.item for v in found] == [festival]  # still running on day 4


def test_thai_search_is_word_segmented(item, users):
    from .test_translation import THAI

    thai = services.variant_add(user=users["bientap"], item=item, language="th")
    for unit in thai.units.select_related("segment"):
        services.unit_save(user=users["dichthuat"], unit=unit, text=THAI[unit.segment.text])
    services.variant_approve(user=users["thamdinh"], variant=thai)
    publish(item, users)
    assert [v.pk for v in selectors.public_items(language="th", query="ลำโพง")] == [thai.pk]
    assert not selectors.public_items(language="th", query="ลำ").exists()  # not a word of the text
