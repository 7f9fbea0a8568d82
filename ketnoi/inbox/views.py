"""Pages of the inbox (staff, signed in, FEEDBACK_HANDLE in their area), the provider endpoint
where SMS and messaging replies and delivery reports arrive, and the citizen's reference lookup."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketnoi.core.paging import paginate
from ketnoi.core.roles import FEEDBACK_HANDLE
from ketnoi.core.scoping import restrict, user_scope
from ketnoi.portal.models import Feedback, FeedbackSender
from ketnoi.portal.services import record_sender_view
from ketnoi.portal.views import _render, portal_page

from . import selectors, services
from .models import Topic

log = logging.getLogger(__name__)


def mask_contact(contact: str) -> str:
    """A contact as staff lists show it: +84 91x xxx x78, n***@example.vn, or a Zalo id's ends."""
    from ketnoi.channels.phones import mask, normalise_phone

    if not contact:
        return ""
    if "@" in contact:
        local, _at, domain = contact.partition("@")
        return f"{local[:1]}***@{domain}"
    try:
        return mask(normalise_phone(contact))
    except ValidationError:
        return contact[:2] + "x" * max(len(contact) - 4, 2) + contact[-2:]


def _require_handler(user) -> None:
    if user_scope(user, FEEDBACK_HANDLE).empty:
        raise PermissionDenied


def _communes(user):
    from ketnoi.geo.models import AdminUnit

    return restrict(AdminUnit.objects.filter(structure="current", level="commune"), user, FEEDBACK_HANDLE).order_by(
        "name"
    )


@login_required
@require_GET
def inbox_list(request):
    _require_handler(request.user)
    state = request.GET.get("state", "open")
    if state not in Feedback.State.values and state not in ("open", ""):
        state = "open"
    channel = request.GET.get("channel", "")
    channel = channel if channel in Feedback.Channel.values else ""
    topic = request.GET.get("topic", "")
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.inbox_for(user=request.user, state=state, channel=channel, topic=topic, overdue=overdue)
    overdue_count = selectors.overdue_only(selectors.inbox_for(user=request.user)).count()
    return render(
        request,
        "inbox/list.html",
        {
            "page": paginate(request, rows),
            "state": state,
            "states": Feedback.State.choices,
            "channel": channel,
            "channels": Feedback.Channel.choices,
            "topic": topic,
            "topics": Topic.objects.filter(active=True),
            "overdue": overdue,
            "overdue_count": overdue_count,
            "today": timezone.localdate(),
        },
    )


