from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from ketnoi.core.api import Page

from . import selectors
from .models import EthnicGroup

router = Router(tags=["ethnic groups and languages"])


class GroupRef(Schema):
    code_1979: str
    name_vi: str


class EthnicGroupOut(Schema):
    code_1979: str
    code_2008: str
    name_vi: str
    name_1979: str
    name_en: str
    aliases: list[str]
    population_2019: int | None
    population_rank_2019: int | None
    language_group: str | None
    is_minority: bool
    sets: list[str]

    @staticmethod
    def resolve_language_group(obj):
        return obj.language_group.code if obj.language_group_id else None

    @staticmethod
    def resolve_sets(obj):
        return [s.code for s in obj.sets.all()]


class GroupSetOut(Schema):
    code: str
    name_vi: str
    name_en: str
    decision: str
    valid_from: str | None
    valid_to: str | None
    members: list[str]

    @staticmethod
    def resolve_members(obj):
        return [g.code_1979 for g in obj.members.all()]

    @staticmethod
    def resolve_valid_from(obj):
        return obj.valid_from.isoformat() if obj.valid_from else None

    @staticmethod
    def resolve_valid_to(obj):
        return obj.valid_to.isoformat() if obj.valid_to else None


class LanguageOut(Schema):
    iso639_3: str
    bcp47: str
    name_vi: str
    name_en: str
    name_th: str
    scripts: list[str]
    ethnic_groups: list[GroupRef]
    vov4: bool
    speech_voice: bool

    @staticmethod
    def resolve_ethnic_groups(obj):
        return list(obj.ethnic_groups.all())

    @staticmethod
    def resolve_speech_voice(obj):
        return selectors.has_voice(obj)


@router.get("/ethnic-groups", response=list[EthnicGroupOut])
@paginate(Page)
def list_ethnic_groups(request, q: str = "", set: str | None = None):  # noqa: A002
    return selectors.ethnic_group_search(query=q, set_code=set).prefetch_related("sets")


@router.get("/ethnic-groups/{code}", response=EthnicGroupOut)
def get_ethnic_group(request, code: str):
    return get_object_or_404(EthnicGroup.objects.select_related("language_group"), code_1979=code)


@router.get("/ethnic-group-sets", response=list[GroupSetOut])
def list_group_sets(request):
    return list(selectors.group_set_list())


@router.get("/languages", response=list[LanguageOut])
@paginate(Page)
def list_languages(request, q: str = "", vov4: bool | None = None):
    return selectors.language_search(query=q, vov4=vov4)
