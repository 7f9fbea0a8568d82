"""Every error answer under /api/ is an RFC 9457 problem (issue 11.6).

The API's exception handlers (core/api.py) cover what a view raises. What happens before or around
a view does not pass through them: a path that matches no route (Django's HTML 404), a wrong method
(ninja's plain 405), a CSRF refusal, a body over the upload limit, and views that return a 409 body
of their own as application/json. This middleware turns each such answer into
``application/problem+json`` and keeps the headers that go with it (Allow, WWW-Authenticate).
"""

from __future__ import annotations

import json
from http import HTTPStatus

from django.http import JsonResponse
from django.utils.translation import gettext as _

from .api import PROBLEM_CONTENT_TYPE, problem

API_PREFIX = "/api/"
_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After", "Vary")


def _title(status: int) -> str:
    titles = {
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Request too large"),
    }
    if status in titles:
        return titles[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return str(status)


class ApiProblemMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith(PROBLEM_CONTENT_TYPE) or getattr(response, "streaming", False):
            return response
        body = None
        if content_type.startswith("application/json"):
            try:
                body = json.loads(response.content)
            except ValueError:
                body = None
        if isinstance(body, dict) and body.get("title"):
            body = {"type": "about:blank", "status": response.status_code, "instance": request.path, **body}
            replacement = JsonResponse(
                body,
                status=response.status_code,
                content_type=PROBLEM_CONTENT_TYPE,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            detail = ""
            if response.status_code == 405 and response.has_header("Allow"):
                detail = _("Allowed methods: %(methods)s.") % {"methods": response["Allow"]}
            replacement = problem(request, response.status_code, _title(response.status_code), detail)
        for header in _KEPT_HEADERS:
            if response.has_header(header):
                replacement[header] = response[header]
        for name, value in response.cookies.items():
            replacement.cookies[name] = value
        return replacement
