from django.conf import settings


def site(request):
    return {"site_name": settings.KETNOI_SITE_NAME}
