"""Content and translation API: thin over services and selectors; objects outside the area answer 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Status, UploadedFile
from ninja.pagination import paginate

from ketnoi.core.api import Page
from ketnoi.geo.models import AdminUnit
from ketnoi.orgs.models import User
from ketnoi.programmes.selectors import tasks_visible_to

from . import qa, selectors, services
from .models import ContentItem
from .schemas import (
    FindingOut,
    ImportOut,
    ItemIn,
    ItemOut,
    ItemPatch,
    JobIn,
    JobOut,
    OverrideIn,
    OverrideOut,
    SegmentOut,
    TransitionIn,
    UnitOut,
    UnitPatch,
    VariantIn,
    VariantOut,
)

router = Router(tags=["content"])


def _item(request, item_id: int) -> ContentItem:
    return selectors.item_get_for_user(user=request.user, pk=item_id)


def _variant(request, variant_id: int):
    return selectors.variant_get_for_user(user=request.user, pk=variant_id)


def _unit(request, unit_id: int):
    return selectors.unit_get_for_user(user=request.user, pk=unit_id)


def _units(codes):
    units = []
    for code in codes or []:
        unit = AdminUnit.objects.filter(structure="current", code=code, level__in=["province", "commune"]).first()
        if unit is None:
            raise ValidationError({"target_units": f"Unknown unit code {code!r}."})
        units.append(unit)
    return units


def _tasks(request, ids, item=None):
    """The tasks to link, among those the caller may read (another id is unknown to them); links of
    ``item`` to tasks the caller may not read are kept."""
    visible = tasks_visible_to(request.user)
    tasks = list(visible.filter(pk__in=ids or []))
    if len(tasks) != len(set(ids or [])):
        raise ValidationError({"related_tasks": "Unknown task id."})
    if item is not None:
        tasks += list(item.related_tasks.exclude(pk__in=visible.values("pk")))
    return tasks


def _user(username: str | None, field: str):
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({field: f"Unknown user {username!r}."})
    return user


@router.get("/content/items", response=list[ItemOut])
@paginate(Page)
def list_items(request, state: str | None = None, kind: str | None = None, q: str = "", language: str | None = None):
    """Items in the caller's area (any content or translation role)."""
    return selectors.item_list_for_user(user=request.user, state=state, kind=kind, query=q, language=language)


@router.post("/content/items", response={201: ItemOut})
def create_item(request, payload: ItemIn):
    values = payload.dict()
    owner_code = values.pop("owner_unit")
    owner = None
    if owner_code:
        owner = AdminUnit.objects.filter(
            structure="current", code=owner_code, level__in=["province", "commune"]
        ).first()
        if owner is None:
            raise ValidationError({"owner_unit": f"Unknown unit code {owner_code!r}."})
    values["target_units"] = _units(values["target_units"])
    values["related_tasks"] = _tasks(request, values["related_tasks"])
    item = services.item_create(user=request.user, owner_unit=owner, **values)
    return Status(201, selectors.item_get_for_user(user=request.user, pk=item.pk))


@router.get("/content/items/{int:item_id}", response=ItemOut)
def get_item(request, item_id: int):
    return _item(request, item_id)


