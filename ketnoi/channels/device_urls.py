from django.urls import path

from . import device_views

urlpatterns = [
    path("units/current/commune/<str:code>/devices/", device_views.device_list, name="device-list"),
    path(
        "units/current/commune/<str:code>/devices/tokens/", device_views.device_token_issue, name="device-token-issue"
    ),
    path(
        "units/current/commune/<str:code>/devices/tokens/<int:pk>/revoke/",
        device_views.device_token_revoke,
        name="device-token-revoke",
    ),
]
