"""Read queries for agencies, users and the audit log, scoped by the requesting user."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from ketnoi.core.models import AuditEntry
from ketnoi.core.roles import AUDIT_VIEW, USERS_VIEW
from ketnoi.core.scoping import restrict
from ketnoi.core.text import fold

from .models import Agency, ApiToken, User


def agency_search(
    *, query: str = "", kind: str | None = None, active_only: bool = False, province_code: str | None = None
) -> QuerySet[Agency]:
    """Agencies are public reference data: anyone signed in may read them."""
    agencies = Agency.objects.select_related("parent", "unit")
    if kind:
        agencies = agencies.filter(kind=kind)
    if province_code:
        agencies = agencies.filter(unit__province__code=province_code)
    if active_only:
        from django.utils import timezone

        today = timezone.localdate()
        agencies = agencies.exclude(valid_to__lt=today).exclude(valid_from__gt=today)
    for word in fold(query).split():
        agencies = agencies.filter(search_key__contains=word)
    return agencies.order_by("sort_key", "code")


def agency_get(*, code: str) -> Agency:
    return Agency.objects.select_related("parent", "unit__province").get(code=code)


def user_list_for_user(*, user, query: str = "") -> QuerySet[User]:
    users = restrict(User.objects.select_related("agency__unit"), user, USERS_VIEW)
    for word in fold(query).split():
        users = users.filter(username__icontains=word) | users.filter(full_name__icontains=word)
    return users.order_by("username").prefetch_related("role_grants__unit")


def audit_list_for_user(
    *,
    user,
    model: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    date_from=None,
    date_to=None,
) -> QuerySet[AuditEntry]:
    """Audit entries in the user's area, newest first; ``date_from``/``date_to`` are local dates, inclusive."""
    entries = restrict(AuditEntry.objects.all(), user, AUDIT_VIEW)
    if model:
        entries = entries.filter(model=model)
    if actor:
        entries = entries.filter(actor_name__icontains=actor)
    if action:
        entries = entries.filter(action=action)
    if date_from:
        entries = entries.filter(at__gte=_local_midnight(date_from))
    if date_to:
        entries = entries.filter(at__lt=_local_midnight(date_to + dt.timedelta(days=1)))
    return entries.order_by("-at", "-id")


def _local_midnight(day):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def audit_facets_for_user(*, user) -> dict[str, list]:
    """The object types and people in the user's part of the log, for the filter lists."""
    from .audit_display import model_label

    entries = restrict(AuditEntry.objects.all(), user, AUDIT_VIEW)
    models = sorted(
        ((label, model_label(label)) for label in entries.values_list("model", flat=True).distinct()),
        key=lambda pair: pair[1],
    )
    people = sorted(set(entries.exclude(actor_name="").values_list("actor_name", flat=True).distinct()))
    return {"models": models, "people": people}


def token_list_for_user(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
