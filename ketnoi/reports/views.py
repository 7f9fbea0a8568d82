"""Pages of the reviews: the list of a programme's reviews, downloads, and giving a review its number."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ketnoi.core.roles import PROGRAMMES_MANAGE, PROGRAMMES_VIEW
from ketnoi.core.scoping import allows, user_scope
from ketnoi.programmes.models import Programme

from . import documents, selectors, services


def _require_view(user) -> None:
    if user_scope(user, PROGRAMMES_VIEW).empty:
        raise PermissionDenied(PROGRAMMES_VIEW)


def _programme_or_404(code: str) -> Programme:
    try:
        return Programme.objects.select_related("document").get(code=code)
    except Programme.DoesNotExist:
        raise Http404 from None


def file_response(content: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=documents.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "private, no-store"
    return response


def build_review(*, user, programme: Programme, period: str, kind: str, fmt: str) -> tuple[bytes, str]:
    """The file of a review and its name; ValidationError for a bad period, kind or format."""
    if fmt not in documents.FORMATS:
        raise ValidationError({"format": _("Unknown format %(format)r: use docx or pdf.") % {"format": fmt}})
    data = selectors.review_data(programme=programme, period=period, kind=kind, user=user)
    document = documents.compose(data, user=user)
    return documents.render(document, fmt), document.filename(fmt)


@login_required
def review_index(request):
    _require_view(request.user)
    programmes = Programme.objects.select_related("document").order_by("-period_start", "code")
    return render(request, "reports/review_index.html", {"programmes": programmes})


@login_required
def review_list(request, code):
    _require_view(request.user)
    programme = _programme_or_404(code)
    issued = selectors.issued_reviews(programme=programme)
    rows = [
        {"period": period, "kind": kind, "issued": issued.get((period, kind))}
        for period, kind in selectors.review_periods(programme)
    ]
    context = {
        "programme": programme,
        "rows": rows,
        "kind_labels": {
            selectors.ANNUAL: _("Annual preliminary review"),
            selectors.MIDTERM: _("Mid-term preliminary review"),
            selectors.FINAL: _("Final review"),
        },
        "can_download": selectors.can_read_reviews(request.user),
        "can_issue": allows(request.user, PROGRAMMES_MANAGE, None),
        "issuers": selectors.issuer_codes(programme),
    }
    return render(request, "reports/review_list.html", context)


@login_required
@require_GET
def review_download(request, code):
    _require_view(request.user)
    if not selectors.can_read_reviews(request.user):
        raise Http404  # national data: not there for users with an area scope
    programme = _programme_or_404(code)
    try:
        content, filename = build_review(
            user=request.user,
            programme=programme,
            period=request.GET.get("period", ""),
            kind=request.GET.get("kind", selectors.ANNUAL),
            fmt=request.GET.get("format", "docx"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("review-list", code=programme.code)
    return file_response(content, request.GET.get("format", "docx"), filename)


@login_required
@require_POST
def review_issue(request, code):
    if not allows(request.user, PROGRAMMES_MANAGE, None):
        raise Http404
    programme = _programme_or_404(code)
    try:
        issued = services.review_issue(
            user=request.user,
            programme=programme,
            period=request.POST.get("period", ""),
            kind=request.POST.get("kind", ""),
            issuer=request.POST.get("issuer", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The review has number %(number)s.") % {"number": issued.number_symbol})
    return redirect("review-list", code=programme.code)
