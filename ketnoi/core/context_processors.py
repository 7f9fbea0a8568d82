from django.conf import settings


def site(request):
    user = getattr(request, "user", None)
    has = getattr(user, "has_capability", None)
    return {
        "site_name": settings.KETNOI_SITE_NAME,
        # Navigation shows only what the user may open; the views check again.
        "can_view_audit": bool(has and has("audit.view")),
        "can_import_villages": bool(has and has("villages.import")),
    }
