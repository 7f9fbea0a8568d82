"""Profiles of all 54 ethnic groups, written for the product in Vietnamese and English."""

import csv
import json
from pathlib import Path

import pytest

from ketnoi.portal import profiles

from .conftest import shown

DATA = Path(profiles.__file__).resolve().parent / "data"
GROUPS = list(csv.DictReader((Path(profiles.__file__).parents[1] / "people/data/ethnic_groups.csv").open()))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_group_has_a_profile_of_three_to_five_sentences(language):
    data = json.loads((DATA / f"group_profiles_{language}.json").read_text(encoding="utf-8"))
    assert data["language"] == language
    assert set(data["groups"]) == {g["code_1979"] for g in GROUPS}
    assert len(data["groups"]) == 54
    texts = set()
    for code, entry in data["groups"].items():
        assert 3 <= len(entry["paragraphs"]) <= 5, code
        texts.add(entry["paragraphs"][0])
    assert len(texts) == 54  # each text is about its own group


@pytest.mark.parametrize("language,sep", [("vi", "."), ("en", ",")])
def test_profiles_state_the_2019_census_population(language, sep):
    data = json.loads((DATA / f"group_profiles_{language}.json").read_text(encoding="utf-8"))
    for group in GROUPS:
        population = f"{int(group['population_2019']):,}".replace(",", sep)
        text = " ".join(data["groups"][group["code_1979"]]["paragraphs"])
        assert population in text, (group["code_1979"], population)
        assert group["name_vi"] in text or group["code_1979"] == "01", group["code_1979"]


def test_profile_pages_for_all_54_groups_in_vi_and_en(client):
    for group in GROUPS:
        code = group["code_1979"]
        vi = client.get(f"/p/vi/dan-toc/{code}/")
        en = client.get(f"/p/en/dan-toc/{code}/")
        assert vi.status_code == 200 and en.status_code == 200, code
        assert group["name_vi"] in vi.content.decode()
        assert profiles.profile(code, "en").paragraphs[0].replace("'", "&#x27;") in en.content.decode()
        assert "not yet available" not in en.content.decode()
    assert client.get("/p/vi/dan-toc/99/").status_code == 404


def test_profile_list_shows_all_groups(client):
    page = client.get("/p/en/dan-toc/").content.decode()
    for group in GROUPS:
        assert f"/p/en/dan-toc/{group['code_1979']}/" in page
    assert "1,845,492" in page  # Tày, grouped the English way
    assert "1.845.492" in client.get("/p/vi/dan-toc/").content.decode()


def test_profile_in_another_language_falls_back_with_a_note(client, make_item):
    make_item("tin-thai", {"th": ("ข่าว", "", "<p>ข่าว</p>")})
    make_item("tin-mong", {"hmn": ("Xov xwm", "", "<p>Xov xwm</p>")})
    thai = client.get("/p/th/dan-toc/08/").content.decode()
    # Thai is not spoken by a group of Vietnam: English text, marked with its language.
    note = "This profile is not yet available in this language. It is shown in another language (%(shown)s)."
    assert shown("th", note, shown="English").split("(")[0].strip() in thai
    assert '<div class="body" lang="en">' in thai and profiles.profile("08", "en").paragraphs[0] in thai
    mong = client.get("/p/hmn/dan-toc/08/").content.decode()
    # Hmong readers live in Vietnam: Vietnamese text.
    assert '<div class="body" lang="vi">' in mong and profiles.profile("08", "vi").paragraphs[0] in mong


def test_published_group_profile_articles_are_linked(client, make_item, hidden_items):
    from ketnoi.people.models import EthnicGroup

    mong = EthnicGroup.objects.get(code_1979="08")
    make_item("nguoi-mong", {"vi": ("Người Mông ở Hà Giang", "", "<p>a</p>")}, kind="group_profile", ethnic_group=mong)
    make_item(
        "nguoi-mong-nhap",
        {"vi": ("Bản nháp về người Mông", "", "<p>b</p>")},
        kind="group_profile",
        ethnic_group=mong,
        state="draft",
    )
    page = client.get("/p/vi/dan-toc/08/").content.decode()
    assert "/p/vi/tin-tuc/nguoi-mong/" in page and "Bản nháp" not in page
