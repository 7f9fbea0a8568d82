"""Channel inventory pages: the communes of the user's area with their channels, and the import."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ketnoi.core.forms import LocalIntegerField, attach_errors
from ketnoi.core.importing import ImportFailed
from ketnoi.core.paging import paginate
from ketnoi.core.roles import CHANNELS_MANAGE, CHANNELS_VIEW
from ketnoi.core.scoping import allows, require_capability
from ketnoi.geo.models import AdminUnit

from . import importers, selectors, services
from .models import MessagingAccount


class InventoryImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file lists"),
        choices=[
            ("loudspeakers", _("Radio stations and loudspeaker clusters")),
            ("boards", _("Electronic bulletin boards")),
        ],
    )
    file = forms.FileField(label=_("File (CSV UTF-8 or XLSX)"))


@login_required
def channel_list(request):
    require_capability(request.user, CHANNELS_VIEW)
    communes = paginate(request, selectors.communes_with_channels(user=request.user), per_page=100)
    return render(
        request,
        "channels/channel_list.html",
        {"communes": communes, "can_import": request.user.has_capability(CHANNELS_MANAGE)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def inventory_import(request):
    if not request.user.has_capability(CHANNELS_MANAGE):
        raise Http404
    form = InventoryImportForm(request.POST or None, request.FILES or None)
    errors, result = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = importers.IMPORTERS[form.cleaned_data["kind"]](upload, user=request.user, filename=upload.name)
        except ImportFailed as exc:
            errors = exc
    failed = errors is not None or (request.method == "POST" and not form.is_valid())
    return render(
        request,
        "channels/inventory_import.html",
        {"form": form, "errors": errors, "result": result},
        status=422 if failed else 200,
    )


class MessagingAccountForm(forms.ModelForm):
    followers = LocalIntegerField(label=_("followers or recipients"), required=False, min_value=0)
    url = forms.URLField(label=_("address"), required=False, assume_scheme="https")

    class Meta:
        model = MessagingAccount
        fields = ["platform", "handle", "url", "followers"]


@login_required
@require_http_methods(["GET", "POST"])
def messaging_account_create(request, code):
    commune = get_object_or_404(AdminUnit, structure="current", level="commune", code=code)
    if not allows(request.user, CHANNELS_MANAGE, commune):
        raise Http404
    form = MessagingAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.messaging_account_create(user=request.user, commune=commune, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Account saved."))
            return redirect(f"/units/current/commune/{commune.code}/#h-channels")
    status = 422 if request.method == "POST" else 200
    return render(request, "channels/account_form.html", {"form": form, "commune": commune}, status=status)
