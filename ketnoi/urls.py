from django.contrib import admin
from django.urls import include, path

from . import views
from .api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("ketnoi.orgs.urls")),
    path("", include("ketnoi.geo.urls")),
    path("", include("ketnoi.people.urls")),
]
