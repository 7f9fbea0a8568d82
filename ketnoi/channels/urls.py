from django.urls import path

from . import views

urlpatterns = [
    path("channels/", views.channel_list, name="channel-list"),
    path("channels/import/", views.inventory_import, name="channel-import"),
    path("units/current/commune/<str:code>/accounts/new/", views.messaging_account_create, name="account-create"),
]
