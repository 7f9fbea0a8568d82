"""Read queries of the information exchange, scoped by the requesting user.

A request is visible to a user holding PROGRAMMES_VIEW when
- the user belongs to the sender agency or to a recipient agency (or to a predecessor/successor), or
- the user's area covers the sender's unit or a recipient's unit (``agency.unit``); central agencies
  have no unit, so only country scope covers them.
Both area rules go through ``core.scoping.restrict``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from ketnoi.core.roles import EXCHANGE_SEND, PROGRAMMES_MANAGE, PROGRAMMES_VIEW
from ketnoi.core.scoping import allows, restrict, user_scope

from .models import Attachment, OfficialRequest, Recipient

BOXES = ("inbox", "outbox", "all")
STATES = ("open", "overdue", "closed")


def agency_family(agency) -> set[int]:
    """An agency with its predecessors and successors (transitively): requests addressed to UBDT are
    BDTTG's to answer today."""
    if agency is None or agency.pk is None:
        return set()
    family, frontier = {agency.pk}, [agency]
    while frontier:
        current = frontier.pop()
        for other in list(current.successors.all()) + list(current.predecessors.all()):
            if other.pk not in family:
                family.add(other.pk)
                frontier.append(other)
    return family


def _user_family(user) -> set[int]:
    cached = getattr(user, "_exchange_family", None)
    if cached is None:
        cached = agency_family(getattr(user, "agency", None))
        user._exchange_family = cached
    return cached


def _visible(user) -> QuerySet[OfficialRequest]:
    requests = OfficialRequest.objects.all()
    scope = user_scope(user, PROGRAMMES_VIEW)
    if scope.everywhere:
        return requests
    if scope.empty:
        return requests.none()
    visible = Q(pk__in=restrict(OfficialRequest.objects.all(), user, PROGRAMMES_VIEW).values("pk")) | Q(
        pk__in=restrict(Recipient.objects.all(), user, PROGRAMMES_VIEW).values("request_id")
    )
    family = _user_family(user)
    if family:
        visible |= Q(sender_id__in=family) | Q(
            pk__in=Recipient.objects.filter(agency_id__in=family).values("request_id")
        )
    return requests.filter(visible)


def request_list_for_user(
    *, user, box: str = "all", state: str = "", query: str = "", today: dt.date | None = None
) -> QuerySet[OfficialRequest]:
    """Requests the user may read, overdue first, then open before closed, then by due date.

    ``box``: "inbox" (addressed to the user's agency), "outbox" (sent by it) or "all" (everything
    visible). ``state``: "open", "overdue", "closed" or "" for all. Each row carries ``overdue``:
    in the inbox, whether the user's own part is overdue; elsewhere, whether any part is.
    """
    today = today or timezone.localdate()
    requests = _visible(user).select_related("sender", "programme", "task")
    family = _user_family(user)
    if box == "inbox":
        requests = requests.filter(pk__in=Recipient.objects.filter(agency_id__in=family).values("request_id"))
        open_parts = Recipient.objects.filter(request=OuterRef("pk"), agency_id__in=family)
    elif box == "outbox":
        requests = requests.filter(sender_id__in=family)
        open_parts = Recipient.objects.filter(request=OuterRef("pk"))
    else:
        open_parts = Recipient.objects.filter(request=OuterRef("pk"))
    open_parts = open_parts.exclude(state=Recipient.State.CLOSED)
    requests = requests.annotate(
        overdue=Case(
            When(Q(state=OfficialRequest.State.OPEN, due_date__lt=today) & Exists(open_parts), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_open=Case(
            When(state=OfficialRequest.State.OPEN, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )
    if state == "open":
        requests = requests.filter(state=OfficialRequest.State.OPEN)
    elif state == "overdue":
        requests = requests.filter(overdue=True)
    elif state == "closed":
        requests = requests.filter(state=OfficialRequest.State.CLOSED)
    if query:
        requests = requests.filter(Q(number_symbol__icontains=query) | Q(subject__icontains=query))
    return requests.prefetch_related("recipients__agency").order_by("-overdue", "-is_open", "due_date", "-id")


def request_get_for_user(*, user, pk: int) -> OfficialRequest:
    """One visible request (OfficialRequest.DoesNotExist otherwise, so callers answer 404)."""
    return (
        _visible(user)
        .select_related("sender__unit", "programme__document", "task", "created_by", "closed_by")
        .prefetch_related("recipients__agency__unit", "responses__agency", "responses__author", "attachments")
        .get(pk=pk)
    )


def attachment_get_for_user(*, user, pk: int) -> Attachment:
    attachment = Attachment.objects.select_related("request").get(pk=pk)
    request_get_for_user(user=user, pk=attachment.request_id)  # raises DoesNotExist outside the user's view
    return attachment


def recipient_rows(request: OfficialRequest, *, today: dt.date | None = None) -> list[Recipient]:
    """The recipients with their ``overdue`` flag set (past due and neither part nor request closed)."""
    today = today or timezone.localdate()
    rows = list(request.recipients.all())
    for row in rows:
        row.request = request
        row.overdue = row.is_overdue(today)
    return rows


def request_is_overdue(request: OfficialRequest, *, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return any(r.overdue for r in recipient_rows(request, today=today))


def user_roles_in(request: OfficialRequest, *, user) -> dict:
    """What the user may do on this request's page (the services check again on every write)."""
    family = _user_family(user)
    is_open = request.state == OfficialRequest.State.OPEN
    is_sender = request.sender_id in family
    my_part = next((r for r in request.recipients.all() if r.agency_id in family), None)
    sender_ok = is_sender and allows(user, EXCHANGE_SEND, request.sender.unit)
    coordinator = user_scope(user, PROGRAMMES_MANAGE).everywhere
    return {
        "is_sender": is_sender,
        "my_part": my_part,
        "can_respond": is_open
        and (sender_ok or (my_part is not None and allows(user, EXCHANGE_SEND, my_part.agency.unit))),
        "can_close": is_open and (sender_ok or coordinator),
    }
