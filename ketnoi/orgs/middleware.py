"""Holders of the roles that require two-factor sign-in (settings.TWO_FACTOR_REQUIRED_ROLES) reach
nothing but the set-up page until they have turned it on, and a session of theirs that was not
signed in with the second factor is ended (issue 10.3)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import sessions, twofactor

_OPEN_PREFIXES = ("/static/", "/logout/", "/login/", "/i18n/", "/account/two-factor/")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and twofactor.required_for(user)
        ):
            if not twofactor.enabled_for(user):
                message = _("Your role requires two-factor sign-in. Turn it on to continue.")
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"type": "about:blank", "title": message, "status": 403},
                        status=403,
                        content_type="application/problem+json",
                    )
                messages.warning(request, message)
                return redirect(reverse("two-factor"))
            if not user.is_verified():
                logout(request)
                messages.error(request, _("Sign in again with your authenticator code."))
                return redirect(reverse("login"))
        if user is not None and user.is_authenticated:
            sessions.touch(request)
        return self.get_response(request)
