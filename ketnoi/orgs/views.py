import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from ketnoi.core import audit
from ketnoi.core.middleware import client_ip
from ketnoi.core.paging import paginate
from ketnoi.core.ratelimit import is_known_browser, login_failed, login_succeeded, login_wait, remember_browser
from ketnoi.core.roles import AUDIT_VIEW, USERS_MANAGE
from ketnoi.core.scoping import user_scope
from ketnoi.core.text import parse_date

from . import audit_display, selectors, services, twofactor
from . import sessions as signed_in
from .forms import LoginForm, QueuedPasswordResetForm, TokenForm
from .models import Agency, ApiToken, User


def _wait_text(seconds: int) -> str:
    if seconds < 90:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = (seconds + 59) // 60
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _sign_in_failed(username: str, ip: str | None, reason: str) -> None:
    audit.record(
        audit.AuditEntry.Action.LOGIN_FAILED,
        model="orgs.user",
        object_repr=username[:100],
        after={"reason": reason},
        actor=audit.Actor(name=username[:100], ip_address=ip, source="web"),
    )


@require_http_methods(["GET", "POST"])
def login_view(request):
    """Sign-in. Wrong passwords slow down this account at this address only (ketnoi.core.ratelimit);
    the owner is told once the slowing starts; the answer is 429 with Retry-After while it lasts."""
    form = LoginForm(request.POST or None)
    status, wait = 200, 0
    if request.method == "POST" and form.is_valid():
        username, ip = form.cleaned_data["username"], client_ip(request)
        known = is_known_browser(request, username)
        wait = login_wait(username, ip, known=known)
        if wait:
            form.add_error(
                None,
                _("Too many wrong passwords for this account from here. Try again in %(wait)s.")
                % {"wait": _wait_text(wait)},
            )
            status = 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None and getattr(request, "demo_password_refused", False):
                _sign_in_failed(username, ip, "demo password")
                form.add_error(
                    None,
                    _(
                        "This account still has the published demo password, which cannot sign in on a "
                        "production server. Set a new password with “Forgot your password?”."
                    ),
                )
                status = 403
            elif user is None:
                failures = login_failed(username, ip, known=known)
                _sign_in_failed(username, ip, "wrong password")
                services.sign_in_failures_notify(username=username, ip=ip, failures=failures)
                form.add_error(None, _("Wrong username or password."))
                status = 401
            else:
                target = request.GET.get("next", "")
                if not target.startswith("/") or target.startswith("//"):
                    target = "/"
                if twofactor.enabled_for(user):
                    # The password was right; the session is signed in only after the second factor.
                    request.session[_PENDING] = {
                        "user": user.pk,
                        "backend": user.backend,
                        "next": target,
                        "at": int(time.time()),
                    }
                    return redirect("login-code")
                return _signed_in(request, user, target)
    response = render(request, "orgs/login.html", {"form": form}, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


_PENDING = "ketnoi_2fa_pending"
_PENDING_SECONDS = 300


def _signed_in(request, user, target: str, device=None):
    """Sign the session in (after the password, and the second factor where there is one)."""
    ip = client_ip(request)
    login_succeeded(user.username, ip)
    login(request, user, backend=getattr(user, "backend", None))
    if device is not None:
        otp_login(request, device)
    audit.record(
        audit.AuditEntry.Action.LOGIN,
        model="orgs.user",
        object_pk=user.pk,
        object_repr=str(user),
        after={"second_factor": device is not None},
        actor=audit.Actor(user=user, name=user.username, ip_address=ip, source="web"),
    )
    response = redirect(target)
    remember_browser(request, response, user.username)
    if not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        # First sign-in on this browser: start in the user's preferred language.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.preferred_language, samesite="Lax")
    return response


@require_http_methods(["GET", "POST"])
def login_code(request):
    """The second step of signing in: a code from the authenticator app, or a recovery code. Wrong
    codes slow down this account at this address as wrong passwords do."""
    pending = request.session.get(_PENDING) or {}
    if not pending or time.time() - pending.get("at", 0) > _PENDING_SECONDS:
        request.session.pop(_PENDING, None)
        messages.error(request, _("Sign in again: the time for the code ran out."))
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(_PENDING, None)
        return redirect("login")
    user.backend = pending["backend"]
    error, status, wait = "", 200, 0
    if request.method == "POST":
        ip = client_ip(request)
        known = is_known_browser(request, user.username)
        wait = login_wait(user.username, ip, known=known)
        if wait:
            error = _("Too many wrong codes for this account from here. Try again in %(wait)s.") % {
                "wait": _wait_text(wait)
            }
            status = 429
        else:
            device = twofactor.verified_device(user, request.POST.get("token", ""))
            if device is None:
                login_failed(user.username, ip, known=known)
                _sign_in_failed(user.username, ip, "wrong second factor")
                error, status = _("This code is not right."), 401
            else:
                request.session.pop(_PENDING, None)
                return _signed_in(request, user, pending.get("next") or "/", device=device)
    response = render(request, "orgs/login_code.html", {"error": error}, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Turn two-factor sign-in on (QR code, first code, recovery codes shown once), renew the
    recovery codes, or turn it off where the role allows."""
    user, codes, errors = request.user, None, []
    action = request.POST.get("action", "")
    if request.method == "POST":
        try:
            if action == "confirm":
                codes = twofactor.confirm(user=user, token=request.POST.get("token", ""))
                otp_login(request, twofactor.verified_device_for_session(user))
                messages.success(request, _("Two-factor sign-in is on."))
            elif action == "renew":
                if twofactor.verified_device(user, request.POST.get("token", "")) is None:
                    raise ValidationError({"token": _("This code is not right.")})
                codes = twofactor.recovery_codes_renew(user=user)
            elif action == "disable":
                twofactor.disable(user=user, token=request.POST.get("token", ""))
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("two-factor")
        except ValidationError as exc:
            errors = exc.messages
    enabled = twofactor.enabled_for(user)
    context = {
        "enabled": enabled,
        "required": twofactor.required_for(user),
        "codes": codes,
        "errors": errors,
    }
    if not enabled:
        device = twofactor.pending_device(user)
        context |= {"qr": twofactor.qr_svg(device), "secret": twofactor.secret_text(device)}
    status = 422 if errors else 200
    return render(request, "orgs/two_factor.html", context, status=status)


class PasswordChange(auth_views.PasswordChangeView):
    """Self-service change: the old password, the new one twice (the site's password rules apply)."""

    template_name = "orgs/password_change.html"
    success_url = reverse_lazy("password-change-done")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


class PasswordReset(auth_views.PasswordResetView):
    """Reset by e-mail. The answer is the same whether or not the address has an account, and an
    address asking too often gets the same answer without more mail being sent."""

    form_class = QueuedPasswordResetForm
    template_name = "orgs/password_reset.html"
    email_template_name = "orgs/password_reset_email.txt"
    subject_template_name = "orgs/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-done")

    @property
    def extra_email_context(self):
        return {"site_name": settings.KETNOI_SITE_NAME}

    def form_valid(self, form):
        key = f"password-reset:{client_ip(self.request) or '-'}"
        cache.add(key, 0, 3600)
        try:
            asked = cache.incr(key)
        except ValueError:
            asked = 1
        if asked > settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR:
            return redirect(self.success_url)
        return super().form_valid(form)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "orgs/password_reset_confirm.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was set. Sign in with it now."))
        return response


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


