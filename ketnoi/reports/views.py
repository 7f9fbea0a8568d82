"""Pages of the reviews: the list of a programme's reviews, downloads, and giving a review its number."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from ketnoi.core.roles import PROGRAMMES_MANAGE, PROGRAMMES_VIEW
from ketnoi.core.scoping import allows, user_scope
from ketnoi.orgs.models import Agency
from ketnoi.programmes.models import Programme

from . import documents, selectors, services

KIND_LABELS = {
    selectors.ANNUAL: _lazy("Annual preliminary review"),
    selectors.MIDTERM: _lazy("Mid-term preliminary review"),
    selectors.FINAL: _lazy("Final review"),
}


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
    today = timezone.localdate()
    rows = [
        {
            "period": period,
            "kind": kind,
            "issued": issued.get((period, kind)),
            "opens_on": selectors.review_opens_on(period) if selectors.review_not_yet(period, today) else None,
        }
        for period, kind in selectors.review_periods(programme)
    ]
    context = {
        "programme": programme,
        "rows": rows,
        "kind_labels": KIND_LABELS,
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


def _issue_request(request) -> dict[str, str]:
    source = request.POST if request.method == "POST" else request.GET
    return {key: source.get(key, "").strip() for key in ("period", "kind", "issuer")}


@login_required
@require_http_methods(["GET", "POST"])
def review_issue(request, code):
    """ "Cấp số": a confirmation page first (GET, or a POST without ``confirm``), then the number.

    Works without JavaScript: the list's button opens this page, whose form gives the number.
    A refused request (a year not begun, a bad period, kind or issuer) is the page again with why (422).
    """
    if not allows(request.user, PROGRAMMES_MANAGE, None):
        raise Http404
    programme = _programme_or_404(code)
    asked = _issue_request(request)
    existing = selectors.issued_reviews(programme=programme).get((asked["period"], asked["kind"]))
    if existing is not None:
        messages.info(request, _("The review already has number %(number)s.") % {"number": existing.number_symbol})
        return redirect("review-list", code=programme.code)
    errors = []
    try:
        issuer_code = selectors.issue_check(programme, **asked)
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            issued = services.review_issue(user=request.user, programme=programme, **asked)
            messages.success(request, _("The review has number %(number)s.") % {"number": issued.number_symbol})
            return redirect("review-list", code=programme.code)
    except ValidationError as exc:
        errors = exc.messages
    today = timezone.localdate()
    issuer = Agency.objects.filter(code=issuer_code).first() if not errors else None
    context = {
        "programme": programme,
        "asked": asked,
        "kind_label": KIND_LABELS.get(asked["kind"], asked["kind"]),
        "issuer": issuer,
        "number": selectors.next_number_symbol(issuer.code, today.year) if issuer else "",
        "today": today,
        "errors": errors,
    }
    return render(request, "reports/review_issue.html", context, status=422 if errors else 200)
