from ketnoi.people.models import EthnicGroup, EthnicGroupSet, Language
from ketnoi.people.selectors import ethnic_group_search, has_voice, installed_voices


def test_fifty_four_groups_with_both_code_lists_and_census_population(db):
    assert EthnicGroup.objects.count() == 54
    kinh = EthnicGroup.objects.get(code_1979="01")
    assert kinh.code_2008 == "01" and kinh.population_2019 == 82085826 and not kinh.is_minority
    minorities = EthnicGroup.objects.filter(is_minority=True)
    assert minorities.count() == 53
    assert sum(g.population_2019 for g in minorities) == 14119256
    # The two lists number groups differently: Hoa is 04 in 1979 and 06 in 2008.
    hoa = EthnicGroup.objects.get(name_vi="Hoa")
    assert (hoa.code_1979, hoa.code_2008) == ("04", "06")


def test_group_sets_of_decision_1227(db):
    sets = {s.code: s for s in EthnicGroupSet.objects.all()}
    assert sets["1227-2021-kho-khan"].members.count() == 32
    assert sets["1227-2021-dac-thu"].members.count() == 14
    assert sets["1227-2021-dac-thu"].valid_to.year == 2025


def test_aliases_are_searchable(db):
    assert [g.name_vi for g in ethnic_group_search(query="hmong")] == ["Mông"]
    assert "Gia Rai" in [g.name_vi for g in ethnic_group_search(query="jrai")]


def test_languages_cover_vov4_and_required_ones(db):
    codes = set(Language.objects.values_list("bcp47", flat=True))
    assert {"vi", "en", "th", "lo", "km", "zh"} <= codes
    assert Language.objects.filter(vov4=True).count() == 12
    for name in ("Tày", "Nùng", "Mường"):
        assert Language.objects.filter(name_vi__icontains=name).exists()
    thai = Language.objects.get(bcp47="th")
    assert thai.name_th and "Thai" in thai.scripts


def test_speech_voice_reflects_the_machine(db):
    vietnamese = Language.objects.get(bcp47="vi")
    assert has_voice(vietnamese) == ("vi" in installed_voices())
    assert not has_voice(
        Language.objects.exclude(espeak_voice="").exclude(espeak_voice__in=installed_voices()).first()
        or Language(espeak_voice="")
    )
