"""Channel inventory pages: the communes of the user's area with their channels, and the import."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ketnoi.core.forms import LocalIntegerField, attach_errors
from ketnoi.core.importing import import_page
from ketnoi.core.paging import paginate
from ketnoi.core.roles import CHANNELS_MANAGE, CHANNELS_VIEW
from ketnoi.core.scoping import allows, require_capability
from ketnoi.geo.models import AdminUnit

from . import importers, selectors, services
from .console_selectors import console_links
from .models import MessagingAccount


class InventoryImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file lists"),
        choices=[
            ("loudspeakers", _("Radio stations and loudspeaker clusters")),
            ("boards", _("Electronic bulletin boards")),
            ("propagandists", _("grassroots propagandists")),
            ("accounts", _("SMS senders and messaging accounts")),
            ("sms_recipients", _("SMS recipients")),
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
        {
            "communes": communes,
            "can_import": request.user.has_capability(CHANNELS_MANAGE),
            "console": console_links(user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inventory_import(request):
    if not request.user.has_capability(CHANNELS_MANAGE):
        raise Http404
    return import_page(request, InventoryImportForm, importers.IMPORTERS, "channels/inventory_import.html")


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


# ---- bulletins (issue 8.2) ----------------------------------------------------------------------

CENTRAL = "central"


def _owner_choices(user) -> list[tuple[str, str]]:
    from ketnoi.core.roles import BULLETINS_WRITE
    from ketnoi.core.scoping import user_scope

    scope = user_scope(user, BULLETINS_WRITE)
    units = AdminUnit.objects.filter(structure="current")
    if scope.everywhere:
        return [(CENTRAL, str(_("Central (no province)")))] + [
            (str(u.pk), u.name) for u in units.filter(level="province").order_by("sort_key")
        ]
    provinces = units.filter(level="province", pk__in=scope.province_ids).order_by("sort_key")
    communes = units.filter(level="commune", pk__in=scope.commune_ids).select_related("province").order_by("sort_key")
    return [(str(u.pk), u.name) for u in provinces] + [(str(u.pk), f"{u.name} — {u.province.name}") for u in communes]


def _target_queryset(user):
    """Provinces and communes the user may send to: the communes themselves for a province or a
    commune, the provinces for central users (a commune elsewhere by its code)."""
    from django.db.models import Q

    from ketnoi.core.roles import BULLETINS_WRITE
    from ketnoi.core.scoping import user_scope

    scope = user_scope(user, BULLETINS_WRITE)
    units = AdminUnit.objects.filter(structure="current").select_related("province")
    if scope.everywhere:
        return units.filter(level="province").order_by("sort_key")
    return units.filter(
        Q(pk__in=scope.province_ids)
        | Q(level="commune", province_id__in=scope.province_ids)
        | Q(pk__in=scope.commune_ids)
    ).order_by("level", "sort_key")


class UnitChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        if obj.level == "commune" and obj.province_id:
            return f"{obj.name} ({obj.code}) — {obj.province.name}"
        return f"{obj.name} ({obj.code})"


class BulletinForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Plain text, one paragraph per line. Empty when the bulletin is made from an article: its text is taken."
        ),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=[], initial="normal")
    target_units = UnitChoices(
        label=_("Provinces and communes"),
        queryset=AdminUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    extra_codes = forms.CharField(label=_("Other communes by code (comma-separated)"), required=False, max_length=2000)
    target_villages = forms.ModelMultipleChoiceField(
        label=_("Villages"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    target_groups = forms.ModelMultipleChoiceField(
        label=_("Ethnic groups"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user=None, villages_of=None, **kwargs):
        from ketnoi.geo.models import Village
        from ketnoi.people.models import EthnicGroup

        from .models import Bulletin

        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = Bulletin.Priority.choices
        self.fields["target_units"].queryset = _target_queryset(user)
        self.fields["target_groups"].queryset = EthnicGroup.objects.order_by("sort_key")
        villages = Village.objects.none()
        if villages_of:
            villages = Village.objects.filter(commune__in=villages_of).select_related("commune")
        self.fields["target_villages"].queryset = villages.order_by("commune__sort_key", "name")

    def clean_extra_codes(self):
        codes = [c.strip() for c in (self.cleaned_data.get("extra_codes") or "").split(",") if c.strip()]
        units, unknown = [], []
        for code in codes:
            unit = AdminUnit.objects.filter(structure="current", code=code, level__in=["province", "commune"]).first()
            (units if unit else unknown).append(unit or code)
        if unknown:
            raise ValidationError(_("Unknown unit codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        return units

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data["target_units"] = [*data.pop("target_units"), *data.pop("extra_codes")]
        return data


class NewBulletinForm(BulletinForm):
    owner = forms.ChoiceField(label=_("Owned by"))
    content = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["owner"].choices = _owner_choices(user)

    def owner_unit(self):
        value = self.cleaned_data.get("owner")
        return None if value in (None, "", CENTRAL) else AdminUnit.objects.get(pk=int(value))


def _bulletin_or_404(user, pk):
    bulletin = selectors.bulletin_for(user=user, pk=pk)
    if bulletin is None:
        raise Http404
    return bulletin


def _writer(user):
    from ketnoi.core.roles import BULLETINS_WRITE

    return user.has_capability(BULLETINS_WRITE)


@login_required
def bulletin_list(request):
    from .models import Bulletin

    state = request.GET.get("state") or ""
    q = (request.GET.get("q") or "").strip()
    bulletins = selectors.bulletins_for(user=request.user, state=state or None, q=q or None)
    return render(
        request,
        "channels/bulletin_list.html",
        {
            "page": paginate(request, bulletins),
            "state": state,
            "q": q,
            "states": Bulletin.State.choices,
            "can_write": _writer(request.user),
        },
    )


def _approved_content(user, pk):
    from ketnoi.content.models import ContentItem
    from ketnoi.content.selectors import item_get_for_user

    try:
        return item_get_for_user(user=user, pk=pk)
    except ContentItem.DoesNotExist:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_create(request):
    if not _writer(request.user):
        raise Http404
    content_pk = request.POST.get("content") or request.GET.get("content")
    content = _approved_content(request.user, int(content_pk)) if str(content_pk or "").isdigit() else None
    initial = {"content": content.pk if content else None}
    if content is not None and content.owner_unit_id:
        initial["owner"] = str(content.owner_unit_id)
    form = NewBulletinForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        values.pop("owner")
        values.pop("content")
        try:
            bulletin = services.bulletin_create(
                user=request.user, owner_unit=form.owner_unit(), content=content, **values
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        except PermissionDenied:
            form.add_error("owner", _("You cannot write bulletins for this unit."))
        else:
            messages.success(request, _("Bulletin saved as a draft."))
            return redirect("bulletin-detail", pk=bulletin.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "channels/bulletin_form.html", {"form": form, "content": content}, status=status)


def _bulletin_page(request, bulletin, *, schedule_form=None, status=200):
    from ketnoi.people.models import Language

    context = selectors.bulletin_page(user=request.user, bulletin=bulletin)
    context["actions"] = services.bulletin_allowed_actions(request.user, bulletin)
    context["schedule_form"] = schedule_form or ScheduleForm()
    context["languages"] = Language.objects.all()
    return render(request, "channels/bulletin_detail.html", context, status=status)


@login_required
def bulletin_detail(request, pk):
    return _bulletin_page(request, _bulletin_or_404(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_edit(request, pk):
    bulletin = _bulletin_or_404(request.user, pk)
    from ketnoi.core.roles import BULLETINS_WRITE

    if not allows(request.user, BULLETINS_WRITE, bulletin) or bulletin.state != "draft":
        messages.error(request, _("Only a draft can be changed; return or reopen the bulletin first."))
        return redirect("bulletin-detail", pk=bulletin.pk)
    communes = selectors.target_communes(bulletin)
    initial = {
        "title": bulletin.title,
        "body": bulletin.body,
        "priority": bulletin.priority,
        "target_units": list(bulletin.target_units.all()),
        "target_villages": list(bulletin.target_villages.all()),
        "target_groups": list(bulletin.target_groups.all()),
        "valid_until": bulletin.valid_until,
    }
    form = BulletinForm(request.POST or None, user=request.user, villages_of=communes, initial=initial)
    version = request.POST.get("version") or bulletin.version
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.bulletin_update(user=request.user, bulletin=bulletin, version=version, **form.service_values())
        except services.StaleBulletinEdit:
            conflict = True
            form.add_error(
                None,
                _(
                    "Someone else saved this bulletin after you opened it. Your text is kept below; "
                    "compare it with the saved one and save again."
                ),
            )
            version = type(bulletin).objects.get(pk=bulletin.pk).version
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Bulletin saved."))
            return redirect("bulletin-detail", pk=bulletin.pk)
    status = 409 if conflict else (422 if request.method == "POST" else 200)
    return render(
        request,
        "channels/bulletin_form.html",
        {"form": form, "bulletin": bulletin, "version": version},
        status=status,
    )


@login_required
def rendition_new(request, pk):
    """The "add a rendition" picker (a GET form, so it works without JavaScript)."""
    bulletin = _bulletin_or_404(request.user, pk)
    channel, language = request.GET.get("channel", ""), request.GET.get("language", "")
    if not channel or not language:
        return redirect("bulletin-detail", pk=bulletin.pk)
    return redirect("rendition-edit", pk=bulletin.pk, channel=channel, language=language)


class RenditionForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}), required=False)


@login_required
@require_http_methods(["GET", "POST"])
def rendition_edit(request, pk, channel, language):
    from ketnoi.people.models import Language

    from .models import Rendition
    from .renditions import reading_seconds, sms_size

    bulletin = _bulletin_or_404(request.user, pk)
    language = get_object_or_404(Language, bcp47=language)
    if channel not in Rendition.Channel.values:
        raise Http404
    rendition = bulletin.renditions.filter(channel=channel, language=language).first()
    initial_text = rendition.text if rendition else ""
    if rendition is None and bulletin.content_id:
        initial_text = selectors.content_text_in(bulletin, language)
    form = RenditionForm(request.POST or None, initial={"text": initial_text})
    version = request.POST.get("version") or (rendition.version if rendition else "")
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.rendition_save(
                user=request.user,
                bulletin=bulletin,
                channel=channel,
                language=language,
                text=form.cleaned_data["text"],
                version=version or None,
            )
        except services.StaleBulletinEdit:
            form.add_error(
                None,
                _(
                    "Someone else saved this rendition after you opened it. Your text is kept below; "
                    "save again to replace theirs."
                ),
            )
            version, status = bulletin.renditions.get(channel=channel, language=language).version, 409
        except ValidationError as exc:
            attach_errors(form, exc)
            status = 422
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Rendition saved."))
            return redirect(f"/channels/bulletins/{bulletin.pk}/#r-{channel}-{language.bcp47}")
    typed = form.data.get("text", initial_text) if form.is_bound else initial_text
    return render(
        request,
        "channels/rendition_form.html",
        {
            "bulletin": bulletin,
            "rendition": rendition,
            "channel": Rendition.Channel(channel),
            "language": language,
            "form": form,
            "version": version,
            "sms": sms_size(typed or ""),
            "reading": reading_seconds(typed or "", language.bcp47),
        },
        status=status,
    )


def _rendition_or_404(user, pk):
    from .models import Rendition

    rendition = Rendition.objects.select_related("bulletin", "language").filter(pk=pk).first()
    if rendition is None or selectors.bulletin_for(user=user, pk=rendition.bulletin_id) is None:
        raise Http404
    return rendition


class RecordingForm(forms.Form):
    audio = forms.FileField(label=_("Recording (MP3, Ogg/Opus, WAV or M4A)"))


@login_required
@require_http_methods(["POST"])
def rendition_recording(request, pk):
    rendition = _rendition_or_404(request.user, pk)
    form = RecordingForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose the recording to upload."))
        services.rendition_upload_recording(user=request.user, rendition=rendition, upload=form.cleaned_data["audio"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _bulletin_page(request, rendition.bulletin, status=422)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Recording saved."))
    return redirect(f"/channels/bulletins/{rendition.bulletin_id}/#r-{rendition.channel}-{rendition.language.bcp47}")


@login_required
@require_http_methods(["POST"])
def rendition_speech(request, pk):
    rendition = _rendition_or_404(request.user, pk)
    try:
        services.rendition_request_speech(user=request.user, rendition=rendition)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _bulletin_page(request, rendition.bulletin, status=422)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Speech synthesis requested; the audio appears here when it is ready."))
    return redirect(f"/channels/bulletins/{rendition.bulletin_id}/#r-{rendition.channel}-{rendition.language.bcp47}")


@login_required
def rendition_audio(request, pk):
    from ketnoi.core.files import download_response

    rendition = _rendition_or_404(request.user, pk)
    if not rendition.audio:
        raise Http404
    extension = rendition.audio.name.rsplit(".", 1)[-1].lower()
    content_type = {"mp3": "audio/mpeg", "ogg": "audio/ogg", "opus": "audio/ogg", "wav": "audio/wav"}.get(
        extension, "audio/mp4" if extension == "m4a" else "application/octet-stream"
    )
    return download_response(
        rendition.audio.name,
        filename=f"bulletin-{rendition.bulletin_id}-{rendition.language.bcp47}.{extension}",
        content_type=content_type,
    )


@login_required
@require_http_methods(["POST"])
def rendition_delete(request, pk):
    rendition = _rendition_or_404(request.user, pk)
    try:
        services.rendition_delete(user=request.user, rendition=rendition)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Rendition removed."))
    return redirect("bulletin-detail", pk=rendition.bulletin_id)


WEEKDAYS = [
    ("1", _("Mon")),
    ("2", _("Tue")),
    ("3", _("Wed")),
    ("4", _("Thu")),
    ("5", _("Fri")),
    ("6", _("Sat")),
    ("7", _("Sun")),
]


class ScheduleForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Until (empty: one day)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Days of the week"),
        choices=WEEKDAYS,
        initial=[d for d, _label in WEEKDAYS],
        widget=forms.CheckboxSelectMultiple,
    )
    times = forms.CharField(label=_("Times (e.g. 06:00 17:30)"), max_length=200)


@login_required
@require_http_methods(["POST"])
def schedule_add(request, pk):
    bulletin = _bulletin_or_404(request.user, pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        values = dict(form.cleaned_data)
        values["weekdays"] = "".join(values["weekdays"])
        try:
            services.schedule_add(user=request.user, bulletin=bulletin, **values)
        except ValidationError as exc:
            attach_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Broadcast schedule added."))
            return redirect(f"/channels/bulletins/{bulletin.pk}/#schedules")
    return _bulletin_page(request, bulletin, schedule_form=form, status=422)


@login_required
@require_http_methods(["POST"])
def schedule_delete(request, pk, schedule_pk):
    bulletin = _bulletin_or_404(request.user, pk)
    schedule = get_object_or_404(bulletin.schedules, pk=schedule_pk)
    try:
        services.schedule_delete(user=request.user, schedule=schedule)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise Http404 from None
    return redirect(f"/channels/bulletins/{bulletin.pk}/#schedules")


@login_required
@require_http_methods(["POST"])
def bulletin_transition(request, pk):
    bulletin = _bulletin_or_404(request.user, pk)
    action = request.POST.get("action", "")
    try:
        services.bulletin_transition(
            user=request.user, bulletin=bulletin, action=action, comment=request.POST.get("comment", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _bulletin_page(request, bulletin, status=422)
    except PermissionDenied:
        messages.error(request, _("You cannot do this on this bulletin."))
        return _bulletin_page(request, bulletin, status=403)
    messages.success(request, _("Done."))
    return redirect("bulletin-detail", pk=bulletin.pk)


# ---- SMS recipients -----------------------------------------------------------------------------


class SmsRecipientForm(forms.Form):
    phone = forms.CharField(label=_("Phone (mobile)"), max_length=30)
    language = forms.ModelChoiceField(label=_("Language"), queryset=None)
    village = forms.ModelChoiceField(label=_("Village"), queryset=None, required=False)

    def __init__(self, *args, commune=None, **kwargs):
        from ketnoi.geo.models import Village
        from ketnoi.people.models import Language

        super().__init__(*args, **kwargs)
        self.fields["language"].queryset = Language.objects.all()
        self.fields["language"].initial = Language.objects.filter(bcp47="vi").first()
        self.fields["village"].queryset = Village.objects.filter(commune=commune).order_by("sort_key")


@login_required
@require_http_methods(["GET", "POST"])
def sms_recipients(request, code):
    from .models import SmsRecipient
    from .phones import mask

    commune = get_object_or_404(AdminUnit, structure="current", level="commune", code=code)
    if not allows(request.user, CHANNELS_MANAGE, commune):
        raise Http404
    form = SmsRecipientForm(request.POST or None, commune=commune)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.sms_recipient_add(user=request.user, commune=commune, **form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Number added."))
                return redirect("sms-recipients", code=commune.code)
    recipients = SmsRecipient.objects.filter(commune=commune).select_related("village", "language").order_by("-id")
    page = paginate(request, recipients, per_page=100)
    rows = [(r, mask(r.phone) if r.phone.startswith("+") else "•••") for r in page]
    return render(
        request,
        "channels/sms_recipients.html",
        {
            "commune": commune,
            "form": form,
            "page": page,
            "rows": rows,
            "active": recipients.filter(opted_out_at__isnull=True).count(),
        },
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def sms_recipient_opt_out(request, pk):
    from .models import SmsRecipient

    recipient = get_object_or_404(SmsRecipient.objects.select_related("commune"), pk=pk)
    if not allows(request.user, CHANNELS_MANAGE, recipient):
        raise Http404
    services.sms_recipient_opt_out(user=request.user, recipient=recipient, source="staff")
    messages.success(request, _("The number will receive nothing more."))
    return redirect("sms-recipients", code=recipient.commune.code)


def commune_section(request, commune):
    """The commune page's channels section (registered in apps.py through core.sections)."""
    if not allows(request.user, CHANNELS_VIEW, commune):
        return None
    inventory = selectors.commune_inventory(user=request.user, commune=commune)
    services.record_phone_views(inventory, request=request)
    return "channels/_commune.html", {"channels": inventory}
