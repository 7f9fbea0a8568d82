"""Reads: a user's own notifications, and who is to be told about a task or a report.

Notifications belong to their recipient only: every read filters by ``recipient=user``, so another
user's notification is simply not found (404), whatever the reader's role or area.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

from ketnoi.core.roles import CAPABILITIES, REPORTS_APPROVE, REPORTS_SUBMIT, TASKS_UPDATE
from ketnoi.orgs.models import RoleGrant, User

from .models import Notification

# --- a user's notifications --------------------------------------------------------------


def notifications_of(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, unordered (for counting and updating)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    notifications = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def notification_list_for_user(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first within each group."""
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1))
    return notifications_of(user=user, unread_only=unread_only).order_by(unread_first, "-created_at", "-id")


def notification_get_for_user(*, user, pk: int) -> Notification:
    """Raises Notification.DoesNotExist for another user's notification (answered as 404)."""
    return notification_list_for_user(user=user).get(pk=pk)


def unread_count_for_user(*, user) -> int:
    return notifications_of(user=user, unread_only=True).count()


# --- recipients ----------------------------------------------------------------------------


def _roles_with(capability: str) -> list[str]:
    return sorted(role for role, capabilities in CAPABILITIES.items() if capability in capabilities)


def _grants(capability: str, today: dt.date) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.filter(role__in=_roles_with(capability), user__is_active=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today), Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )


def _users(user_ids) -> list[User]:
    return list(User.objects.filter(pk__in=set(user_ids), is_active=True).order_by("username"))


def local_holders(capability: str, unit, *, today: dt.date | None = None) -> list[User]:
    """Users whose province or commune grant with ``capability`` covers ``unit``.

    Country-wide grants are left out on purpose: they cover every unit, and a coordinator told of
    every commune's deadline would stop reading. Central staff are reached through their agency.
    """
    if unit is None:
        return []
    today = today or timezone.localdate()
    covering = Q(scope_level=RoleGrant.ScopeLevel.PROVINCE, unit_id=unit.province_id)
    if unit.level == "commune":
        covering |= Q(scope_level=RoleGrant.ScopeLevel.COMMUNE, unit_id=unit.pk)
    return _users(_grants(capability, today).filter(covering).values_list("user_id", flat=True))


def country_holders(capability: str, *, today: dt.date | None = None) -> list[User]:
    today = today or timezone.localdate()
    grants = _grants(capability, today).filter(scope_level=RoleGrant.ScopeLevel.COUNTRY)
    return _users(grants.values_list("user_id", flat=True))


def agency_family_users(agencies, *, today: dt.date | None = None) -> list[User]:
    """Active users of the agencies and of their current successors (UBDT's work is BDTTG's today)."""
    today = today or timezone.localdate()
    agency_ids = set()
    for agency in agencies:
        if agency is None:
            continue
        agency_ids.add(agency.pk)
        agency_ids.update(successor.pk for successor in agency.current_successors(today))
    if not agency_ids:
        return []
    return list(User.objects.filter(agency_id__in=agency_ids, is_active=True).order_by("username"))


def task_readers(task, users) -> list[User]:
    """Those of ``users`` who may read ``task``: a reminder quotes the task's title, which for a
    corrective task is an inspection finding, scoped by the inspected unit."""
    from ketnoi.programmes.selectors import task_visible_to

    return [user for user in users if task_visible_to(user, task)]


def task_lead_recipients(task, *, today: dt.date | None = None) -> list[User]:
    """Users of the lead agency (or its successors) who may read the task."""
    return task_readers(task, agency_family_users([task.lead_agency], today=today))


def assignment_recipients(assignment, *, today: dt.date | None = None) -> list[User]:
    """Officers whose area covers the assigned unit, who may update the task there and read it."""
    return task_readers(assignment.task, local_holders(TASKS_UPDATE, assignment.unit, today=today))


def report_writers(report, *, today: dt.date | None = None) -> list[User]:
    """Who writes a report: REPORTS_SUBMIT over its unit; for a central report, the country-wide
    holders in the reporting agency (or its successors)."""
    if report.unit_id is not None:
        return local_holders(REPORTS_SUBMIT, report.unit, today=today)
    family = {u.pk for u in agency_family_users([report.agency], today=today)}
    return [u for u in country_holders(REPORTS_SUBMIT, today=today) if u.pk in family]


def report_approvers(report, *, today: dt.date | None = None) -> list[User]:
    """Who approves a report: the province for a commune's report; central approvers otherwise (for a
    central report, those of the signing agencies when any of them has an approver)."""
    if report.unit_id is not None and report.unit.level == "commune":
        approvers = local_holders(REPORTS_APPROVE, report.unit.province, today=today)
        if approvers:
            return approvers
    central = country_holders(REPORTS_APPROVE, today=today)
    if report.unit_id is None:
        from ketnoi.programmes.services import required_signoff_agencies

        family = {u.pk for u in agency_family_users(required_signoff_agencies(report), today=today)}
        signers = [u for u in central if u.pk in family]
        if signers:
            return signers
    return central
