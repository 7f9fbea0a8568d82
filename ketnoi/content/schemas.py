from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from ketnoi.core.validation import Id


class VariantBrief(Schema):
    id: int
    language: str = Field(..., alias="language.bcp47")
    is_source: bool
    status: str
    title: str


class ItemOut(Schema):
    id: int
    slug: str
    kind: str
    priority: str
    state: str
    source_language: str = Field(..., alias="source_language.bcp47")
    owner_unit: str | None = Field(None, alias="owner_unit.code")
    author: str = Field(..., alias="author.username")
    section: str | None = Field(None, alias="section.code")
    topics: list[str]
    source: str
    title: str
    summary: str
    body: str
    event_start: dt.datetime | None
    event_end: dt.datetime | None
    event_place: str
    publish_at: dt.datetime | None
    published_at: dt.datetime | None
    version: int
    variants: list[VariantBrief]

    @staticmethod
    def resolve_topics(obj):
        return [t.code for t in obj.topics.all()]

    @staticmethod
    def _source(obj):
        return next((v for v in obj.variants.all() if v.is_source), None)

    @staticmethod
    def resolve_title(obj):
        source = ItemOut._source(obj)
        return source.title if source else ""

    @staticmethod
    def resolve_summary(obj):
        source = ItemOut._source(obj)
        return source.summary if source else ""

    @staticmethod
    def resolve_body(obj):
        source = ItemOut._source(obj)
        return source.body if source else ""

    @staticmethod
    def resolve_variants(obj):
        return list(obj.variants.all())


class ItemIn(Schema):
    kind: str = "news"
    title: str
    summary: str = ""
    body: str = ""
    source_language: str = "vi"
    owner_unit: str | None = Field(None, description="Code of a current province or commune; empty for central")
    priority: str = "normal"
    section: str | None = None
    topics: list[str] = []
    source: str = ""
    ethnic_group: str | None = Field(None, description="1979 code of the ethnic group (profiles)")
    target_languages: list[str] = []
    target_groups: list[str] = []
    target_units: list[str] = []
    related_tasks: list[Id] = []
    event_start: dt.datetime | None = None
    event_end: dt.datetime | None = None
    event_place: str = ""


class ItemPatch(Schema):
    version: int
    kind: str | None = None
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    priority: str | None = None
    section: str | None = None
    topics: list[str] | None = None
    source: str | None = None
    ethnic_group: str | None = None
    target_languages: list[str] | None = None
    target_groups: list[str] | None = None
    target_units: list[str] | None = None
    related_tasks: list[Id] | None = None
    event_start: dt.datetime | None = None
    event_end: dt.datetime | None = None
    event_place: str | None = None


class TransitionIn(Schema):
    action: str
    comment: str = ""
    publish_at: dt.datetime | None = None


class VariantIn(Schema):
    language: str


class JobOut(Schema):
    translator: str | None = Field(None, alias="translator.username")
    reviewer: str | None = Field(None, alias="reviewer.username")
    due_date: dt.date | None


class VariantOut(Schema):
    id: int
    item: int = Field(..., alias="item_id")
    language: str = Field(..., alias="language.bcp47")
    is_source: bool
    status: str
    title: str
    summary: str
    body: str
    version: int
    job: JobOut | None = None

    @staticmethod
    def resolve_job(obj):
        return getattr(obj, "job", None) if not obj.is_source else None


class JobIn(Schema):
    translator: str | None = Field(None, description="username")
    reviewer: str | None = Field(None, description="username")
    due_date: dt.date | None = None


class SegmentOut(Schema):
    id: int
    field: str
    index: int
    block: int
    text: str


class UnitOut(Schema):
    id: int
    field: str
    index: int
    source: str
    source_when_translated: str = Field(..., alias="source_text")
    text: str
    state: str
    outdated: bool
    origin: str
    needs_post_editing: bool
    translator: str | None = Field(None, alias="translator.username")
    reviewer: str | None = Field(None, alias="reviewer.username")
    version: int

    @staticmethod
    def resolve_source(obj):
        return obj.segment.text if obj.segment_id else obj.source_text


class UnitPatch(Schema):
    version: int = Field(..., description="The unit version you read; a stale one answers 409")
    text: str
    state: str = "translated"
    origin: str = "human"


class FindingOut(Schema):
    unit: int
    field: str
    index: int
    check: str
    severity: str
    message: str
    start: int
    end: int
    text: str
    blocking: bool
    overridden: bool


class OverrideIn(Schema):
    check_id: str
    found_text: str = ""
    reason: str


class OverrideOut(Schema):
    id: int
    unit: int = Field(..., alias="unit_id")
    check_id: str
    found_text: str
    reason: str
    user: str = Field(..., alias="user.username")
    at: dt.datetime


class ImportOut(Schema):
    changed: int
