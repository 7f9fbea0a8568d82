"""The commune's devices page: each cluster's and board's token and latest state; issue a token
(shown once) or revoke one. Writes go through channels.devices; scope: channels.manage there."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ketnoi.core.roles import CHANNELS_MANAGE
from ketnoi.core.scoping import allows
from ketnoi.geo.models import AdminUnit

from . import devices
from .models import BulletinBoard, DeviceCredential, LoudspeakerCluster


def _commune_or_404(user, code):
    commune = get_object_or_404(AdminUnit, structure="current", level="commune", code=code)
    if not allows(user, CHANNELS_MANAGE, commune):
        raise Http404
    return commune


def _page(request, commune, *, issued=None, token=None, status=200):
    context = {"commune": commune, "issued": issued, "token": token, **devices.commune_devices(commune)}
    return render(request, "channels/device_list.html", context, status=status)


@login_required
def device_list(request, code):
    return _page(request, _commune_or_404(request.user, code))


@login_required
@require_http_methods(["POST"])
def device_token_issue(request, code):
    commune = _commune_or_404(request.user, code)
    kind, pk = request.POST.get("kind"), request.POST.get("device", "")
    if kind not in ("cluster", "board") or not pk.isdigit() or len(pk) > 18:
        raise Http404
    if kind == "cluster":
        device = get_object_or_404(LoudspeakerCluster, pk=int(pk), station__commune=commune)
        target = {"cluster": device}
    else:
        device = get_object_or_404(BulletinBoard, pk=int(pk), commune=commune)
        target = {"board": device}
    try:
        credential, token = devices.credential_issue(user=request.user, **target)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _page(request, commune, status=422)
    response = _page(request, commune, issued=credential, token=token)
    response["Cache-Control"] = "no-store"  # the token is on this page, once
    return response


@login_required
@require_http_methods(["POST"])
def device_token_revoke(request, code, pk):
    commune = _commune_or_404(request.user, code)
    credential = get_object_or_404(DeviceCredential, pk=pk, commune=commune)
    try:
        devices.credential_revoke(user=request.user, credential=credential)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The token was revoked; the device is refused from now on."))
    return redirect("device-list", code=commune.code)
