"""The reference loaders' upsert: created, updated and unchanged rows, on both insert paths."""

from ketnoi.core import loading
from ketnoi.people.models import LanguageGroup


def test_upsert_inserts_with_defaults_then_updates_only_what_changed(db):
    rows = [{"code": f"t{i}", "name_vi": f"Nhóm {i}", "name_en": f"Group {i}"} for i in range(3)]
    first = loading.upsert(LanguageGroup, ("code",), rows)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    again = loading.upsert(
        LanguageGroup, ("code",), [*rows[:2], {"code": "t2", "name_vi": "Nhóm hai", "name_en": "Group 2"}]
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    group = LanguageGroup.objects.get(code="t2")
    assert (group.name_vi, group.family_vi) == ("Nhóm hai", "")


def test_the_fast_insert_fills_constant_defaults_and_declines_timestamped_models(db):
    from ketnoi.geo.models import AdminUnit, UnitSuccession, Village

    legacy = AdminUnit.objects.filter(level="commune", structure="legacy").first()
    current = AdminUnit.objects.filter(level="commune", structure="current").last()
    UnitSuccession.objects.filter(legacy=legacy, current=current).delete()
    assert loading._insert_rows(UnitSuccession, [{"legacy_id": legacy.pk, "current_id": current.pk}]) is True
    link = UnitSuccession.objects.get(legacy=legacy, current=current)
    assert link.divided is False and link.is_default == UnitSuccession._meta.get_field("is_default").default
    row = {"commune_id": current.pk, "name": "Thôn Mới", "search_key": "", "sort_key": ""}
    assert loading._insert_rows(Village, [row]) is False  # created_at/updated_at: left to bulk_create
    assert not Village.objects.filter(name="Thôn Mới").exists()
