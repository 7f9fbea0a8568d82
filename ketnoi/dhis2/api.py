"""GET and POST /api/v1/dhis2/dataValueSets: DHIS2 dataValueSets (JSON) and ADX (XML)."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from ketnoi.core.api import problem
from ketnoi.core.roles import DATA_ENTER, PROGRAMMES_VIEW
from ketnoi.core.scoping import require_capability

from . import services

router = Router(tags=["DHIS2 exchange"])


def _many(values: list[str] | None) -> list[str]:
    """Repeated parameters and comma-separated lists alike (dataElement=A&dataElement=B, or A,B)."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _export(request, fmt: str, data_element, period, org_unit, data_set):
    require_capability(request.user, PROGRAMMES_VIEW)
    export = services.export_values(
        user=request.user, elements=_many(data_element), periods_=_many(period), units=_many(org_unit)
    )
    if fmt == "adx":
        response = HttpResponse(
            services.as_adx(export, data_set=data_set or services.default_data_set()),
            content_type="application/adx+xml; charset=utf-8",
        )
        name = "dataValueSets.adx"
    else:
        response = HttpResponse(services.as_json(export), content_type="application/json; charset=utf-8")
        name = "dataValueSets.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Ketnoi-Unmapped"] = str(export.unmapped)  # values left out: no mapping for their codes
    return response


LIST = Query(None, max_length=50)  # at most 50 repetitions of a parameter (each may list codes with commas)


@router.get("/dhis2/dataValueSets", url_name="dhis2-datavaluesets")
def export_default(
    request,
    dataElement: list[str] = LIST,
    period: list[str] = LIST,
    orgUnit: list[str] = LIST,  # noqa: N803
    dataSet: str = Query("", max_length=50),
):  # noqa: N803
    """JSON, or ADX when the Accept header asks for application/adx+xml."""
    fmt = "adx" if "adx+xml" in request.headers.get("Accept", "") else "json"
    return _export(request, fmt, dataElement, period, orgUnit, dataSet)


@router.get("/dhis2/dataValueSets.json", url_name="dhis2-datavaluesets-json")
def export_json(request, dataElement: list[str] = LIST, period: list[str] = LIST, orgUnit: list[str] = LIST):  # noqa: N803
    return _export(request, "json", dataElement, period, orgUnit, "")


@router.get("/dhis2/dataValueSets.adx", url_name="dhis2-datavaluesets-adx")
def export_adx(
    request,
    dataElement: list[str] = LIST,
    period: list[str] = LIST,
    orgUnit: list[str] = LIST,  # noqa: N803
    dataSet: str = Query("", max_length=50),
):  # noqa: N803
    return _export(request, "adx", dataElement, period, orgUnit, dataSet)


@router.post("/dhis2/dataValueSets", url_name="dhis2-datavaluesets-import")
def import_values(request, dryRun: bool = False):  # noqa: N803
    """The body is a dataValueSet (application/json) or an ADX document (application/adx+xml).
    Every value is validated first; any error refuses the whole body (422, problem+json naming the
    value and the code) and nothing is written. The answer is an import summary."""
    require_capability(request.user, DATA_ENTER)
    length = int(request.headers.get("Content-Length") or 0)
    if length > services.max_bytes():
        return problem(
            request, 413, _("Too large"), _("The limit is %(limit)s bytes.") % {"limit": services.max_bytes()}
        )
    summary = services.import_payload(
        user=request.user, data=request.body, content_type=request.content_type or "", dry_run=dryRun
    )
    return summary.as_dict()
