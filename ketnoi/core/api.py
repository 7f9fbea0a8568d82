"""API plumbing shared by every router: RFC 9457 problem details and pagination."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase
from pydantic import Field

from .importing import ImportFailed

PROBLEM_CONTENT_TYPE = "application/problem+json"
STORAGE_FULL_MESSAGE = _lazy(
    "The server's disk is full, so nothing was saved. The administrators have been told; try again later."
)
MAX_PAGE = 1_000_000


def problem(request: HttpRequest, status: int, title: str, detail: str = "", **extra: Any) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "instance": request.path}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JsonResponse(
        body, status=status, content_type=PROBLEM_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )


def install_problem_handlers(api) -> None:
    @api.exception_handler(NinjaValidationError)
    def _invalid_request(request, exc):
        def field(loc) -> str | None:
            # ninja locates body fields as ("body", "<parameter>", "field", ...): keep the field path.
            parts = list(loc)[2:] if loc and loc[0] == "body" else list(loc)[1:]
            # a missing body or parameter as a whole is named by where it was expected
            return ".".join(str(p) for p in parts) or (str(list(loc)[-1]) if loc else None)

        def message(err) -> str:
            # pydantic's messages are English; the commonest ones are said in the reader's language
            known = {"missing": _("This field is required."), "json_invalid": _("The body is not valid JSON.")}
            return str(known.get(err.get("type"), err.get("msg", "")))

        errors = [{"field": field(err.get("loc", [])), "message": message(err)} for err in exc.errors]
        return problem(request, 422, _("Invalid request"), _("Some fields are not valid."), errors=errors)

    @api.exception_handler(ValidationError)
    def _invalid_data(request, exc):
        if hasattr(exc, "error_dict"):
            errors = [{"field": f, "message": str(m)} for f, ms in exc.message_dict.items() for m in ms]
        else:
            errors = [{"field": None, "message": m} for m in exc.messages]
        return problem(request, 422, _("Invalid data"), "; ".join(e["message"] for e in errors), errors=errors)

    @api.exception_handler(ImportFailed)
    def _import_failed(request, exc):
        return problem(
            request,
            422,
            _("Import refused; nothing was written"),
            exc.summary(),
            errors=[e.as_dict() for e in exc.errors],
            total_errors=exc.total,
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        response = problem(request, 401, _("Authentication required"), _("Send a bearer token or sign in."))
        response["WWW-Authenticate"] = 'Bearer realm="ketnoi"'
        return response

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return problem(request, 403, _("Forbidden"), _("This is outside your role or your area."))

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return problem(request, 404, _("Not found"))

    @api.exception_handler(ObjectDoesNotExist)
    def _does_not_exist(request, exc):
        return problem(request, 404, _("Not found"))

    @api.exception_handler(HttpError)
    def _http_error(request, exc):
        return problem(request, exc.status_code, str(exc.message) if hasattr(exc, "message") else str(exc))

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def _out_of_range(request, exc):
        # A last line behind the field checks (core/validation.py): a value the database cannot hold.
        return problem(request, 422, _("Invalid data"), _("A value is too long or a number is out of range."))

    @api.exception_handler(IntegrityError)
    def _conflict(request, exc):
        # Services check duplicates first; what still breaks a unique constraint is a request that
        # wrote the same record at the same moment as another one. Nothing of this request was kept.
        return problem(
            request,
            409,
            _("Conflict"),
            _("Another request wrote the same record at the same moment; nothing was saved. Read it again and retry."),
        )

    @api.exception_handler(Exception)
    def _server_error(request, exc):
        import logging

        from .storage import is_disk_full

        if is_disk_full(exc):
            logging.getLogger("ketnoi.api").error("disk full: %s", exc)
            return problem(request, 507, _("Storage full"), STORAGE_FULL_MESSAGE)
        logging.getLogger("ketnoi.api").exception("unhandled API error")
        return problem(request, 500, _("Internal error"), _("The error has been logged."))


class Page(PaginationBase):
    """?page=N&page_size=M (max 500); the response says how many items and pages there are.

    ``page`` is 1 to MAX_PAGE (else 422); a page past the last one is empty. ``page_size`` is capped."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int = 50

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        pages: int

    items_attribute = "items"
    max_page_size = 500

    def paginate_queryset(self, queryset, pagination: Input, **params):
        page_size = max(1, min(pagination.page_size, self.max_page_size))
        page = pagination.page
        count = queryset.count() if hasattr(queryset, "count") and not isinstance(queryset, list) else len(queryset)
        offset = (page - 1) * page_size
        return {
            "items": list(queryset[offset : offset + page_size]),
            "count": count,
            "page": page,
            "page_size": page_size,
            "pages": max(1, math.ceil(count / page_size)),
        }
