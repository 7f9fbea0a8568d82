"""Site-level pages that read across apps (dashboard, health check)."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from ketnoi.stats import collect_stats


@login_required
def home(request):
    return render(request, "home.html", {"stats": collect_stats()})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def admin_login(request):
    """The admin's sign-in is the site's sign-in page (one guard, one audit for everyone)."""
    from django.shortcuts import redirect
    from django.utils.http import urlencode

    target = request.GET.get("next", "/admin/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/admin/"
    return redirect(f"/login/?{urlencode({'next': target})}")


@login_required
def privacy_subjects(request):
    """Data subjects' requests for system administrators over the whole country: export (a JSON
    download) or erase, after a confirmation (ketnoi/subjects.py does the work and the audit)."""
    import json

    from django.contrib import messages
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import HttpResponse
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from ketnoi import subjects
    from ketnoi.core.roles import USERS_MANAGE
    from ketnoi.core.scoping import user_scope

    if not user_scope(request.user, USERS_MANAGE).everywhere:
        raise PermissionDenied
    kinds = [(subjects.USER, _("a user (username)")), (subjects.CONTACT, _("a feedback sender (phone or e-mail)"))]
    kind = request.POST.get("kind", subjects.USER)
    identifier = request.POST.get("identifier", "").strip()
    context = {"kinds": kinds, "kind": kind, "identifier": identifier, "errors": [], "confirm": False}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if not identifier:
                raise ValidationError(_("Give a username, a phone number or an e-mail address."))
            if action == "export":
                data = subjects.subject_export(actor=request.user, kind=kind, identifier=identifier)
                response = HttpResponse(
                    json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
                )
                response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
                response["Cache-Control"] = "no-store"
                return response
            if action == "erase" and request.POST.get("confirm") == "1":
                subjects.subject_erase(actor=request.user, kind=kind, identifier=identifier)
                messages.success(request, _("The personal data was erased."))
                return redirect("privacy-subjects")
            if action == "erase":
                if kind not in subjects.KINDS:
                    raise ValidationError(_("Choose a user or a feedback sender."))
                context["confirm"] = True
            else:
                raise ValidationError(_("Choose to export or to erase."))
        except ValidationError as exc:
            context["errors"] = exc.messages
    return render(request, "privacy/subjects.html", context, status=422 if context["errors"] else 200)
