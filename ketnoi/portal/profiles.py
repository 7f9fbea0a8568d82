"""Profiles of the 54 ethnic groups, written for Kết Nối in Vietnamese and English (data/*.json).

A profile in another language falls back to English for languages not spoken by any of Vietnam's
ethnic groups (foreign readers) and to Vietnamese otherwise; the page says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
PROFILE_LANGUAGES = ("vi", "en")


@cache
def _load(language: str) -> dict:
    return json.loads((DATA / f"group_profiles_{language}.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Profile:
    code: str
    name: str
    paragraphs: list[str]
    language: str  # the language the text is in
    fallback: bool  # True when shown in place of a missing translation


def profile_language(requested: str, *, foreign: bool) -> str:
    if requested in PROFILE_LANGUAGES:
        return requested
    return "en" if foreign else "vi"


def profile_codes() -> list[str]:
    return sorted(_load("vi")["groups"])


def profile(code: str, requested: str, *, foreign: bool = False) -> Profile | None:
    language = profile_language(requested, foreign=foreign)
    entry = _load(language)["groups"].get(code)
    if entry is None:
        return None
    return Profile(code, entry["name"], list(entry["paragraphs"]), language, language != requested)


def source_note(language: str) -> str:
    return _load(language)["note"]