@login_required
def agency_list(request):
    query = request.GET.get("q", "")
    kind = request.GET.get("kind") or None
    agencies = selectors.agency_search(query=query, kind=kind, active_only=request.GET.get("active") == "1")
    context = {"page": paginate(request, agencies), "q": query, "kind": kind, "kinds": Agency.Kind.choices}
    template = "orgs/_agency_rows.html" if request.htmx else "orgs/agency_list.html"
    return render(request, template, context)


def _office_holder_post(request, agency) -> str:
    """Add an office holder or end one; the message to show. ValidationError when refused."""
    from django.core.exceptions import ValidationError

    def day(name):
        text = request.POST.get(name, "").strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError:
            raise ValidationError({name: _("%(value)s is not a date (dd/mm/yyyy).") % {"value": text[:20]}}) from None

    if request.POST.get("action") == "end_holder":
        holder = get_object_or_404(agency.office_holders, pk=request.POST.get("holder"))
        valid_to = day("valid_to")
        if valid_to is None:
            raise ValidationError({"valid_to": _("Give the last day in office (dd/mm/yyyy).")})
        services.office_holder_end(user=request.user, holder=holder, valid_to=valid_to)
        return _("The office holder's last day is recorded.")
    services.office_holder_add(
        user=request.user,
        agency=agency,
        role=request.POST.get("role", ""),
        title=request.POST.get("title", ""),
        full_name=request.POST.get("full_name", ""),
        valid_from=day("valid_from"),
        valid_to=day("valid_to"),
        signs_reports=request.POST.get("signs_reports") == "1",
    )
    return _("The office holder is recorded.")


