"""Internal pages (sign-in required) where editorial reviewers answer or reject citizens' feedback."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ketnoi.core.paging import paginate
from ketnoi.core.roles import CONTENT_APPRAISE
from ketnoi.core.scoping import user_scope

from . import selectors, services
from .models import Feedback, FeedbackSender
from .services import record_sender_view


def _require_moderator(user) -> None:
    if user_scope(user, CONTENT_APPRAISE).empty:
        raise PermissionDenied


@login_required
def feedback_list(request):
    _require_moderator(request.user)
    state = request.GET.get("state", Feedback.State.RECEIVED)
    if state not in Feedback.State.values and state != "all":
        state = Feedback.State.RECEIVED
    rows = selectors.feedback_list_for_user(user=request.user, state=None if state == "all" else state)
    return render(
        request,
        "portal/moderation_list.html",
        {"page": paginate(request, rows), "state": state, "states": Feedback.State.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def feedback_detail(request, pk):
    _require_moderator(request.user)
    try:
        feedback = selectors.feedback_get_for_user(user=request.user, pk=pk)
    except Feedback.DoesNotExist:
        raise Http404 from None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "answer":
                services.feedback_answer(user=request.user, feedback=feedback, answer=request.POST.get("answer", ""))
                messages.success(request, _("The answer is published on the portal."))
            elif action == "reject":
                services.feedback_reject(
                    user=request.user, feedback=feedback, reason=request.POST.get("rejection_reason", "")
                )
                messages.success(request, _("The feedback was rejected."))
            else:
                raise ValidationError(_("Choose to answer or to reject."))
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            return redirect("portal-feedback-moderation")
    sender = FeedbackSender.objects.filter(feedback=feedback).first()
    if sender is not None:
        record_sender_view(sender, feedback=feedback, request=request)
    return render(
        request,
        "portal/moderation_detail.html",
        {"feedback": feedback, "sender": sender, "errors": errors, "post": request.POST},
        status=422 if errors else 200,
    )
