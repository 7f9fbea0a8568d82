import datetime as dt

from ninja import Router, Schema
from ninja.pagination import paginate

from ketnoi.core.api import Page

from . import selectors, services

router = Router(tags=["Notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    emailed_at: dt.datetime | None


class ReadAllOut(Schema):
    marked: int
    unread: int


@router.get("/notifications", response=list[NotificationOut])
@paginate(Page)
def list_notifications(request, unread: bool = False):
    """Your own notifications, unread first. `unread=true` lists only the unread ones."""
    return selectors.notification_list_for_user(user=request.user, unread_only=unread)


@router.post("/notifications/read-all", response=ReadAllOut)
def read_all_notifications(request):
    marked = services.notification_mark_all_read(user=request.user)
    return {"marked": marked, "unread": selectors.unread_count_for_user(user=request.user)}


@router.get("/notifications/{int:pk}", response=NotificationOut)
def get_notification(request, pk: int):
    return selectors.notification_get_for_user(user=request.user, pk=pk)


@router.post("/notifications/{int:pk}/read", response=NotificationOut)
def read_notification(request, pk: int):
    notification = selectors.notification_get_for_user(user=request.user, pk=pk)
    return services.notification_mark_read(user=request.user, notification=notification)
