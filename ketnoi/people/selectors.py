"""Read queries for ethnic groups and languages (public reference data)."""

from __future__ import annotations

import functools
import shutil
import subprocess

from django.conf import settings
from django.db.models import QuerySet

from ketnoi.core.text import fold

from .models import EthnicGroup, EthnicGroupSet, Language


def ethnic_group_search(*, query: str = "", set_code: str | None = None) -> QuerySet[EthnicGroup]:
    groups = EthnicGroup.objects.select_related("language_group")
    if set_code:
        groups = groups.filter(sets__code=set_code)
    for word in fold(query).split():
        groups = groups.filter(search_key__contains=word)
    return groups.order_by("code_1979")


def ethnic_group_get(*, code: str) -> EthnicGroup:
    return EthnicGroup.objects.select_related("language_group").get(code_1979=code)


def group_set_list() -> QuerySet[EthnicGroupSet]:
    return EthnicGroupSet.objects.prefetch_related("members")


def language_search(*, query: str = "", vov4: bool | None = None) -> QuerySet[Language]:
    languages = Language.objects.prefetch_related("ethnic_groups")
    if vov4 is not None:
        languages = languages.filter(vov4=vov4)
    for word in fold(query).split():
        languages = languages.filter(search_key__contains=word)
    return languages.order_by("sort_key")


@functools.lru_cache(maxsize=1)
def installed_voices() -> frozenset[str]:
    """Voices espeak-ng offers on this machine; empty when espeak-ng is not installed."""
    binary = shutil.which(settings.KETNOI_ESPEAK_BINARY)
    if not binary:
        return frozenset()
    try:
        output = subprocess.run([binary, "--voices"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    voices = set()
    for line in output.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 4:
            voices.add(parts[1])
            voices.add(parts[3].split("/")[-1])
    return frozenset(voices)


def has_voice(language: Language) -> bool:
    return bool(language.espeak_voice) and language.espeak_voice in installed_voices()
