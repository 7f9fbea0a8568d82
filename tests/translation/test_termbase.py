"""The preloaded termbase and term hits in texts."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from ketnoi.core.models import AuditEntry
from ketnoi.people.models import EthnicGroup
from ketnoi.translation import termbase
from ketnoi.translation.loaders import load_termbase
from ketnoi.translation.models import Concept, Term


def test_load_termbase_is_idempotent_and_audited_once(db):
    # `ketnoi load-reference` (run for the test database) has loaded it once already.
    assert Term.objects.count() > 300 and Concept.objects.count() > 100
    imports = AuditEntry.objects.filter(model="translation.term", action="import").count()
    assert not AuditEntry.objects.filter(model="translation.term", action="create").exists()
    second = load_termbase()
    assert (second.concepts_created, second.terms_created, second.terms_updated) == (0, 0, 0)
    assert second.terms_unchanged > 300
    assert AuditEntry.objects.filter(model="translation.term", action="import").count() == imports


def test_preloaded_content(loaded_termbase):
    languages = set(Term.objects.values_list("language__bcp47", flat=True))
    assert languages == {"vi", "en", "th", "lo", "km"}
    groups = Concept.objects.filter(domain="ethnic_group")
    assert groups.count() == 54 == EthnicGroup.objects.count()
    for group in EthnicGroup.objects.all():
        concept = groups.get(code=f"ethnic-group-{group.code_1979}")
        assert concept.terms.filter(language__bcp47="vi", text=group.name_vi, status="preferred").exists()
        assert concept.terms.filter(language__bcp47="en", status="preferred").exists()
    for vi in [
        "Bộ trưởng",
        "Thứ trưởng",
        "Chủ nhiệm",
        "Phó Chủ nhiệm",
        "Quyết định",
        "Nghị quyết",
        "Nghị định",
        "Thông tư",
        "Kết luận",
        "Chỉ thị",
        "Công văn",
        "thông tin đối ngoại",
        "tuyên truyền",
        "thi đua, khen thưởng",
        "người có uy tín",
        "thôn đặc biệt khó khăn",
        "thông tin cơ sở",
        "Ủy ban Dân tộc",
        "Bộ Dân tộc và Tôn giáo",
    ]:
        term = Term.objects.get(language__bcp47="vi", text=vi)
        assert term.concept.terms.filter(language__bcp47="en").exists(), vi
    assert Term.objects.get(language__bcp47="en", text="QD").status == "forbidden"
    assert Term.objects.get(language__bcp47="vi", text="QĐ").status == "do_not_translate"
    assert Term.objects.get(language__bcp47="vi", text="Mèo").status == "forbidden"
    assert Term.objects.get(language__bcp47="th", text="รัฐมนตรี").concept.code == "title-bo-truong"


def test_hits_find_terms_with_positions_into_the_given_text(loaded_termbase):
    text = "Phó Chủ nhiệm Ủy ban Dân tộc ký Quyết định 752/QĐ-TTg về thông tin cơ sở."
    hits = termbase.hits(text=text, source_lang="vi", target_lang="en")
    found = [(h.text, h.status) for h in hits]
    assert found == [
        ("Phó Chủ nhiệm", "preferred"),
        ("Ủy ban Dân tộc", "preferred"),
        ("Quyết định", "preferred"),
        ("QĐ", "do_not_translate"),
        ("TTg", "do_not_translate"),
        ("thông tin cơ sở", "preferred"),
    ]
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text
    assert [t.text for t in hits[0].targets][0] == "Vice Chairman"
    assert hits[0].targets[0].status == "preferred"
    assert {t.text for t in hits[3].targets} == {"QĐ", "QD"}
    assert [t.status for t in hits[3].targets] == ["do_not_translate", "forbidden"]


def test_hits_are_tone_mark_and_unicode_form_aware_but_not_diacritic_blind(loaded_termbase):
    decomposed = unicodedata.normalize("NFD", "Cuộc họp của ")
    text = decomposed + "Uỷ ban nhân dân xã"  # old-style tone mark placement
    [hit] = termbase.hits(text=text, source_lang="vi", target_lang="en")
    assert hit.term == "Ủy ban nhân dân" and text[hit.start : hit.end] == "Uỷ ban nhân dân"
    assert hit.start == len(decomposed)
    assert termbase.hits(text="uy ban nhan dan", source_lang="vi", target_lang="en") == []


def test_one_word_names_match_only_with_their_capitals(loaded_termbase):
    hits = termbase.hits(text="Người Hoa trồng hoa; con mèo và người Mèo", source_lang="vi", target_lang="en")
    assert [(h.text, h.status) for h in hits] == [("Hoa", "preferred"), ("Mèo", "forbidden")]
    assert [t.text for t in hits[0].targets] == ["Hoa"]


def test_multi_word_terms_match_across_line_breaks_and_case(loaded_termbase):
    hits = termbase.hits(text="THÔNG TIN\nCƠ SỞ", source_lang="vi", target_lang="th")
    assert [h.term for h in hits] == ["thông tin cơ sở"]


def test_unknown_language_in_hits(loaded_termbase):
    with pytest.raises(ValidationError) as exc:
        termbase.hits(text="x", source_lang="vi", target_lang="tlh")
    assert "tlh" in str(exc.value)


def test_adapter_for_the_qa_checks(loaded_termbase):
    adapter = termbase.TermbaseAdapter()
    vi_terms = adapter.terms_for("vi")
    assert any(t.text == "Bộ trưởng" and t.status == "preferred" and t.language == "vi" for t in vi_terms)
    concept_id = next(t.concept_id for t in vi_terms if t.text == "QĐ")
    assert [(t.text, t.status) for t in adapter.equivalents(concept_id, "en")] == [
        ("QĐ", "do_not_translate"),
        ("QD", "forbidden"),
    ]
    assert adapter.equivalents(concept_id, "th")[0].language == "th"


def test_cache_follows_termbase_changes(loaded_termbase, users):
    from ketnoi.people.models import Language
    from ketnoi.translation import services

    assert termbase_hits("cán bộ văn hóa xã") == []
    concept = Concept.objects.create(code="can-bo-van-hoa")
    services.term_create(
        user=users["admin"], concept=concept, language=Language.objects.get(bcp47="vi"), text="cán bộ văn hóa"
    )
    assert termbase_hits("cán bộ văn hóa xã") == ["cán bộ văn hóa"]
    with pytest.raises(ValidationError):
        services.term_create(
            user=users["admin"], concept=concept, language=Language.objects.get(bcp47="vi"), text="Cán bộ văn hoá"
        )


def termbase_hits(text):
    return [h.text for h in termbase.hits(text=text, source_lang="vi", target_lang="en")]
