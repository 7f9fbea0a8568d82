"""The demo content loader: four items through the real workflow, idempotent."""

from ketnoi.content import selectors
from ketnoi.content.loaders import load_demo_content
from ketnoi.content.models import ContentItem, Section, Topic


def test_demo_content_is_loaded_once(db):
    from ketnoi.content.loaders import ANNOUNCEMENT, EXPLAINER, FEATURE, NEWS

    # `ketnoi demo` may already have loaded them into the shared test database: start from none.
    ContentItem.objects.filter(slug__in=[s["slug"] for s in (NEWS, EXPLAINER, ANNOUNCEMENT, FEATURE)]).delete()
    before = ContentItem.objects.count()
    assert load_demo_content(log=None) == 4
    assert ContentItem.objects.count() == before + 4
    assert load_demo_content(log=None) == 0
    assert ContentItem.objects.count() == before + 4
    assert Topic.objects.filter(code="chuyen-doi-so").exists() and Section.objects.count() >= 4
    kinds = set(ContentItem.objects.filter(state="published").values_list("kind", flat=True))
    assert {"news", "explainer", "announcement", "foreign_feature"} <= kinds
    assert (
        ContentItem.objects.get(kind="announcement", slug="thong-bao-lich-phat-thanh-tieng-dan-toc").priority
        == "priority"
    )
    feature = ContentItem.objects.get(slug="ngay-hoi-van-hoa-cac-dan-toc-vung-bien")
    assert [lang.bcp47 for lang in selectors.public_languages(feature)] == ["vi", "en", "th"]
    assert (
        selectors.public_variant(slug=feature.slug, language="en").title == "A festival of the border peoples' cultures"
    )
    assert selectors.public_events(language="th", start=feature.event_start, end=feature.event_end).count() == 1
    news = ContentItem.objects.get(slug="lao-cai-tap-huan-can-bo-thong-tin-co-so")
    assert news.owner_unit.code == "15" and news.related_tasks.exists()
