"""Two-factor sign-in with TOTP (issue 10.3), on django-otp's devices.

A user turns it on by scanning a QR code (drawn here as SVG, no outside service) and typing one
code; ten one-time recovery codes are shown once and stored hashed by django-otp. Holders of the
roles in ``TWO_FACTOR_REQUIRED_ROLES`` (system administrators, coordinators and auditors in the
production profile) must turn it on before any other page opens, and cannot turn it off.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
ISSUER = "Ket Noi"


def required_for(user) -> bool:
    """Whether the user's roles oblige them to sign in with a second factor."""
    required = set(getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", ()))
    return bool(required and required & set(user.roles()))


def enabled_for(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one per user, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def confirm(*, user, token: str) -> list[str]:
    """Turn two-factor sign-in on with a first code from the app; returns the recovery codes."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationError(_("Start the set-up again: no authenticator is waiting for confirmation."))
    if not device.verify_token(_digits(token)):
        raise ValidationError({"token": _("This code is not right. Check the time on your phone and try again.")})
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    return recovery_codes_renew(user=user)


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    static, _created = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    static.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return [f"{code[:4]}-{code[4:]}" for code in codes]


@transaction.atomic
def disable(*, user, token: str) -> None:
    if required_for(user):
        raise ValidationError(_("Your role requires two-factor sign-in; it cannot be turned off."))
    if verified_device(user, token) is None:
        raise ValidationError({"token": _("This code is not right.")})
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def verified_device_for_session(user):
    """The confirmed authenticator, to mark the current session as verified after set-up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _digits(token: str) -> str:
    return "".join(ch for ch in str(token or "") if ch.isdigit())


def verified_device(user, token: str):
    """The device that accepts ``token`` (a 6-digit app code or a recovery code, used up), or None."""
    code = _digits(token)
    if not code:
        return None
    # An app code has 6 digits and a recovery code 8: each is tried only on its own kind of device,
    # so a mistyped app code does not throttle the recovery codes (django-otp throttles per device).
    kind = StaticDevice if len(code) == 8 else TOTPDevice
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, kind) and device.verify_token(code):
            return device
    return None
