"""Read queries for agencies, users and the audit log, scoped by the requesting user."""

from __future__ import annotations

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
    *, user, model: str | None = None, actor: str | None = None, action: str | None = None
) -> QuerySet[AuditEntry]:
    entries = restrict(AuditEntry.objects.all(), user, AUDIT_VIEW)
    if model:
        entries = entries.filter(model=model)
    if actor:
        entries = entries.filter(actor_name__icontains=actor)
    if action:
        entries = entries.filter(action=action)
    return entries.order_by("-at", "-id")


def token_list_for_user(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
