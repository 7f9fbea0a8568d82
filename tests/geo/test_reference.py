"""Reference data as loaded from vietnamadminunits and the shipped CSV files."""

from django.db.models import Count

from ketnoi.geo.models import AdminUnit, UnitSuccession
from ketnoi.geo.selectors import classification_of, unit_search
from ketnoi.reference import load_reference
from ketnoi.stats import collect_stats


def test_counts_of_both_structures(db):
    stats = collect_stats()
    assert stats["provinces"] == 34
    assert stats["communes"] == 3321
    assert stats["legacy_provinces"] == 63
    assert stats["legacy_districts"] == 696
    assert stats["legacy_communes"] == 10035
    assert stats["ethnic_groups"] == 54
    assert stats["languages"] >= 21


def test_current_commune_types_match_the_2025_reform(db):
    types = dict(
        AdminUnit.objects.filter(structure="current", level="commune").values_list("unit_type").annotate(n=Count("id"))
    )
    assert types == {"Xã": 2621, "Phường": 687, "Đặc khu": 13}


def test_units_have_parents_validity_and_centroids(db, unit):
    ta_van = unit("03037")
    assert ta_van.parent == unit("15") == ta_van.province
    assert ta_van.valid_from.isoformat() == "2025-07-01" and ta_van.valid_to is None
    assert ta_van.latitude and ta_van.longitude
    legacy = unit("03040", "legacy")
    assert legacy.parent.level == "district" and legacy.province.level == "province"
    assert legacy.valid_to.isoformat() == "2025-06-30"


def test_every_legacy_commune_has_a_successor_and_every_commune_a_predecessor(db):
    assert not AdminUnit.objects.filter(structure="legacy", level="commune", successions__isnull=True).exists()
    assert not AdminUnit.objects.filter(structure="current", level="commune", predecessions__isnull=True).exists()
    # A divided legacy commune has several successors, exactly one of them the main one.
    divided = UnitSuccession.objects.filter(divided=True).values("legacy").annotate(n=Count("id")).filter(n__gt=1)
    assert divided.exists()
    legacy_id = divided.order_by("legacy")[0]["legacy"]
    assert UnitSuccession.objects.filter(legacy_id=legacy_id, is_default=True).count() == 1


def test_second_load_changes_nothing(db):
    summary = load_reference(log=lambda *a: None)
    assert all(result.created == 0 and result.updated == 0 for result in summary.values()), summary


def test_search_ignores_diacritics_and_case(db):
    names = [u.name for u in unit_search(query="lao cai", level="province")]
    assert names == ["Tỉnh Lào Cai"]
    assert "Xã Tả Van" in [u.name for u in unit_search(query="TA VAN")]
    assert "Tỉnh Đắk Lắk" in [u.name for u in unit_search(query="dak lak", level="province")]


def test_search_results_follow_vietnamese_collation(db):
    names = [u.short_name for u in unit_search(query="", level="province")]
    assert names.index("Cần Thơ") < names.index("Đà Nẵng") < names.index("Đắk Lắk") < names.index("Điện Biên")
    assert names.index("Đồng Tháp") < names.index("Gia Lai")


def test_current_commune_shows_every_classification_part_through_the_crosswalk(db, unit):
    parts = classification_of(unit=unit("03037"))
    areas = {part.area for part in parts if part.period.code == "demo-2021-2025"}
    assert len(parts) >= 2 and len(areas) >= 2  # a merged commune may hold parts of several classes
    legacy_codes = {part.legacy_commune.code for part in parts}
    predecessors = set(unit("03037").predecessions.values_list("legacy__code", flat=True))
    assert legacy_codes <= predecessors


def test_units_are_inserted_with_their_parents_not_patched_afterwards(db, monkeypatch):
    """Issue 7.12: parents are resolved in memory before the insert; no CASE-per-row bulk_update of parents."""
    from ketnoi.geo import loaders
    from ketnoi.geo.models import AdminUnit

    commune = AdminUnit.objects.filter(structure="current", level="commune").first()
    legacy = AdminUnit.objects.filter(structure="legacy", level="commune").first()
    parents = {commune.pk: (commune.parent_id, commune.province_id), legacy.pk: (legacy.parent_id, legacy.province_id)}
    AdminUnit.objects.filter(pk__in=parents).update(parent=None)  # as if never linked
    created = []
    original = AdminUnit.objects.bulk_create

    def spy(objs, *args, **kwargs):
        created.extend(objs)
        return original(objs, *args, **kwargs)

    updated_fields = []
    original_update = AdminUnit.objects.bulk_update

    def spy_update(objs, fields, *args, **kwargs):
        updated_fields.append((len(list(objs)), tuple(fields)))
        return original_update(objs, fields, *args, **kwargs)

    monkeypatch.setattr(AdminUnit.objects, "bulk_create", spy)
    monkeypatch.setattr(AdminUnit.objects, "bulk_update", spy_update)
    results = loaders.load_admin_units()
    for pk, (parent_id, province_id) in parents.items():
        unit = AdminUnit.objects.get(pk=pk)
        assert (unit.parent_id, unit.province_id) == (parent_id, province_id)
    # exactly the two unlinked rows are updated, through the regular upsert, counted as updates
    assert sum(n for n, _fields in updated_fields) == 2
    assert results["communes"].updated == 1 and results["legacy_communes"].updated == 1
    assert created == []
