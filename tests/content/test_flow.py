"""The whole story in Python: an editor writes a Vietnamese article; a translator translates it into Thai
with a memory suggestion and a termbase hit; QA blocks a forbidden term until it is fixed; the reviewer
approves; the coordinator publishes; the Thai article is public and its sentences are in the memory."""

import pytest
from django.core.exceptions import ValidationError

from ketnoi.content import qa, selectors, services
from ketnoi.content.models import ContentVariant, QAOverride
from ketnoi.core.models import AuditEntry
from ketnoi.translation import memory
from ketnoi.translation import termbase as terms

from .test_translation import THAI

FORBIDDEN = "โครงการช่วยเหลือชาวเขาบนพื้นที่สูงให้เข้าถึงข้อมูลข่าวสาร"
SENTENCE = "Chương trình hỗ trợ đồng bào vùng cao tiếp cận thông tin."
TM_SENTENCE = "Cán bộ xã được tập huấn viết tin ngắn."


@pytest.fixture
def translated(item, users, termbase):
    """The article in Thai with the forbidden term in one sentence."""
    memory.add(source_text=TM_SENTENCE, target_text=THAI[TM_SENTENCE], source_lang="vi", target_lang="th")
    thai = services.variant_add(user=users["bientap"], item=item, language="th")
    services.job_assign(user=users["dieuphoi"], variant=thai, translator=users["dichthuat"], reviewer=users["thamdinh"])
    for unit in thai.units.select_related("segment"):
        source = unit.segment.text
        if source == TM_SENTENCE:
            suggestion = memory.suggest(source_text=source, source_lang="vi", target_lang="th")[0]
            assert suggestion.score == 100
            services.unit_save(user=users["dichthuat"], unit=unit, text=suggestion.target_text, origin="tm")
        elif source == SENTENCE:
            hit = terms.hits(text=source, source_lang="vi", target_lang="th")[0]
            assert hit.text == "đồng bào"
            assert {(t.text, t.status) for t in hit.targets} == {("พี่น้อง", "preferred"), ("ชาวเขา", "forbidden")}
            services.unit_save(user=users["dichthuat"], unit=unit, text=FORBIDDEN)  # the wrong one, for now
        else:
            services.unit_save(user=users["dichthuat"], unit=unit, text=THAI[source])
    return thai


def test_full_flow_editor_translator_qa_reviewer_publish(item, users, translated):
    thai = translated
    assert thai.units.get(segment__text=TM_SENTENCE).origin == "tm"
    # the editorial workflow of the source runs in parallel
    for user, action in (("bientap", "submit"), ("thamdinh", "appraise"), ("dieuphoi", "approve")):
        services.item_transition(user=users[user], item=item, action=action)

    with pytest.raises(ValidationError) as exc:
        services.variant_approve(user=users["thamdinh"], variant=thai)
    assert "ชาวเขา" in str(exc.value) or "forbidden" in str(exc.value).lower()
    thai.refresh_from_db()
    assert thai.status == "translated"

    bad = thai.units.get(segment__text=SENTENCE)
    services.unit_save(user=users["dichthuat"], unit=bad, text=THAI[SENTENCE])
    assert not qa.blocking(qa.run_variant(thai))
    services.variant_approve(user=users["thamdinh"], variant=thai)
    thai.refresh_from_db()
    assert thai.status == "reviewed" and set(thai.units.values_list("state", flat=True)) == {"reviewed"}

    with pytest.raises(ContentVariant.DoesNotExist):  # approved, not yet published
        selectors.public_variant(slug=item.slug, language="th")
    services.item_transition(user=users["dieuphoi"], item=item, action="publish")
    public = selectors.public_variant(slug=item.slug, language="th")
    assert public.title == "ข่าวทดลอง" and "พี่น้อง" in public.body and "ชาวเขา" not in public.body
    assert [lang.bcp47 for lang in selectors.public_languages(item)] == ["vi", "th"]
    assert [v.pk for v in selectors.public_items(language="th", query="พี่น้อง")] == [public.pk]
    suggestion = memory.suggest(source_text=SENTENCE, source_lang="vi", target_lang="th")[0]
    assert suggestion.score == 100 and suggestion.target_text == THAI[SENTENCE] and suggestion.origin == "reviewed"


def test_blocking_finding_can_be_overridden_with_an_audited_reason(item, users, translated):
    thai = translated
    bad = thai.units.get(segment__text=SENTENCE)
    finding = next(r.finding for r in qa.run_unit(bad) if r.blocking)
    with pytest.raises(ValidationError):
        services.qa_override(
            user=users["thamdinh"], unit=bad, check_id=finding.check, found_text=finding.text, reason=""
        )
    with pytest.raises(ValidationError):
        services.qa_override(user=users["thamdinh"], unit=bad, check_id="no-such-check", reason="Đã kiểm tra kỹ")
    override = services.qa_override(
        user=users["thamdinh"],
        unit=bad,
        check_id=finding.check,
        found_text=finding.text,
        reason="Tên riêng của tổ chức, giữ nguyên",
    )
    assert AuditEntry.objects.filter(model="content.qaoverride", object_pk=str(override.pk), action="create").exists()
    services.variant_approve(user=users["thamdinh"], variant=thai)
    thai.refresh_from_db()
    assert thai.status == "reviewed"
    assert QAOverride.objects.get(unit=bad).user == users["thamdinh"]


def test_publishing_holds_back_a_language_that_became_blocking(item, users, translated):
    thai = translated
    bad = thai.units.get(segment__text=SENTENCE)
    finding = next(r.finding for r in qa.run_unit(bad) if r.blocking)
    override = services.qa_override(
        user=users["thamdinh"], unit=bad, check_id=finding.check, found_text=finding.text, reason="Tạm chấp nhận"
    )
    services.variant_approve(user=users["thamdinh"], variant=thai)
    override.delete()  # the acceptance is revoked before publication
    for user, action in (("bientap", "submit"), ("thamdinh", "appraise"), ("dieuphoi", "approve")):
        services.item_transition(user=users[user], item=item, action=action)
    services.item_transition(user=users["dieuphoi"], item=item, action="publish")
    thai.refresh_from_db()
    assert thai.status == "translated"
    assert "Thai" in item.events.last().comment
    with pytest.raises(ContentVariant.DoesNotExist):
        selectors.public_variant(slug=item.slug, language="th")
    assert selectors.public_variant(slug=item.slug, language="vi")
