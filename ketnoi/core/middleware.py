import logging

from .audit import acting_as

log = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    # Behind a reverse proxy, configure it to set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR")


class VietnameseFirstMiddleware:
    """Ignore the browser's Accept-Language so the interface starts in Vietnamese (see settings)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if not settings.KETNOI_FOLLOW_BROWSER_LANGUAGE:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class ActorMiddleware:
    """Makes the logged-in user the actor of every audited write in this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        source = "api" if request.path.startswith("/api/") else "web"
        with acting_as(actor, ip_address=client_ip(request), source=source):
            return self.get_response(request)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: everything from this host, nothing from third parties, no
    inline script and no inline style (every script and stylesheet is a file under static/; the
    timeline draws its bars as SVG). HSTS comes from SecurityMiddleware in the production profile."""

    POLICY = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; connect-src 'self'; font-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )

    PERMISSIONS = "geolocation=(), camera=(), microphone=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Permissions-Policy", self.PERMISSIONS)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


class ConcurrentWriteMiddleware:
    """A page request whose write broke a unique constraint wrote the same record at the same moment
    as another request (services check duplicates first). Nothing of it was kept: say so (409)
    instead of a server error. The API answers the same as problem+json (core/api.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import IntegrityError
        from django.shortcuts import render

        from .storage import is_disk_full

        if request.path.startswith("/api/"):
            return None
        if is_disk_full(exception):
            # The request's transaction is rolled back and the partial file removed (core/storage.py).
            log.error("disk full while handling %s %s: %s", request.method, request.path, exception)
            return render(request, "storage_full.html", status=507)
        if not isinstance(exception, IntegrityError):
            return None
        return render(request, "conflict.html", status=409)
