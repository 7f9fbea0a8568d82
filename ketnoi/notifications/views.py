from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketnoi.core.paging import paginate

from . import selectors, services
from .models import Notification


@login_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notification_list_for_user(user=request.user, unread_only=unread_only)
    context = {
        "page": paginate(request, notifications),
        "unread_only": unread_only,
        "unread_count": selectors.unread_count_for_user(user=request.user),
    }
    return render(request, "notifications/notification_list.html", context)


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notification-list")


@login_required
@require_POST
def notification_read(request, pk):
    try:
        notification = selectors.notification_get_for_user(user=request.user, pk=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    services.notification_mark_read(user=request.user, notification=notification)
    if request.POST.get("open") and notification.link.startswith("/") and not notification.link.startswith("//"):
        return redirect(notification.link)
    return _back(request)


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications marked as read."))
    return _back(request)
