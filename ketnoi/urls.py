from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views
from .api import api
from .portal import views as portal_views

urlpatterns = [
    # The admin has no sign-in of its own: /admin/login/ sends people to the one sign-in page, with
    # its rate limit, lockout and audit (issue 11.1). Off in the production profile unless enabled.
    *([path("admin/login/", views.admin_login), path("admin/", admin.site.urls)] if settings.ADMIN_ENABLED else []),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/subjects/", views.privacy_subjects, name="privacy-subjects"),
    # Crawlers look for these at the site root; the public portal answers them.
    path("robots.txt", portal_views.robots_txt, name="robots"),
    path("sitemap.xml", portal_views.sitemap, name="sitemap-root"),
    path("", include("ketnoi.orgs.urls")),
    path("", include("ketnoi.geo.urls")),
    path("", include("ketnoi.people.urls")),
    path("", include("ketnoi.indicators.urls")),
    path("", include("ketnoi.programmes.urls")),
    path("", include("ketnoi.exchange.urls")),
    path("", include("ketnoi.inspections.urls")),
    path("", include("ketnoi.press.urls")),
    path("", include("ketnoi.incidents.urls")),
    path("", include("ketnoi.channels.urls")),
    path("", include("ketnoi.skills.urls")),
    path("", include("ketnoi.maps.urls")),
    path("", include("ketnoi.dhis2.urls")),
    path("", include("ketnoi.emulation.urls")),
    path("", include("ketnoi.notifications.urls")),
    path("", include("ketnoi.reports.urls")),
    path("", include("ketnoi.translation.urls")),
    path("", include("ketnoi.content.urls")),
    path("", include("ketnoi.inbox.urls")),
    path("", include("ketnoi.portal.urls")),
]
