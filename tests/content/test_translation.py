"""Language variants, segment alignment and outdated units, the translation services, MT, XLIFF."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ketnoi.content import selectors, services
from ketnoi.content.models import ContentVariant, TranslationJob, TranslationUnit
from ketnoi.core.importing import ImportFailed
from ketnoi.translation import memory
from ketnoi.translation.models import TMEntry

THAI = {
    "Tin thử nghiệm": "ข่าวทดลอง",
    "Một bản tin ngắn.": "ข่าวสั้นหนึ่งฉบับ",
    "Chương trình hỗ trợ đồng bào vùng cao tiếp cận thông tin.": "โครงการช่วยเหลือพี่น้องบนพื้นที่สูงให้เข้าถึงข้อมูลข่าวสาร",
    "Cán bộ xã được tập huấn viết tin ngắn.": "เจ้าหน้าที่ตำบลได้รับการอบรมการเขียนข่าวสั้น",
    "Loa truyền thanh được sửa chữa.": "ลำโพงกระจายเสียงได้รับการซ่อมแซม",
    "Bản tin phát hai lần mỗi ngày.": "ข่าวออกอากาศวันละสองครั้ง",
}


@pytest.fixture
def thai(item, users):
    return services.variant_add(user=users["bientap"], item=item, language="th")


def _translate_all(variant, user, table=THAI):
    for unit in variant.units.select_related("segment"):
        services.unit_save(user=user, unit=unit, text=table[unit.segment.text])


def test_variant_add_creates_units_and_job(item, thai):
    assert thai.status == "in_translation" and not thai.is_source
    assert thai.units.count() == selectors.source_variant(item).segments.count() == 6
    assert set(thai.units.values_list("state", flat=True)) == {"untranslated"}
    assert TranslationJob.objects.filter(target=thai).exists()


@pytest.mark.parametrize("code", ["xx", "", "klingon"])
def test_unknown_language_codes_are_named(item, users, code):
    with pytest.raises(ValidationError) as exc:
        services.variant_add(user=users["bientap"], item=item, language=code)
    assert "language" in exc.value.message_dict
    assert ContentVariant.objects.filter(item=item).count() == 1


def test_any_language_of_the_table_and_iso_639_3(item, users):
    assert services.variant_add(user=users["bientap"], item=item, language="hmn").language.name_en == "Hmong"
    assert services.variant_add(user=users["bientap"], item=item, language="khm").language.bcp47 == "km"
    with pytest.raises(ValidationError):
        services.variant_add(user=users["bientap"], item=item, language="km")  # already there


def test_only_changed_segments_become_outdated(item, thai, users):
    _translate_all(thai, users["dichthuat"])
    source = selectors.source_variant(item)
    body = source.body.replace("Cán bộ xã được tập huấn viết tin ngắn.", "Cán bộ xã được tập huấn hai ngày.")
    body = body.replace(
        "<li>Loa truyền thanh được sửa chữa.</li>", "<li>Loa mới được lắp.</li><li>Loa truyền thanh được sửa chữa.</li>"
    )
    services.item_update(user=users["bientap"], item=item, version=item.version, body=body)
    units = {u.segment.text: u for u in thai.units.select_related("segment")}
    changed = units["Cán bộ xã được tập huấn hai ngày."]
    assert changed.outdated and changed.text == THAI["Cán bộ xã được tập huấn viết tin ngắn."]
    assert changed.source_text == "Cán bộ xã được tập huấn viết tin ngắn."  # the source as it was when translated
    new = units["Loa mới được lắp."]
    assert new.state == "untranslated" and not new.outdated
    unchanged = [
        u for text, u in units.items() if text not in ("Cán bộ xã được tập huấn hai ngày.", "Loa mới được lắp.")
    ]
    assert len(unchanged) == 5 and not any(u.outdated for u in unchanged)
    assert all(u.text == THAI[u.segment.text] for u in unchanged)
    assert [(u.field, u.index) for u in selectors.units_of(thai)] == [
        ("title", 0),
        ("summary", 0),
        ("body", 0),
        ("body", 1),
        ("body", 2),
        ("body", 3),
        ("body", 4),
    ]
    thai.refresh_from_db()
    assert thai.status == "in_translation"
    # saving the translation again clears the flag and takes the current source
    services.unit_save(user=users["dichthuat"], unit=changed, text="เจ้าหน้าที่ตำบลได้รับการอบรมสองวัน")
    changed.refresh_from_db()
    assert not changed.outdated and changed.source_text == "Cán bộ xã được tập huấn hai ngày."


def test_deleted_source_sentence_drops_its_unit(item, thai, users):
    _translate_all(thai, users["dichthuat"])
    source = selectors.source_variant(item)
    body = source.body.replace("<li>Bản tin phát hai lần mỗi ngày.</li>", "")
    services.item_update(user=users["bientap"], item=item, version=item.version, body=body)
    assert thai.units.count() == 5 and not thai.units.filter(outdated=True).exists()
    thai.refresh_from_db()
    assert "ข่าวออกอากาศวันละสองครั้ง" not in thai.body and "ลำโพงกระจายเสียงได้รับการซ่อมแซม" in thai.body


def test_target_text_is_assembled_from_units(item, thai, users):
    _translate_all(thai, users["dichthuat"])
    thai.refresh_from_db()
    assert thai.title == "ข่าวทดลอง" and thai.summary == "ข่าวสั้นหนึ่งฉบับ"
    assert thai.body.startswith("<p>โครงการช่วยเหลือพี่น้อง") and "<ul><li>ลำโพงกระจายเสียงได้รับการซ่อมแซม</li>" in thai.body
    assert thai.status == "translated"
    assert " ข่าวสั้น " in thai.search_text or " ข่าว " in thai.search_text


def test_unit_states_and_roles(thai, users):
    unit = thai.units.get(field="title")
    with pytest.raises(PermissionDenied):
        services.unit_save(user=users["bientap"], unit=unit, text="x")
    services.unit_save(user=users["dichthuat"], unit=unit, text="ข่าว", state="draft")
    unit.refresh_from_db()
    assert unit.state == "draft" and unit.translator == users["dichthuat"]
    with pytest.raises(ValidationError):
        services.unit_save(user=users["dichthuat"], unit=unit, text="ข่าว", state="reviewed")
    with pytest.raises(PermissionDenied):
        services.unit_review(user=users["dichthuat"], unit=unit)
    services.unit_save(user=users["dichthuat"], unit=unit, text="")
    unit.refresh_from_db()
    assert unit.state == "untranslated"
    with pytest.raises(ValidationError):
        services.unit_review(user=users["thamdinh"], unit=unit)


def test_assignment_restricts_to_the_assigned_translator(thai, users, tq_staff):
    from ketnoi.orgs.models import User
    from ketnoi.orgs.services import role_grant

    other = User.objects.create_user("dichthuat2", password="x" * 12)
    role_grant(user=other, role="translator")
    with pytest.raises(ValidationError) as exc:
        services.job_assign(user=users["bientap"], variant=thai, translator=users["bientap"])
    assert "not a translator" in str(exc.value)
    with pytest.raises(ValidationError):  # a Tuyên Quang translator does not cover a central item
        services.job_assign(user=users["bientap"], variant=thai, translator=tq_staff["dichthuat.tq"])
    job = services.job_assign(
        user=users["bientap"], variant=thai, translator=users["dichthuat"], reviewer=users["thamdinh"]
    )
    assert job.translator == users["dichthuat"]
    with pytest.raises(PermissionDenied):
        services.unit_save(user=other, unit=thai.units.first(), text="ข่าว")
    services.unit_save(user=users["thamdinh"], unit=thai.units.first(), text="ข่าว")  # reviewers may edit


def test_reviewed_units_feed_the_memory(thai, users):
    unit = thai.units.select_related("segment").get(field="title")
    services.unit_save(user=users["dichthuat"], unit=unit, text="ข่าวทดลอง")
    services.unit_review(user=users["thamdinh"], unit=unit)
    entry = TMEntry.objects.get(source_text="Tin thử nghiệm", target_language__bcp47="th")
    assert entry.target_text == "ข่าวทดลอง" and entry.origin == "reviewed"
    assert memory.suggest(source_text="Tin thử nghiệm", source_lang="vi", target_lang="th")[0].score == 100


def test_machine_translation_only_with_a_provider(thai, users, settings, monkeypatch):
    from ketnoi.translation import machine

    unit = thai.units.get(field="title")
    settings.MT_PROVIDER = "none"
    with pytest.raises(ValidationError) as exc:
        services.unit_machine_translate(user=users["dichthuat"], unit=unit)
    assert "No machine-translation provider" in str(exc.value)

    class Fake(machine.Provider):
        name = "fake"

        def translate(self, text, source_lang, target_lang):
            return self._result(f"[{target_lang}] {text}")

    monkeypatch.setitem(machine.PROVIDERS, "fake", Fake)
    settings.MT_PROVIDER = "fake"
    unit = services.unit_machine_translate(user=users["dichthuat"], unit=unit)
    assert (unit.text, unit.origin, unit.needs_post_editing, unit.state) == ("[th] Tin thử nghiệm", "mt", True, "draft")
    with pytest.raises(ValidationError) as exc:
        services.unit_review(user=users["thamdinh"], unit=unit)
    assert "post-edited" in str(exc.value)
    unit = services.unit_save(user=users["dichthuat"], unit=unit, text="ข่าวทดลอง", origin="mt")
    unit = services.unit_save(user=users["dichthuat"], unit=unit, text="ข่าวทดลอง")
    assert not unit.needs_post_editing


def _xliff(variant, user, version="2.0"):
    return services.variant_xliff_export(user=user, variant=variant, version=version)


@pytest.mark.parametrize("version", ["2.0", "1.2"])
def test_xliff_round_trip_with_states(thai, users, version):
    data = _xliff(thai, users["dichthuat"], version).decode()
    assert "Chương trình hỗ trợ đồng bào" in data
    for source, target in THAI.items():
        data = data.replace(f"<source>{source}</source>", f"<source>{source}</source><target>{target}</target>", 1)
    if version == "2.0":
        data = data.replace('state="initial"', 'state="translated"')
    else:
        data = data.replace('<target state="needs-translation"></target>', "")
        data = data.replace('</target><target state="new"></target>', "</target>")
    changed = services.variant_xliff_import(user=users["dichthuat"], variant=thai, data=data.encode())
    assert changed == 6
    assert {u.text for u in thai.units.all()} == set(THAI.values())
    assert set(thai.units.values_list("state", flat=True)) == {"translated"}
    thai.refresh_from_db()
    assert thai.status == "translated"


def test_xliff_import_is_all_or_nothing(thai, users):
    data = _xliff(thai, users["dichthuat"]).decode()
    first = thai.units.order_by("pk").first()
    good = data.replace("<source>Tin thử nghiệm</source>", "<source>Tin thử nghiệm</source><target>ข่าว</target>")
    bad_id = good.replace(f'<unit id="{first.pk + 1}"', '<unit id="999999"')
    with pytest.raises(ValidationError) as exc:
        services.variant_xliff_import(user=users["dichthuat"], variant=thai, data=bad_id.encode())
    assert "'999999' is not a segment" in str(exc.value)
    assert not thai.units.exclude(text="").exists()
    wrong_lang = good.replace('trgLang="th"', 'trgLang="en"')
    with pytest.raises(ValidationError) as exc:
        services.variant_xliff_import(user=users["dichthuat"], variant=thai, data=wrong_lang.encode())
    assert "target language is en" in str(exc.value)
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><xliff version="2.0">&e;</xliff>'
    with pytest.raises((ImportFailed, ValidationError)):
        services.variant_xliff_import(user=users["dichthuat"], variant=thai, data=hostile)
    assert not thai.units.exclude(text="").exists()


def test_xliff_import_refuses_units_whose_source_changed(item, thai, users):
    data = _xliff(thai, users["dichthuat"]).decode()
    services.item_update(user=users["bientap"], item=item, version=item.version, title="Tựa mới")
    data = data.replace("<source>Tin thử nghiệm</source>", "<source>Tin thử nghiệm</source><target>ข่าว</target>")
    with pytest.raises(ValidationError) as exc:
        services.variant_xliff_import(user=users["dichthuat"], variant=thai, data=data.encode())
    assert "source text changed since the export" in str(exc.value)


def test_translator_imports_reviewed_state_only_as_translated(thai, users):
    data = _xliff(thai, users["dichthuat"]).decode()
    data = data.replace(
        "<source>Tin thử nghiệm</source>", "<source>Tin thử nghiệm</source><target>ข่าวทดลอง</target>", 1
    )
    unit = thai.units.get(field="title")
    data = data.replace(
        f'<unit id="{unit.pk}">\n      <segment state="initial">',
        f'<unit id="{unit.pk}">\n      <segment state="final">',
    )
    services.variant_xliff_import(user=users["dichthuat"], variant=thai, data=data.encode())
    unit.refresh_from_db()
    assert unit.text == "ข่าวทดลอง" and unit.state == TranslationUnit.State.TRANSLATED
