"""Write use-cases for users, role grants and API tokens."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core.roles import AGENCIES_CHANGE, ROLE_CHOICES
from ketnoi.core.scoping import COMMUNE, COUNTRY, PROVINCE, require
from ketnoi.core.text import normalize_text
from ketnoi.geo.models import AdminUnit

from .models import Agency, ApiToken, OfficeHolder, RoleGrant, User

TOKEN_PREFIX = "kn_"


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    agency: Agency | None = None,
    is_superuser: bool = False,
    validate: bool = True,
) -> User:
    username = normalize_text(username, collapse_spaces=True)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("User %(u)s already exists.") % {"u": username}})
    user = User(
        username=username,
        full_name=normalize_text(full_name, collapse_spaces=True),
        email=email,
        agency=agency,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def role_grant(*, user: User, role: str, unit: AdminUnit | None = None, note: str = "") -> RoleGrant:
    if role not in dict(ROLE_CHOICES):
        raise ValidationError({"role": _("Unknown role %(r)s.") % {"r": role}})
    if unit is None:
        level = COUNTRY
    elif unit.structure != AdminUnit.Structure.CURRENT:
        raise ValidationError({"unit": _("Roles are granted over units of the current structure.")})
    else:
        level = PROVINCE if unit.level == AdminUnit.Level.PROVINCE else COMMUNE
    grant, _created = RoleGrant.objects.get_or_create(
        user=user, role=role, scope_level=level, unit=unit, defaults={"note": note}
    )
    user._active_grants = None
    return grant


def token_max_days() -> int:
    return int(getattr(settings, "API_TOKEN_MAX_DAYS", 365))


@transaction.atomic
def token_create(*, user: User, name: str, days_valid: int | None = 365) -> tuple[ApiToken, str]:
    """Create a token; returns it with the plain key, which is shown once and never stored.

    Every token expires: ``days_valid`` is 1 to API_TOKEN_MAX_DAYS."""
    limit = token_max_days()
    if not isinstance(days_valid, int) or isinstance(days_valid, bool) or not 1 <= days_valid <= limit:
        raise ValidationError({"days_valid": _("A token is valid for 1 to %(limit)s days.") % {"limit": limit}})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=normalize_text(name, collapse_spaces=True) or "token",
        prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + timezone.timedelta(days=days_valid),
    )
    return token, key


def token_revoke(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise ValidationError(_("This token belongs to another user."))
    token.revoked = True
    token.save(update_fields=["revoked"])


def token_authenticate(key: str) -> User | None:
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None or not token.usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- sign-in and passwords (issue 11.9) ----------------------------------------------------------


def sign_in_failures_notify(*, username: str, ip: str | None, failures: int):
    """Tell the owner when sign-in to their account from an address starts to be slowed down: once
    per throttle window, however many addresses try (so a distributed attack is one message)."""
    from django.urls import reverse

    from ketnoi.core.ratelimit import window_number
    from ketnoi.notifications.models import Kind
    from ketnoi.notifications.services import notification_deliver

    limits = settings.LOGIN_THROTTLE
    if failures != limits["free_failures"]:
        return None
    owner = User.objects.filter(username=username, is_active=True).first()
    if owner is None:
        return None
    return notification_deliver(
        recipient=owner,
        kind=Kind.SIGN_IN_FAILURES,
        event_key=f"sign_in_failures:{window_number()}",
        values={"count": failures, "address": ip or "?"},
        link=reverse("password-change"),
    )


def password_reset_mail_queue(*, subject: str, body: str, to: str) -> None:
    """Send a reset link from a worker, so a slow mail server never holds a web request."""
    from ketnoi.core.jobs import enqueue_on_commit

    from .tasks import send_password_reset_mail

    enqueue_on_commit(send_password_reset_mail, subject, body, to)


# --- office holders (who signs an agency's documents) ---------------------------------------------


@transaction.atomic
def office_holder_add(
    *,
    user,
    agency: Agency,
    role: str,
    title: str,
    full_name: str,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    signs_reports: bool = False,
) -> OfficeHolder:
    """Record who holds an office of ``agency`` from ``valid_from``; only an agency that exists then."""
    require(user, AGENCIES_CHANGE, agency)
    errors = {}
    if role not in OfficeHolder.Role.values:
        errors["role"] = _("Unknown office %(role)r.") % {"role": role}
    title = normalize_text(title or "", collapse_spaces=True).strip()
    full_name = normalize_text(full_name or "", collapse_spaces=True).strip()
    if not title:
        errors["title"] = _("Give the title as it is written above the signature.")
    if not full_name:
        errors["full_name"] = _("Give the office holder's full name.")
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = _("The end date is before the start date.")
    if agency.valid_to and (valid_from or agency.valid_to) > agency.valid_to:
        errors["agency"] = _("%(agency)s no longer exists after %(date)s: record the holder at its successor.") % {
            "agency": agency.name_vi,
            "date": agency.valid_to.strftime("%d/%m/%Y"),
        }
    if errors:
        raise ValidationError(errors)
    return OfficeHolder.objects.create(
        agency=agency,
        role=role,
        title=title,
        full_name=full_name,
        valid_from=valid_from,
        valid_to=valid_to,
        signs_reports=signs_reports,
    )


@transaction.atomic
def office_holder_end(*, user, holder: OfficeHolder, valid_to: dt.date) -> OfficeHolder:
    """The holder left the office on ``valid_to`` (the last day); the record stays for older documents."""
    require(user, AGENCIES_CHANGE, holder)
    if holder.valid_from and valid_to < holder.valid_from:
        raise ValidationError({"valid_to": _("The end date is before the start date.")})
    holder.valid_to = valid_to
    holder.save(update_fields=["valid_to"])
    return holder


# ---- Data subjects (Decree 13/2023): what is held about a user, and erasing it -------------------


def user_personal_data(*, user: User) -> dict:
    """Everything held about ``user`` as a person, in plain JSON-able values (a subject's export)."""
    from ketnoi.notifications.models import Notification

    from .models import SignedInSession

    def iso(value):
        return value.isoformat() if value else None

    return {
        "account": {
            "username": user.username,
            "full_name": user.full_name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "phone": user.phone,
            "agency": user.agency.code if user.agency_id else None,
            "interface_language": user.preferred_language,
            "active": user.is_active,
            "joined": iso(user.date_joined),
            "last_login": iso(user.last_login),
        },
        "roles": [
            {
                "role": g.role,
                "scope": g.scope_level,
                "unit": g.unit.code if g.unit_id else None,
                "valid_from": iso(g.valid_from),
                "valid_to": iso(g.valid_to),
            }
            for g in user.role_grants.select_related("unit").order_by("id")
        ],
        "api_tokens": [
            {"name": t.name, "prefix": t.prefix, "created": iso(t.created_at), "revoked": t.revoked}
            for t in user.api_tokens.order_by("id")
        ],
        "sessions": [
            {
                "signed_in": iso(s.created_at),
                "last_seen": iso(s.last_seen),
                "address": s.ip_address,
                "browser": s.user_agent,
            }
            for s in SignedInSession.objects.filter(user=user).order_by("id")
        ],
        "notifications": [
            {"subject": n.subject, "message": n.body, "created": iso(n.created_at), "read": iso(n.read_at)}
            for n in Notification.objects.filter(recipient=user).order_by("id")
        ],
    }


@transaction.atomic
def user_anonymise(*, user: User) -> dict:
    """Erase a user's personal data and keep the row (what they did stays attributable to an account
    for the statistics and the audit log): names, e-mail and phone emptied, the username replaced,
    the account closed (password unusable, tokens revoked, sessions ended, second-factor devices and
    notifications removed, role grants ended today). Audited by the signals (values never logged)."""
    from django.contrib.sessions.models import Session
    from django_otp import devices_for_user

    from ketnoi.notifications.models import Notification

    from .models import SignedInSession

    user = User.objects.select_for_update().get(pk=user.pk)
    today = timezone.localdate()
    keys = list(SignedInSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    sessions, _ = SignedInSession.objects.filter(user=user).delete()
    tokens = 0
    for token in user.api_tokens.filter(revoked=False):
        token.revoked = True
        token.save()
        tokens += 1
    devices = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        devices += 1
    notifications, _ = Notification.objects.filter(recipient=user).delete()
    grants = 0
    for grant in user.role_grants.all():
        if grant.valid_to is None or grant.valid_to > today:
            grant.valid_to = max(today, grant.valid_from) if grant.valid_from else today
            grant.save()
            grants += 1
    user.full_name = user.first_name = user.last_name = user.email = user.phone = ""
    user.username = f"erased-{user.pk}"
    user.is_active = False
    user.set_unusable_password()
    user.save()
    return {
        "sessions_ended": sessions,
        "tokens_revoked": tokens,
        "devices_removed": devices,
        "notifications_removed": notifications,
        "grants_ended": grants,
    }


def closed_accounts_expire(*, now=None) -> list[int]:
    """Enforce the ``closed_account`` retention period: deactivated accounts whose last sign-in (or
    creation) is older than the period are anonymised (``user_anonymise``). Idempotent: an account
    already erased is skipped."""
    from django.db.models.functions import Coalesce

    from ketnoi.core import retention

    limit = retention.cutoff("closed_account", now)
    if limit is None:
        return []
    expired = (
        User.objects.filter(is_active=False)
        .annotate(last_seen=Coalesce("last_login", "date_joined"))
        .filter(last_seen__lt=limit)
        .exclude(username__startswith="erased-")
        .order_by("pk")
    )
    ids = []
    for user in expired:
        user_anonymise(user=user)
        ids.append(user.pk)
    retention.record_expiry("closed_account", model="orgs.user", count=len(ids), ids=ids)
    return ids
