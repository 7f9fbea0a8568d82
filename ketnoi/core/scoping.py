"""The one place where a user's geographic scope turns into a query filter.

A role is granted with a scope: the whole country, one (current) province, or one commune. A
model says how to reach its administrative unit through ``SCOPE_UNIT_PATH`` (a path to a foreign
key on geo.AdminUnit, e.g. ``"commune"`` or ``"agency__unit"``), or names its scope columns
directly with ``SCOPE_PROVINCE_FIELD`` / ``SCOPE_COMMUNE_FIELD``. Every selector and every
write check goes through ``restrict`` and ``require``; nothing else filters by area.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

COUNTRY = "country"
PROVINCE = "province"
COMMUNE = "commune"


@dataclass(frozen=True)
class Scope:
    everywhere: bool = False
    province_ids: frozenset[int] = field(default_factory=frozenset)
    commune_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not (self.everywhere or self.province_ids or self.commune_ids)

    def covers(self, province_id: int | None, commune_id: int | None) -> bool:
        if self.everywhere:
            return True
        if province_id is not None and province_id in self.province_ids:
            return True
        return commune_id is not None and commune_id in self.commune_ids

    def merge(self, other: Scope) -> Scope:
        return Scope(
            everywhere=self.everywhere or other.everywhere,
            province_ids=self.province_ids | other.province_ids,
            commune_ids=self.commune_ids | other.commune_ids,
        )


NOWHERE = Scope()
EVERYWHERE = Scope(everywhere=True)


def user_scope(user, capability: str) -> Scope:
    """The area in which ``user`` holds ``capability`` (e.g. ``"villages.change"``)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return NOWHERE
    if getattr(user, "is_superuser", False):
        return EVERYWHERE
    scope_for = getattr(user, "scope_for", None)
    return scope_for(capability) if scope_for else NOWHERE


def _fields(model: type[Model]) -> tuple[str, str]:
    province_field = getattr(model, "SCOPE_PROVINCE_FIELD", None)
    commune_field = getattr(model, "SCOPE_COMMUNE_FIELD", None)
    if province_field and commune_field:
        return province_field, commune_field
    path = getattr(model, "SCOPE_UNIT_PATH", None)
    if path is None:
        raise TypeError(f"{model.__name__} declares no scope (SCOPE_UNIT_PATH)")
    if path == "":  # the model is the administrative unit itself
        return "province_id", "id"
    return f"{path}__province_id", f"{path}_id"


def scope_q(scope: Scope, model: type[Model]) -> Q:
    if scope.everywhere:
        return Q()
    province_field, commune_field = _fields(model)
    q = Q(pk__in=[])
    if scope.province_ids:
        q |= Q(**{f"{province_field}__in": sorted(scope.province_ids)})
    if scope.commune_ids:
        q |= Q(**{f"{commune_field}__in": sorted(scope.commune_ids)})
    return q


def restrict(queryset: QuerySet, user, capability: str) -> QuerySet:
    """Filter ``queryset`` to the rows ``user`` may see or act on for ``capability``."""
    scope = user_scope(user, capability)
    if scope.everywhere:
        return queryset
    if scope.empty:
        return queryset.none()
    return queryset.filter(scope_q(scope, queryset.model))


def _follow(instance, path: str):
    obj = instance
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


def scope_ids_of(instance) -> tuple[int | None, int | None]:
    """(province id, commune id) of the unit an object belongs to; (None, None) if central."""
    model = type(instance)
    if getattr(model, "SCOPE_PROVINCE_FIELD", None):
        return (
            getattr(instance, model.SCOPE_PROVINCE_FIELD, None),
            getattr(instance, model.SCOPE_COMMUNE_FIELD, None),
        )
    path = getattr(model, "SCOPE_UNIT_PATH", None)
    if path is None:
        return (None, None)
    try:
        unit = instance if path == "" else _follow(instance, path)
    except Exception:  # a related row already gone during a cascade delete
        return (None, None)
    if unit is None:
        return (None, None)
    commune_id = unit.pk if getattr(unit, "level", None) == COMMUNE else None
    return (getattr(unit, "province_id", None), commune_id)


def unit_scope_ids(unit) -> tuple[int | None, int | None]:
    if unit is None:
        return (None, None)
    return (unit.province_id, unit.pk if unit.level == COMMUNE else None)


def allows(user, capability: str, instance_or_unit) -> bool:
    if instance_or_unit is None:
        return user_scope(user, capability).everywhere
    if hasattr(instance_or_unit, "level") and hasattr(instance_or_unit, "province_id"):
        ids = unit_scope_ids(instance_or_unit)
    else:
        ids = scope_ids_of(instance_or_unit)
    return user_scope(user, capability).covers(*ids)


def require(user, capability: str, instance_or_unit) -> None:
    """Raise PermissionDenied unless ``user`` holds ``capability`` over the object's area."""
    if not allows(user, capability, instance_or_unit):
        raise PermissionDenied(capability)


def require_capability(user, capability: str) -> None:
    """Raise PermissionDenied unless ``user`` holds ``capability`` somewhere (any area)."""
    if user_scope(user, capability).empty:
        raise PermissionDenied(capability)
