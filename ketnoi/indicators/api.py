import datetime as dt
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from ketnoi.core.api import Page
from ketnoi.core.roles import PROGRAMMES_VIEW
from ketnoi.core.scoping import require_capability
from ketnoi.geo.models import AdminUnit

from . import selectors, services
from .models import DataElement, Indicator, Target

router = Router(tags=["indicators and targets"])


class ElementOut(Schema):
    code: str
    name_vi: str
    name_en: str
    value_type: str
    aggregation: str
    disaggregations: list[str]
    unit_label: str
    source: str  # "entered" by officers, or computed from the "logs" (not writable here)


class IndicatorOut(Schema):
    code: str
    name_vi: str
    name_en: str
    numerator: str
    denominator: str | None
    factor: int
    unit_label: str

    @staticmethod
    def resolve_numerator(obj):
        return obj.numerator.code

    @staticmethod
    def resolve_denominator(obj):
        return obj.denominator.code if obj.denominator_id else None


class ResultOut(Schema):
    indicator: str
    period: str
    unit_code: str | None
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    target: Decimal | None
    baseline: Decimal | None
    met: bool | None


class TargetOut(Schema):
    indicator: str
    unit_code: str | None
    period: str
    disaggregation: str
    baseline_value: Decimal | None
    baseline_period: str
    target_value: Decimal
    source: str

    @staticmethod
    def resolve_indicator(obj):
        return obj.indicator.code

    @staticmethod
    def resolve_unit_code(obj):
        return obj.unit.code if obj.unit_id else None


class TargetIn(Schema):
    indicator: str
    period: str
    target_value: Decimal
    unit_code: str | None = None
    baseline_value: Decimal | None = None
    baseline_period: str = ""
    source: str = ""


class ValueOut(Schema):
    element: str
    period: str
    unit_code: str
    disaggregation: str
    value: Decimal
    locked: bool
    updated_at: dt.datetime
    source: str  # "entered", or "logs" for a value computed from the logs
    rows: int | None = None  # how many log rows a computed value counts (its provenance)

    @staticmethod
    def resolve_element(obj):
        return obj.element.code

    @staticmethod
    def resolve_source(obj):
        return obj.element.source

    @staticmethod
    def resolve_rows(obj):
        provenance = getattr(obj, "provenance", None) if obj.element.source == "logs" else None
        return provenance.rows if provenance else None

    @staticmethod
    def resolve_unit_code(obj):
        return obj.unit.code


class ValuesIn(Schema):
    unit_code: str
    period: str
    values: dict[str, str | float | int | None]
    sex: str = ""
    ethnic_group: str | None = None
    language: str | None = None


@router.get("/data-elements", response=list[ElementOut])
def list_elements(request):
    require_capability(request.user, PROGRAMMES_VIEW)
    return list(DataElement.objects.order_by("code"))


@router.get("/indicators", response=list[IndicatorOut])
def list_indicators(request):
    require_capability(request.user, PROGRAMMES_VIEW)
    return list(selectors.indicator_list())


@router.get("/indicators/{code}/result", response=ResultOut)
def indicator_result(request, code: str, period: str, unit: str | None = None):
    """The indicator's value for a period, for the country or a current province/commune, with its target."""
    require_capability(request.user, PROGRAMMES_VIEW)
    indicator = get_object_or_404(selectors.indicator_list(), code=code)
    area = get_object_or_404(AdminUnit, structure="current", code=unit) if unit else None
    result = selectors.indicator_result(indicator, period=period, unit=area)
    return {
        "indicator": code,
        "period": result.period,
        "unit_code": unit,
        "numerator": result.numerator,
        "denominator": result.denominator,
        "value": result.value,
        "target": result.target,
        "baseline": result.baseline,
        "met": result.met,
    }


@router.get("/targets", response=list[TargetOut])
@paginate(Page)
def list_targets(request, indicator: str | None = None):
    require_capability(request.user, PROGRAMMES_VIEW)
    targets = Target.objects.select_related("indicator", "unit").order_by("indicator__code", "unit_key", "period")
    return targets.filter(indicator__code=indicator) if indicator else targets


@router.post("/targets", response={201: TargetOut})
def set_target(request, payload: TargetIn):
    indicator = get_object_or_404(Indicator, code=payload.indicator)
    unit = get_object_or_404(AdminUnit, structure="current", code=payload.unit_code) if payload.unit_code else None
    target = services.target_set(
        user=request.user,
        indicator=indicator,
        period=payload.period,
        target_value=payload.target_value,
        unit=unit,
        baseline_value=payload.baseline_value,
        baseline_period=payload.baseline_period,
        source=payload.source,
    )
    return Status(201, target)


@router.get("/data-values", response=list[ValueOut])
@paginate(Page)
def list_values(request, period: str | None = None, unit: str | None = None):
    area = get_object_or_404(AdminUnit, structure="current", code=unit) if unit else None
    return selectors.values_for_user(user=request.user, period=period, unit=area)


@router.post("/data-values", response={201: list[ValueOut]})
def save_values(request, payload: ValuesIn):
    """Save a data-entry form for one unit and period: all values or none (validation rules apply)."""
    from ketnoi.people.models import EthnicGroup, Language

    unit = get_object_or_404(AdminUnit, structure="current", code=payload.unit_code)
    group = get_object_or_404(EthnicGroup, code_1979=payload.ethnic_group) if payload.ethnic_group else None
    language = get_object_or_404(Language, iso639_3=payload.language) if payload.language else None
    saved = services.data_values_save(
        user=request.user,
        unit=unit,
        period=payload.period,
        values=payload.values,
        ethnic_group=group,
        sex=payload.sex,
        language=language,
    )
    return Status(201, saved)