@login_required
@require_http_methods(["GET", "POST"])
def agency_detail(request, code):
    """An agency, its succession and its office holders; those who may change the agency record
    who holds its offices (the signature block of its documents comes from them)."""
    from django.core.exceptions import ValidationError

    from ketnoi.core.roles import AGENCIES_CHANGE
    from ketnoi.core.scoping import allows

    from .models import OfficeHolder
    from .titles import signature

    try:
        agency = selectors.agency_get(code=code)
    except Agency.DoesNotExist:
        raise Http404 from None
    can_change = allows(request.user, AGENCIES_CHANGE, agency)
    errors = []
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        try:
            messages.success(request, _office_holder_post(request, agency))
            return redirect("agency-detail", code=agency.code)
        except ValidationError as exc:
            errors = exc.messages
    return render(
        request,
        "orgs/agency_detail.html",
        {
            "agency": agency,
            "children": agency.children.order_by("sort_key")[:200],
            "successors": agency.succession_links.select_related("successor"),
            "predecessors": agency.predecession_links.select_related("predecessor"),
            "current": agency.current_successors(),
            "holders": agency.office_holders.all(),
            "signature": signature(agency) if agency.is_active_on() else None,
            "roles": OfficeHolder.Role.choices,
            "can_change": can_change and agency.is_active_on(),
            "errors": errors,
            "form": request.POST if errors else {},
        },
        status=422 if errors else 200,
    )


@login_required
def user_list(request):
    query = request.GET.get("q", "")
    return render(
        request,
        "orgs/user_list.html",
        {
            "page": paginate(request, selectors.user_list_for_user(user=request.user, query=query)),
            "q": query,
            # Country system administrators handle data subjects' requests (/privacy/subjects/).
            "can_handle_subjects": user_scope(request.user, USERS_MANAGE).everywhere,
        },
    )


@login_required
def audit_list(request):
    if not request.user.has_capability(AUDIT_VIEW):
        raise PermissionDenied
    filters = {k: request.GET.get(k, "").strip() for k in ("model", "actor", "action", "from", "to")}
    errors, dates = {}, {}
    for key in ("from", "to"):
        if filters[key]:
            try:
                dates[key] = parse_date(filters[key])
            except ValueError:
                errors[key] = _("Write the date as dd/mm/yyyy.")
    entries = selectors.audit_list_for_user(
        user=request.user,
        model=filters["model"] or None,
        actor=filters["actor"] or None,
        action=filters["action"] or None,
        date_from=dates.get("from"),
        date_to=dates.get("to"),
    )
    export = request.GET.get("export")
    if export in ("csv", "xlsx") and not errors:
        return _audit_export(entries, export)
    page = paginate(request, entries)
    return render(
        request,
        "orgs/audit_list.html",
        {
            "page": page,
            "rows": [(entry, audit_display.model_label(entry.model), audit_display.changes(entry)) for entry in page],
            "actions": audit.AuditEntry.Action.choices,
            "facets": selectors.audit_facets_for_user(user=request.user),
            "filters": filters,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


AUDIT_EXPORT_MAX = 50_000


def _audit_export(entries, file_format: str):
    from ketnoi.core.exports import tabular_response
    from ketnoi.core.text import format_date

    language = translation.get_language() or "vi"
    header = [_("Time"), _("Actor"), _("Action"), _("Object type"), _("Object"), _("Field"), _("Before"), _("After")]
    rows = []
    for entry in entries[:AUDIT_EXPORT_MAX]:
        base = [
            format_date(entry.at, language, with_time=True),
            entry.actor_name,
            entry.get_action_display(),
            audit_display.model_label(entry.model),
            f"#{entry.object_pk} {entry.object_repr}",
        ]
        changes = audit_display.changes(entry) or [None]
        for change in changes:
            rows.append(base + ([change.label, change.before, change.after] if change else ["", "", ""]))
    return tabular_response("ketnoi-audit", header, rows, file_format, title=_("Audit log"))


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.token_create(
            user=request.user, name=form.cleaned_data["name"], days_valid=form.cleaned_data["days_valid"]
        )
        form = TokenForm()
    return render(
        request,
        "orgs/token_list.html",
        {
            "tokens": selectors.token_list_for_user(user=request.user),
            "form": form,
            "new_key": new_key,
        },
    )


@login_required
@require_POST
def token_revoke(request, prefix):
    token = get_object_or_404(ApiToken, user=request.user, prefix=prefix)
    services.token_revoke(user=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("token-list")


@login_required
@require_http_methods(["GET", "POST"])
def session_list(request):
    """Where the user is signed in; end one session, or every other one."""
    current = request.session.session_key
    if request.method == "POST":
        if request.POST.get("action") == "others":
            ended = signed_in.sessions_end_others(user=request.user, current_key=current)
            messages.success(
                request, ngettext("%(n)d other session ended.", "%(n)d other sessions ended.", ended) % {"n": ended}
            )
        else:
            try:
                signed_in.session_end(user=request.user, pk=int(request.POST.get("session", "0")), current_key=current)
            except (ValueError, PermissionDenied):
                raise Http404 from None
            messages.success(request, _("That session is signed out."))
        return redirect("session-list")
    return render(
        request,
        "orgs/session_list.html",
        {"sessions": signed_in.sessions_of(request.user), "current": current},
    )
