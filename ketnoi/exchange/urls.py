from django.urls import path

from . import views

urlpatterns = [
    path("exchange/", views.request_list, name="exchange-list"),
    path("exchange/new/", views.request_create, name="exchange-create"),
    path("exchange/<int:pk>/", views.request_detail, name="exchange-detail"),
    path("exchange/<int:pk>/reply/", views.request_reply, name="exchange-reply"),
    path("exchange/<int:pk>/close/", views.request_close, name="exchange-close"),
    path("exchange/attachments/<int:pk>/", views.attachment_download, name="exchange-attachment"),
]
