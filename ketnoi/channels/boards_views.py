"""Electronic bulletin boards (issue 8.7): the kiosk page, its JSON feed, the board's heartbeats and
display logs, and the staff's preview and token pages.

How a board authenticates. The link given to the board's installer carries the token once
(``/boards/kiosk/?token=…``). The kiosk page answers with a redirect to ``/boards/kiosk/`` that
sets the token as an HttpOnly cookie (SameSite=Strict, path /boards/, Secure in production):

- the page works without JavaScript (a static page with <meta refresh> sends the cookie itself);
- the token is out of reach of script on the page, and out of the address bar, history and logs
  after the first request;
- revocation is immediate: the cookie holds the token, which is looked up on every request.

A player that is not a browser sends ``Authorization: Bearer <token>`` instead. CSRF: a request
authenticated by the Authorization header cannot be forged by another site (a browser never adds
that header on its own), so those are exempt; a request authenticated by the cookie is checked
like any form post (the kiosk page hands its script the CSRF token).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketnoi.core.roles import CHANNELS_VIEW
from ketnoi.core.scoping import restrict

from . import boards
from .models import BulletinBoard, DeviceCredential

COOKIE = "ketnoi_board"
COOKIE_PATH = "/boards/"
COOKIE_AGE = 400 * 24 * 3600  # browsers cap a cookie's life at 400 days
HEARTBEAT_MAX_BYTES = 4 * 1024
DISPLAYED_MAX_BYTES = 128 * 1024


def _bearer(request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def _refused_json():
    response = JsonResponse(
        {
            "title": _("This board is not authorised."),
            "detail": _("The board's token is unknown or was revoked. Ask the commune for a new board link."),
        },
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="ketnoi-board"'
    return response


def _refused_page(request):
    response = render(request, "channels/board_refused.html", status=401)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    patch_cache_control(response, no_store=True)
    return response


def _no_store(response):
    patch_cache_control(response, no_cache=True, private=True)
    return response


def _kiosk_context(board, items, *, preview: bool, at: int = 0):
    rotate = boards.rotate_seconds()
    at = at % len(items) if items else 0
    return {
        "board": board,
        "items": items,
        "at": at,
        "next_at": (at + 1) % len(items) if items else 0,
        "emergency": any(item.emergency for item in items),
        "rotate_seconds": rotate,
        "poll_seconds": boards.poll_seconds(),
        "preview": preview,
        # without JavaScript the page reloads itself: on the next bulletin, or to fetch news
        "refresh_seconds": rotate if len(items) > 1 else boards.poll_seconds(),
    }


@require_GET
def kiosk(request):
    """The board's full-screen page. ``?token=`` once, then the cookie."""
    token = request.GET.get("token")
    if token is not None:
        if boards.authenticate(token) is None:
            return _refused_page(request)
        response = HttpResponseRedirect(reverse("board-kiosk"))
        response.set_cookie(
            COOKIE,
            token,
            max_age=COOKIE_AGE,
            path=COOKIE_PATH,
            httponly=True,
            samesite="Strict",
            secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
        )
        patch_cache_control(response, no_store=True)
        return response
    credential = boards.authenticate(request.COOKIES.get(COOKIE))
    if credential is None:
        return _refused_page(request)
    items = boards.current_items(credential.board)
    boards.mark_sent(items)
    try:
        at = int(request.GET.get("at", "0"))
    except ValueError:
        at = 0
    context = _kiosk_context(credential.board, items, preview=False, at=at)
    data, etag, _items = boards.feed(credential.board)
    context.update(feed=data, etag=etag)
    return _no_store(render(request, "channels/board_kiosk.html", context))


@require_GET
def feed(request):
    """``/boards/feed.json``: the board's current bulletins; 304 when unchanged."""
    credential = boards.authenticate(_bearer(request) or request.COOKIES.get(COOKIE))
    if credential is None:
        return _refused_json()
    data, etag, items = boards.feed(credential.board)
    boards.mark_sent(items)  # idempotent: only queued deliveries move
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["ETag"] = etag
    return _no_store(response)


