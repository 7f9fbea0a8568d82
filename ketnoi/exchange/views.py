"""Pages of the information exchange: inbox/outbox, a request with its thread, new request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ketnoi.core.files import download_response
from ketnoi.core.forms import attach_errors
from ketnoi.core.paging import paginate
from ketnoi.core.roles import EXCHANGE_SEND, PROGRAMMES_VIEW
from ketnoi.core.scoping import user_scope
from ketnoi.programmes.models import Task
from ketnoi.programmes.selectors import task_visible_to, tasks_visible_to

from . import selectors, services
from .forms import CloseForm, ReplyForm, RequestForm
from .models import Attachment, OfficialRequest


def _require_view(request):
    if user_scope(request.user, PROGRAMMES_VIEW).empty:
        raise Http404


def _get(request, pk) -> OfficialRequest:
    _require_view(request)
    try:
        return selectors.request_get_for_user(user=request.user, pk=pk)
    except OfficialRequest.DoesNotExist:
        raise Http404 from None


@login_required
def request_list(request):
    _require_view(request)
    has_agency = request.user.agency_id is not None
    box = request.GET.get("box") or ("inbox" if has_agency else "all")
    if box not in selectors.BOXES:
        box = "all"
    state = request.GET.get("state", "")
    if state not in selectors.STATES:
        state = ""
    query = request.GET.get("q", "").strip()
    requests = selectors.request_list_for_user(user=request.user, box=box, state=state, query=query)
    context = {
        "page": paginate(request, requests),
        "box": box,
        "state": state,
        "q": query,
        "has_agency": has_agency,
        "can_send": not user_scope(request.user, EXCHANGE_SEND).empty and has_agency,
    }
    return render(request, "exchange/request_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    if user_scope(request.user, EXCHANGE_SEND).empty or request.user.agency_id is None:
        raise Http404
    form = RequestForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            task = None
            if data["task_code"]:
                tasks = Task.objects.filter(programme=data["programme"], code=data["task_code"].strip())
                task = tasks_visible_to(request.user, tasks).first()
                if task is None:
                    form.add_error("task_code", _("No task with this code in the chosen programme."))
            if not form.errors:
                try:
                    created = services.request_create(
                        user=request.user,
                        number_symbol=data["number_symbol"],
                        subject=data["subject"],
                        body=data["body"],
                        due_date=data["due_date"],
                        recipients=form.recipient_codes(),
                        programme=data["programme"],
                        task=task,
                        attachments=data["files"],
                    )
                except ValidationError as exc:
                    attach_errors(form, exc)
                else:
                    messages.success(request, _("Request %(number)s sent.") % {"number": created.number_symbol})
                    return redirect("exchange-detail", pk=created.pk)
        status = 422
    return render(request, "exchange/request_form.html", {"form": form}, status=status)


def _detail(request, obj, *, reply_form=None, close_form=None, status=200):
    context = {
        "obj": obj,
        "recipients": selectors.recipient_rows(obj),
        "responses": obj.responses.all(),
        "attachments": obj.attachments.all(),
        # The task's title only for those who may read the task (a corrective task quotes a finding).
        "task_readable": bool(obj.task_id) and task_visible_to(request.user, obj.task),
        "reply_form": reply_form or ReplyForm(),
        "close_form": close_form or CloseForm(),
        **selectors.user_roles_in(obj, user=request.user),
    }
    return render(request, "exchange/request_detail.html", context, status=status)


@login_required
def request_detail(request, pk):
    return _detail(request, _get(request, pk))


@login_required
@require_POST
def request_reply(request, pk):
    obj = _get(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.request_respond(
                user=request.user,
                request=obj,
                body=form.cleaned_data["body"],
                closes_part=form.cleaned_data["closes_part"],
                attachments=form.cleaned_data["files"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Answer sent."))
            return redirect("exchange-detail", pk=obj.pk)
    return _detail(request, obj, reply_form=form, status=422)


@login_required
@require_POST
def request_close(request, pk):
    obj = _get(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.request_close(user=request.user, request=obj, note=form.cleaned_data["note"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Request closed."))
            return redirect("exchange-detail", pk=obj.pk)
    return _detail(request, obj, close_form=form, status=422)


@login_required
def attachment_download(request, pk):
    _require_view(request)
    try:
        attachment = selectors.attachment_get_for_user(user=request.user, pk=pk)
    except (Attachment.DoesNotExist, OfficialRequest.DoesNotExist):
        raise Http404 from None
    return download_response(
        attachment.file_path, filename=attachment.original_name, content_type=attachment.content_type
    )
