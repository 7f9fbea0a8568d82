"""Load ethnic groups, language groups, group sets and languages from people/data/*.csv."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from ketnoi.core.csvdata import as_date, read_rows, split_list
from ketnoi.core.loading import UpsertResult, upsert
from ketnoi.core.text import fold, vi_sort_key

from .models import EthnicGroup, EthnicGroupSet, Language, LanguageGroup

DATA_DIR = Path(__file__).resolve().parent / "data"


@transaction.atomic
def load_people(data_dir: Path = DATA_DIR) -> dict[str, UpsertResult]:
    results = {}
    results["language_groups"] = upsert(
        LanguageGroup,
        ("code",),
        (
            {
                "code": r["code"],
                "name_vi": r["name_vi"],
                "name_en": r["name_en"],
                "family_vi": r.get("family_vi", ""),
                "family_en": r.get("family_en", ""),
            }
            for r in read_rows(data_dir / "language_groups.csv")
        ),
    )
    group_ids = dict(LanguageGroup.objects.values_list("code", "id"))
    rows = []
    for r in read_rows(data_dir / "ethnic_groups.csv"):
        aliases = split_list(r.get("aliases", ""))
        names = [r["name_vi"], r.get("name_1979", ""), r.get("name_en", ""), *aliases]
        rows.append(
            {
                "code_1979": r["code_1979"].zfill(2),
                "code_2008": r["code_2008"].zfill(2) if r.get("code_2008") else "",
                "name_vi": r["name_vi"],
                "name_1979": r.get("name_1979", ""),
                "name_en": r.get("name_en", ""),
                "aliases": aliases,
                "population_2019": int(r["population_2019"]) if r.get("population_2019") else None,
                "population_rank_2019": int(r["population_rank_2019"]) if r.get("population_rank_2019") else None,
                "language_group_id": group_ids.get(r.get("language_group", "")),
                "is_minority": r.get("is_minority", "1") == "1",
                "search_key": " | ".join(dict.fromkeys(fold(n) for n in names if n)),
                "sort_key": vi_sort_key(r["name_vi"]),
            }
        )
    results["ethnic_groups"] = upsert(EthnicGroup, ("code_1979",), rows)
    ethnic_ids = dict(EthnicGroup.objects.values_list("code_1979", "id"))

    sets: dict[str, dict] = {}
    members: dict[str, set[int]] = {}
    for r in read_rows(data_dir / "group_sets.csv"):
        sets.setdefault(
            r["set_code"],
            {
                "code": r["set_code"],
                "name_vi": r["name_vi"],
                "name_en": r.get("name_en", ""),
                "decision": r.get("decision", ""),
                "valid_from": as_date(r.get("valid_from", "")),
                "valid_to": as_date(r.get("valid_to", "")),
            },
        )
        members.setdefault(r["set_code"], set()).add(ethnic_ids[r["member_code_1979"].zfill(2)])
    results["group_sets"] = upsert(EthnicGroupSet, ("code",), sets.values())
    _set_links(
        EthnicGroupSet.members.through,
        "ethnicgroupset_id",
        {pk: members[code] for code, pk in EthnicGroupSet.objects.filter(code__in=members).values_list("code", "id")},
    )

    language_rows, speakers = [], {}
    for r in read_rows(data_dir / "languages.csv"):
        names = [r["name_vi"], r["name_en"], r.get("name_th", ""), r["iso639_3"], r["bcp47"]]
        language_rows.append(
            {
                "iso639_3": r["iso639_3"],
                "bcp47": r["bcp47"],
                "name_vi": r["name_vi"],
                "name_en": r["name_en"],
                "name_th": r.get("name_th", ""),
                "scripts": split_list(r.get("scripts", "")),
                "espeak_voice": r.get("espeak_voice", ""),
                "vov4": r.get("vov4", "0") == "1",
                "notes": r.get("notes", ""),
                "search_key": " | ".join(fold(n) for n in names if n),
                "sort_key": vi_sort_key(r["name_vi"]),
            }
        )
        speakers[r["iso639_3"]] = {ethnic_ids[c.zfill(2)] for c in split_list(r.get("ethnic_groups_1979", ""))}
    results["languages"] = upsert(Language, ("iso639_3",), language_rows)
    languages = Language.objects.filter(iso639_3__in=speakers).values_list("iso639_3", "id")
    _set_links(Language.ethnic_groups.through, "language_id", {pk: speakers[code] for code, pk in languages})
    return results


def _set_links(through, owner_field: str, wanted: dict[int, set[int]]) -> None:
    """What ``owner.<many-to-many>.set(ethnic group ids)`` does for every owner in ``wanted``, with one
    read, one insert and one delete in all instead of two or three queries per owner (owners in the
    order given, as the per-owner ``set()`` calls went)."""
    existing: dict[int, set[int]] = {owner: set() for owner in wanted}
    for owner, group in through.objects.filter(**{f"{owner_field}__in": wanted}).values_list(
        owner_field, "ethnicgroup_id"
    ):
        existing[owner].add(group)
    add = [
        through(**{owner_field: owner, "ethnicgroup_id": group})
        for owner, groups in wanted.items()
        for group in groups - existing[owner]
    ]
    remove = [(owner, group) for owner, groups in existing.items() for group in groups - wanted[owner]]
    if add:
        through.objects.bulk_create(add)
    for owner, group in remove:
        through.objects.filter(**{owner_field: owner, "ethnicgroup_id": group}).delete()
