from django.shortcuts import get_object_or_404
from ninja import File, Router, Status, UploadedFile
from ninja.pagination import paginate

from ketnoi.core.api import Page

from . import importers, selectors, services
from .models import AdminUnit, ClassificationPeriod
from .schemas import ClassificationOut, CrosswalkOut, ImportOut, UnitOut, VillageIn, VillageOut, VillagePatch

router = Router(tags=["administrative units"])


@router.get("/units", response=list[UnitOut])
@paginate(Page)
def list_units(request, q: str = "", structure: str = "current", level: str | None = None, province: str | None = None):
    """Search units; `q` ignores diacritics ("lao cai" finds "Lào Cai")."""
    return selectors.unit_search(query=q, structure=structure, level=level, province_code=province)


@router.get("/units/{structure}/{level}/{code}", response=UnitOut)
def get_unit(request, structure: str, level: str, code: str):
    return get_object_or_404(
        AdminUnit.objects.select_related("parent", "province"), structure=structure, level=level, code=code
    )


@router.get("/units/{structure}/{level}/{code}/crosswalk", response=list[CrosswalkOut])
def unit_crosswalk(request, structure: str, level: str, code: str):
    unit = get_object_or_404(AdminUnit, structure=structure, level=level, code=code)
    links = selectors.unit_successors(unit=unit) if structure == "legacy" else selectors.unit_predecessors(unit=unit)
    return links


@router.get("/units/{structure}/{level}/{code}/classification", response=list[ClassificationOut])
def unit_classification(request, structure: str, level: str, code: str):
    unit = get_object_or_404(AdminUnit, structure=structure, level=level, code=code)
    return [
        {
            "period": part.period.code,
            "legacy_commune": part.legacy_commune,
            "area": part.area,
            "difficult_villages": part.difficult_villages,
        }
        for part in selectors.classification_of(unit=unit)
    ]


villages = Router(tags=["villages"])


@villages.get("", response=list[VillageOut])
@paginate(Page)
def list_villages(request, commune: str | None = None, q: str = ""):
    unit = get_object_or_404(AdminUnit, structure="current", level="commune", code=commune) if commune else None
    return selectors.village_list_for_user(user=request.user, commune=unit, query=q)


@villages.get("/{int:village_id}", response=VillageOut)
def get_village(request, village_id: int):
    return selectors.village_get_for_user(user=request.user, pk=village_id)


@villages.post("", response={201: VillageOut})
def create_village(request, payload: VillageIn):
    commune = get_object_or_404(AdminUnit, structure="current", level="commune", code=payload.commune_code)
    values = payload.dict(exclude={"commune_code"})
    return Status(201, services.village_create(user=request.user, commune=commune, **values))


@villages.patch("/{int:village_id}", response=VillageOut)
def update_village(request, village_id: int, payload: VillagePatch):
    village = selectors.village_get_for_user(user=request.user, pk=village_id)
    return services.village_update(user=request.user, village=village, **payload.dict(exclude_unset=True))


@villages.delete("/{int:village_id}", response={204: None})
def delete_village(request, village_id: int):
    village = selectors.village_get_for_user(user=request.user, pk=village_id)
    services.village_delete(user=request.user, village=village)
    return Status(204, None)


@villages.post("/import", response=ImportOut)
def import_villages(request, file: UploadedFile = File(...)):
    """Upload a CSV (UTF-8) or XLSX file; all rows are written, or none."""
    return importers.import_villages(file, user=request.user, filename=file.name)


@router.post("/classification/{period}/import", response=ImportOut)
def import_classification(request, period: str, file: UploadedFile = File(...)):
    period_obj = get_object_or_404(ClassificationPeriod, code=period)
    return importers.import_classification(file, user=request.user, period=period_obj, filename=file.name)
