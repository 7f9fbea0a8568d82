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
