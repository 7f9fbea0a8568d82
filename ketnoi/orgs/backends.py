"""Authentication behind the sign-in rate limit wherever it is called (issue 11.1)."""

from django.contrib.auth.backends import ModelBackend

from ketnoi.core.middleware import client_ip
from ketnoi.core.ratelimit import login_blocked


class GuardedModelBackend(ModelBackend):
    """Django's user/password check, refused while the account is locked out for the address, so no
    sign-in path (the sign-in page, the admin, a future one) can bypass the lockout."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and login_blocked(username, client_ip(request) if request is not None else None):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
