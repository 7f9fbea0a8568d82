import datetime as dt

from ninja import Schema
from pydantic import Field, field_validator

from ketnoi.core.text import normalize_text


class UnitRef(Schema):
    structure: str
    level: str
    code: str
    name: str


class UnitOut(Schema):
    structure: str
    level: str
    code: str
    unit_type: str
    name: str
    short_name: str
    parent: UnitRef | None = None
    province: UnitRef | None = None
    latitude: float | None = None
    longitude: float | None = None
    area_km2: float | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class CrosswalkOut(Schema):
    legacy: UnitRef
    current: UnitRef
    is_default: bool
    divided: bool


class ClassificationOut(Schema):
    period: str
    legacy_commune: UnitRef
    area: str | None
    difficult_villages: list[str]


class VillageOut(Schema):
    id: int
    commune: UnitRef
    name: str
    kind: str
    code: str
    population: int | None
    households: int | None
    minority_households: int | None
    notes: str


class VillageIn(Schema):
    commune_code: str = Field(min_length=1, max_length=10)
    name: str = Field(min_length=1, max_length=200)
    kind: str = "thon"
    code: str = ""
    population: int | None = Field(default=None, ge=0)
    households: int | None = Field(default=None, ge=0)
    minority_households: int | None = Field(default=None, ge=0)
    notes: str = ""

    @field_validator("name", "code", "notes", "commune_code")
    @classmethod
    def _nfc(cls, value: str) -> str:
        return normalize_text(value)


class VillagePatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: str | None = None
    code: str | None = None
    population: int | None = Field(default=None, ge=0)
    households: int | None = Field(default=None, ge=0)
    minority_households: int | None = Field(default=None, ge=0)
    notes: str | None = None


class ImportOut(Schema):
    filename: str
    rows: int
    created: int
    updated: int
    unchanged: int