@router.patch("/content/items/{int:item_id}", response={200: ItemOut, 409: dict})
def update_item(request, item_id: int, payload: ItemPatch):
    """Change a draft; send the ``version`` you read. A stale version answers 409 with both texts."""
    item = _item(request, item_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    if "target_units" in changes:
        changes["target_units"] = _units(changes["target_units"])
    if "related_tasks" in changes:
        changes["related_tasks"] = _tasks(request, changes["related_tasks"], item)
    try:
        services.item_update(user=request.user, item=item, version=version, **changes)
    except services.StaleEdit as exc:
        source = selectors.source_variant(exc.item)
        return Status(
            409,
            {
                "type": "about:blank",
                "title": "The item changed",
                "status": 409,
                "detail": str(exc),
                "current_version": exc.item.version,
                "current": {"title": source.title, "summary": source.summary, "body": source.body},
                "yours": exc.yours,
            },
        )
    return _item(request, item_id)


@router.post("/content/items/{int:item_id}/transition", response=ItemOut)
def transition_item(request, item_id: int, payload: TransitionIn):
    """Actions: submit, appraise, return, approve, schedule (with publish_at), unschedule, publish, withdraw, reopen."""
    item = _item(request, item_id)
    services.item_transition(
        user=request.user, item=item, action=payload.action, comment=payload.comment, publish_at=payload.publish_at
    )
    return _item(request, item_id)


@router.get("/content/items/{int:item_id}/variants", response=list[VariantOut])
def list_variants(request, item_id: int):
    return list(selectors.variant_list_for_user(user=request.user, item=_item(request, item_id)))


@router.post("/content/items/{int:item_id}/variants", response={201: VariantOut})
def add_variant(request, item_id: int, payload: VariantIn):
    variant = services.variant_add(user=request.user, item=_item(request, item_id), language=payload.language)
    return Status(201, _variant(request, variant.pk))


@router.get("/content/variants/{int:variant_id}", response=VariantOut)
def get_variant(request, variant_id: int):
    return _variant(request, variant_id)


@router.get("/content/variants/{int:variant_id}/segments", response=list[SegmentOut])
def list_segments(request, variant_id: int):
    """Segments of a source variant."""
    variant = _variant(request, variant_id)
    if not variant.is_source:
        raise Http404
    return list(selectors.segments_of(variant))


@router.get("/content/variants/{int:variant_id}/units", response=list[UnitOut])
def list_units(request, variant_id: int, outdated: bool | None = None, state: str | None = None):
    units = selectors.units_of(_variant(request, variant_id))
    if outdated is not None:
        units = units.filter(outdated=outdated)
    if state:
        units = units.filter(state=state)
    return list(units)


@router.put("/content/variants/{int:variant_id}/job", response=JobOut)
def assign_job(request, variant_id: int, payload: JobIn):
    variant = _variant(request, variant_id)
    return services.job_assign(
        user=request.user,
        variant=variant,
        translator=_user(payload.translator, "translator"),
        reviewer=_user(payload.reviewer, "reviewer"),
        due_date=payload.due_date,
    )


@router.post("/content/variants/{int:variant_id}/qa", response=list[FindingOut])
def run_qa(request, variant_id: int):
    """Run the quality checks on every unit; overridden findings are marked."""
    variant = _variant(request, variant_id)
    if not services.can_translate(request.user, variant):
        raise PermissionDenied
    return [
        {
            "unit": r.unit.pk,
            "field": r.unit.field,
            "index": r.unit.index,
            "check": r.finding.check,
            "severity": r.finding.severity,
            "message": r.finding.message,
            "start": r.finding.start,
            "end": r.finding.end,
            "text": r.finding.text or "",
            "blocking": r.blocking,
            "overridden": r.overridden,
        }
        for r in qa.run_variant(variant)
    ]


@router.post("/content/variants/{int:variant_id}/approve", response=VariantOut)
def approve_variant(request, variant_id: int):
    """Approve the translation for publication (QA gate: blocking findings refuse with 422)."""
    services.variant_approve(user=request.user, variant=_variant(request, variant_id))
    return _variant(request, variant_id)


@router.get("/content/variants/{int:variant_id}/xliff")
def export_xliff(request, variant_id: int, version: str = "2.0"):
    variant = _variant(request, variant_id)
    data = services.variant_xliff_export(user=request.user, variant=variant, version=version)
    response = HttpResponse(data, content_type="application/xliff+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{variant.item.slug}.{variant.language.bcp47}.xlf"'
    return response


@router.post("/content/variants/{int:variant_id}/xliff", response=ImportOut)
def import_xliff(request, variant_id: int, file: UploadedFile = File(...)):
    """Import an XLIFF 2.0 or 1.2 file into the units: all or nothing."""
    variant = _variant(request, variant_id)
    changed = services.variant_xliff_import(user=request.user, variant=variant, data=file, filename=file.name)
    return {"changed": changed}


@router.patch("/content/units/{int:unit_id}", response={200: UnitOut, 409: dict})
def update_unit(request, unit_id: int, payload: UnitPatch):
    """Save a translation; send the ``version`` you read. If someone saved the unit in between, the
    answer is 409 with their text (``current_text``, ``current_version``) and yours (``your_text``),
    and nothing is written; send again with ``current_version`` to replace their text."""
    try:
        unit = services.unit_save(
            user=request.user,
            unit=_unit(request, unit_id),
            text=payload.text,
            version=payload.version,
            state=payload.state,
            origin=payload.origin,
        )
    except services.StaleUnitEdit as exc:
        return Status(
            409,
            {
                "type": "about:blank",
                "title": _("The segment changed"),
                "status": 409,
                "detail": str(exc),
                "current_version": exc.unit.version,
                "current_text": exc.unit.text,
                "current_state": exc.unit.state,
                "your_text": exc.your_text,
            },
        )
    return _unit(request, unit.pk)


@router.post("/content/units/{int:unit_id}/review", response=UnitOut)
def review_unit(request, unit_id: int):
    services.unit_review(user=request.user, unit=_unit(request, unit_id))
    return _unit(request, unit_id)


@router.post("/content/units/{int:unit_id}/overrides", response={201: OverrideOut})
def override_finding(request, unit_id: int, payload: OverrideIn):
    override = services.qa_override(
        user=request.user,
        unit=_unit(request, unit_id),
        check_id=payload.check_id,
        found_text=payload.found_text,
        reason=payload.reason,
    )
    return Status(201, override)