class NoteForm(forms.Form):
    commune = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Commune"))
    channel = forms.ChoiceField(
        label=gettext_lazy("Heard at"),
        choices=[(c, label) for c, label in Feedback.Channel.choices if c in services.STAFF_CHANNELS],
    )
    received_at = forms.DateTimeField(
        label=gettext_lazy("When"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.filter(active=True), required=False, label=gettext_lazy("Topic")
    )
    message = forms.CharField(
        label=gettext_lazy("What the citizen said"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    name = forms.CharField(label=gettext_lazy("Citizen's name (optional)"), max_length=200, required=False)
    contact = forms.CharField(label=gettext_lazy("Phone or e-mail (optional)"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = _communes(user)


@login_required
@require_http_methods(["GET", "POST"])
def inbox_note(request):
    """Commune staff write down feedback heard at a meeting or on a loudspeaker call-in."""
    _require_handler(request.user)
    form = NoteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.note(
                user=request.user,
                commune=data["commune"],
                channel=data["channel"],
                message=data["message"],
                topic=data["topic"],
                name=data["name"],
                contact=data["contact"],
                received_at=data["received_at"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Noted. Reference number: %(ref)s") % {"ref": feedback.reference})
            return redirect("inbox-detail", pk=feedback.pk)
    return render(request, "inbox/note.html", {"form": form}, status=422 if form.errors else 200)


def _agencies_for(feedback):
    """The agencies staff may route to: those of the commune and of its province (central ones
    for feedback about no commune)."""
    from ketnoi.orgs.models import Agency

    current = Agency.objects.exclude(valid_to__lt=timezone.localdate())
    if feedback.unit is None:
        return current.filter(unit__isnull=True).order_by("name_vi")
    province_id = feedback.unit.province_id or feedback.unit.pk
    return current.filter(unit_id__in=[feedback.unit.pk, province_id]).order_by("kind", "name_vi")


@login_required
@require_http_methods(["GET", "POST"])
def inbox_detail(request, pk):
    try:
        feedback = selectors.feedback_for(user=request.user, pk=pk)
    except Feedback.DoesNotExist:
        raise Http404 from None
    errors = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "route":
                topic = Topic.objects.filter(pk=request.POST.get("topic") or None).first()
                agency = _agencies_for(feedback).filter(pk=request.POST.get("agency") or None).first()
                services.route(user=request.user, feedback=feedback, topic=topic, agency=agency)
                messages.success(request, _("The feedback was routed."))
            elif action == "answer":
                services.answer(user=request.user, feedback=feedback, text=request.POST.get("answer", ""))
                messages.success(request, _("The answer was recorded and goes back on the channel it came from."))
            elif action == "read_out":
                services.mark_read_out(user=request.user, feedback=feedback)
                messages.success(request, _("The answer is marked as read out."))
            elif action == "close":
                services.close(user=request.user, feedback=feedback)
                messages.success(request, _("The feedback was closed."))
            elif action == "reject":
                services.reject(user=request.user, feedback=feedback, reason=request.POST.get("rejection_reason", ""))
                messages.success(request, _("The feedback was rejected."))
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            return redirect("inbox-detail", pk=feedback.pk)
    sender = FeedbackSender.objects.filter(feedback=feedback).first()
    if sender is not None and sender.name:
        record_sender_view(sender, feedback=feedback, request=request)
    return render(
        request,
        "inbox/detail.html",
        {
            "feedback": feedback,
            "sender_name": sender.name if sender else "",
            "sender_contact": mask_contact(sender.contact) if sender else "",
            "events": feedback.events.select_related("actor"),
            "topics": Topic.objects.filter(active=True),
            "agencies": _agencies_for(feedback),
            "suggested": services.route_for(unit=feedback.unit, topic=feedback.topic),
            "overdue": feedback.is_overdue(),
            "errors": errors,
            "post": request.POST,
        },
        status=422 if errors else 200,
    )


# ---- providers post here ------------------------------------------------------------------------

RECEIVE_PLATFORMS = ("sms", "zalo", "webhook")


@csrf_exempt
@require_POST
def receive(request, platform):
    """SMS and messaging providers post delivery reports, opt-outs and citizens' replies here
    (docs/api.md). The adapter checks the post's token or signature: a forged post is 403."""
    from ketnoi.channels.senders import ReceiptRejected, SenderNotConfigured, sender_for

    if platform not in RECEIVE_PLATFORMS:
        raise Http404
    try:
        sender = sender_for(platform)
    except SenderNotConfigured:
        return JsonResponse({"error": "not_configured"}, status=404)
    try:
        with sender:
            events = sender.parse_events(request.body, request.headers)
    except ReceiptRejected as exc:
        code = getattr(exc, "code", "") or "rejected"
        status = 403 if code in ("bad_signature", "stale", "replay", "not_configured") else 400
        return JsonResponse({"error": code}, status=status)
    counts = services.receive_events(platform=platform, events=events)
    return JsonResponse(counts)


# ---- the citizen looks up their reference -------------------------------------------------------


LOOKUP_LIMIT = 30  # lookups per address per hour: a reference's check code is not worth guessing
LOOKUP_WINDOW_SECONDS = 3600


def _lookup_limited(ip) -> bool:
    from django.core.cache import cache

    if not ip:
        return False
    key = f"inbox-lookup:ip:{ip}"
    cache.add(key, 0, LOOKUP_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, LOOKUP_WINDOW_SECONDS)
        count = 1
    return count > LOOKUP_LIMIT


@require_GET
@portal_page
def lookup(request, language):
    """Public (no sign-in): the state and the answer of the feedback a reference names; never the
    sender, and the message only when it came through the portal (where it may be published)."""
    from ketnoi.core.middleware import client_ip

    reference = (request.GET.get("ref") or "").strip()[:40]
    if reference and _lookup_limited(client_ip(request)):
        return _render(request, "inbox/lookup.html", {"reference": reference, "limited": True}, status=429)
    feedback = services.lookup(reference) if reference else None
    status = 404 if reference and feedback is None else 200
    return _render(
        request,
        "inbox/lookup.html",
        {"reference": reference, "found": feedback, "not_found": status == 404},
        status=status,
    )