def _device_post(max_bytes: int):
    """Decorator for the board's POST endpoints: authenticate by token, check CSRF when the token
    came in the cookie, limit the body, parse JSON."""

    def decorator(handler):
        @csrf_exempt
        @require_POST
        def view(request):
            bearer = _bearer(request)
            credential = boards.authenticate(bearer or request.COOKIES.get(COOKIE))
            if credential is None:
                return _refused_json()
            if bearer is None:  # cookie-authenticated: a forged cross-site post must fail
                refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
                if refused is not None:
                    return JsonResponse({"title": _("The request was refused (CSRF)."), "detail": ""}, status=403)
            try:
                length = int(request.headers.get("Content-Length") or 0)
            except ValueError:
                length = 0
            if length > max_bytes or len(request.body) > max_bytes:
                return JsonResponse(
                    {
                        "title": _("The request is too large."),
                        "detail": _("Send at most %(n)d bytes at a time.") % {"n": max_bytes},
                    },
                    status=413,
                )
            try:
                payload = json.loads(request.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return JsonResponse({"title": _("The body is not JSON."), "detail": ""}, status=400)
            try:
                result = handler(credential, payload)
            except ValidationError as error:
                return JsonResponse(
                    {"title": _("The request was refused."), "detail": " ".join(error.messages)}, status=400
                )
            return _no_store(JsonResponse(result, json_dumps_params={"ensure_ascii": False}))

        view.__name__ = handler.__name__
        view.__doc__ = handler.__doc__
        return view

    return decorator


@_device_post(HEARTBEAT_MAX_BYTES)
def heartbeat(credential, payload):
    """``POST /boards/heartbeat``: ``{state, firmware, reported_at}``."""
    return boards.record_heartbeat(credential, payload)


@_device_post(DISPLAYED_MAX_BYTES)
def displayed(credential, payload):
    """``POST /boards/displayed``: ``[{client_id, rendition_id, started_at, seconds}]``."""
    return boards.record_displays(credential, payload).as_json()


@require_GET
def service_worker(request):
    """The kiosk's service worker, served from /boards/ so that its scope covers the kiosk page
    (a worker under /static/ could only control /static/). It keeps the last kiosk page and its
    assets, so a board that restarts while the network is down still shows its last content."""
    from pathlib import Path

    script = (Path(__file__).resolve().parent.parent / "static" / "channels" / "board-sw.js").read_text("utf-8")
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    patch_cache_control(response, no_cache=True)
    return response


# ---- staff ------------------------------------------------------------------------------------


def _board_or_404(user, pk, capability=CHANNELS_VIEW):
    return get_object_or_404(restrict(BulletinBoard.objects.select_related("commune"), user, capability), pk=pk)


@login_required
@require_GET
def preview(request, pk):
    """What the board shows now, for staff who may see the commune's channels: read-only (nothing
    is marked sent, nothing logged) and without a token."""
    board = _board_or_404(request.user, pk)
    items = boards.current_items(board)
    try:
        at = int(request.GET.get("at", "0"))
    except ValueError:
        at = 0
    return _no_store(render(request, "channels/board_kiosk.html", _kiosk_context(board, items, preview=True, at=at)))


@login_required
@require_http_methods(["POST"])
def token_issue(request, pk):
    """Issue a token for the board and show its kiosk link once."""
    from ketnoi.core.roles import CHANNELS_MANAGE

    board = _board_or_404(request.user, pk, CHANNELS_MANAGE)
    try:
        credential, token = boards.issue_token(user=request.user, board=board)
    except ValidationError as error:
        return render(request, "channels/board_token.html", {"board": board, "errors": error.messages}, status=400)
    link = request.build_absolute_uri(reverse("board-kiosk") + "?token=" + token)
    response = render(request, "channels/board_token.html", {"board": board, "credential": credential, "link": link})
    patch_cache_control(response, no_store=True)
    return response


@login_required
@require_http_methods(["POST"])
def token_revoke(request, pk):
    from ketnoi.core.roles import CHANNELS_MANAGE

    credential = get_object_or_404(
        restrict(
            DeviceCredential.objects.filter(board__isnull=False).select_related("board__commune"),
            request.user,
            CHANNELS_MANAGE,
        ),
        pk=pk,
    )
    boards.revoke_token(user=request.user, credential=credential)
    return HttpResponseRedirect(
        reverse("unit-detail", args=["current", "commune", credential.board.commune.code]) + "#h-channels"
    )
