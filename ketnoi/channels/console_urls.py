"""URLs of the operator's console (issue 8.6), included from channels/urls.py."""

from django.urls import path

from . import console_views as views

urlpatterns = [
    path("channels/console/", views.console_index, name="console-index"),
    path("channels/console/province/", views.console_province, name="console-province"),
    path("channels/console/national/", views.console_national, name="console-national"),
    path("channels/console/plays/", views.console_plays, name="console-plays"),
    path("channels/console/clusters/", views.console_clusters, name="console-clusters"),
    path("channels/console/<str:code>/", views.console_commune, name="console-commune"),
    path("channels/console/<str:code>/decide/", views.console_decide, name="console-decide"),
]
