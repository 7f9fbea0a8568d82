"""Editing a published translation makes a new draft; the approved version stays online until the
draft is approved (issue 7.3). Taken offline only on purpose, with a reason."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from ketnoi.content import selectors, services
from ketnoi.content.models import ContentVariant

from .conftest import publish
from .test_flow import SENTENCE, translated  # noqa: F401 (fixture)
from .test_translation import THAI

NEW_THAI = "โครงการสนับสนุนพี่น้องบนพื้นที่สูงให้เข้าถึงข้อมูลข่าวสารอย่างทั่วถึง"


@pytest.fixture
def online(item, users, translated):  # noqa: F811 (the fixture imported above)
    """The Thai translation approved and the item published."""
    bad = translated.units.get(segment__text=SENTENCE)
    services.unit_save(user=users["dichthuat"], unit=bad, text=THAI[SENTENCE])
    services.variant_approve(user=users["thamdinh"], variant=translated)
    publish(item, users)
    return ContentVariant.objects.get(pk=translated.pk)


def _public_body(item) -> str:
    return selectors.public_variant(slug=item.slug, language="th").body


def _public_page(item) -> str:
    reader = Client()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    response = reader.get(f"/p/th/tin-tuc/{item.slug}/")
    return response.content.decode() if response.status_code == 200 else f"HTTP {response.status_code}"


def test_a_new_draft_leaves_the_approved_version_online_until_it_is_approved(item, users, online):
    approved = online.published
    assert approved is not None and THAI[SENTENCE] in _public_body(item)
    unit = online.units.get(segment__text=SENTENCE)
    services.unit_save(user=users["dichthuat"], unit=unit, text=NEW_THAI)
    online.refresh_from_db()
    assert online.status == ContentVariant.Status.TRANSLATED  # a draft again, waiting for review
    assert online.published == approved
    body = _public_body(item)
    assert THAI[SENTENCE] in body and NEW_THAI not in body  # the public still reads the approved text
    page = _public_page(item)
    assert THAI[SENTENCE] in page and NEW_THAI not in page
    assert [lang.bcp47 for lang in selectors.public_languages(item)] == ["vi", "th"]

    services.variant_approve(user=users["thamdinh"], variant=online)
    online.refresh_from_db()
    assert online.published.number > approved.number
    assert NEW_THAI in _public_body(item) and THAI[SENTENCE] not in _public_body(item)
    assert NEW_THAI in _public_page(item)


def test_the_editor_says_which_version_is_online(login, users, online):
    unit = online.units.get(segment__text=SENTENCE)
    services.unit_save(user=users["dichthuat"], unit=unit, text=NEW_THAI)
    page = login("dichthuat").get(f"/content/variants/{online.pk}/").content.decode()
    assert "is online" in page and "public page keeps version" in page


def test_reopening_keeps_it_online_and_taking_offline_needs_a_reason(item, users, online):
    services.variant_reopen(user=users["thamdinh"], variant=online)
    assert THAI[SENTENCE] in _public_body(item)
    with pytest.raises(ValidationError):
        services.variant_take_offline(user=users["thamdinh"], variant=online, comment="  ")
    assert THAI[SENTENCE] in _public_body(item)
    services.variant_take_offline(user=users["thamdinh"], variant=online, comment="Sai tên cơ quan")
    with pytest.raises(ContentVariant.DoesNotExist):
        selectors.public_variant(slug=item.slug, language="th")
    assert _public_page(item).startswith("HTTP 404")
    with pytest.raises(ValidationError):  # nothing left to take offline
        services.variant_take_offline(user=users["thamdinh"], variant=online, comment="Lần nữa")


def test_publishing_again_holds_back_a_translation_of_an_older_source(item, users, online):
    """Only a draft's source can change: returned, edited and published again, the item does not put
    the translation of its previous text online."""
    services.item_transition(user=users["dieuphoi"], item=item, action="withdraw", comment="Sửa số liệu")
    services.item_transition(user=users["bientap"], item=item, action="reopen")
    item.refresh_from_db()
    source = item.variants.get(is_source=True)
    services.item_update(
        user=users["bientap"], item=item, version=item.version, body=source.body.replace("tập huấn", "bồi dưỡng")
    )
    item.refresh_from_db()
    publish(item, users)
    online.refresh_from_db()
    assert online.published is None and online.units.filter(outdated=True).exists()
    with pytest.raises(ContentVariant.DoesNotExist):
        selectors.public_variant(slug=item.slug, language="th")
    assert "source changed" in item.events.filter(to_state="published").last().comment
