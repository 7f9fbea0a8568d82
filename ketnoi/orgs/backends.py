"""Authentication behind the sign-in throttle wherever it is called (issues 11.1 and 11.9)."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ketnoi.core.middleware import client_ip
from ketnoi.core.ratelimit import is_known_browser, login_wait


def is_demo_password(password: str | None) -> bool:
    from ketnoi.demo import DEMO_PASSWORD

    return password == DEMO_PASSWORD


class GuardedModelBackend(ModelBackend):
    """Django's user/password check, refused while this account must wait at this address, so no
    sign-in path (the sign-in page, the admin, a future one) can skip the throttle. In the production
    profile the published demo password never signs anyone in; ``request.demo_password_refused``
    tells the sign-in page why."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username:
            ip = client_ip(request) if request is not None else None
            if login_wait(username, ip, known=is_known_browser(request, username)):
                return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and settings.PRODUCTION and is_demo_password(password):
            if request is not None:
                request.demo_password_refused = True
            return None
        return user


class DemoPasswordValidator:
    """The demo password is public (README, demo pages): refused as a new password in production."""

    def validate(self, password, user=None):
        if settings.PRODUCTION and is_demo_password(password):
            raise ValidationError(_("This is the published demo password; choose another one."), code="demo_password")

    def get_help_text(self):
        return _("It cannot be the published demo password.")
