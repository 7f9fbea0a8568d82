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
