"""The inbox pages (staff) and the endpoint providers post to. The citizen's lookup is under /p/."""

from django.urls import path

from . import views

urlpatterns = [
    path("inbox/", views.inbox_list, name="inbox-list"),
    path("inbox/note/", views.inbox_note, name="inbox-note"),
    path("inbox/<int:pk>/", views.inbox_detail, name="inbox-detail"),
    path("inbox/receive/<str:platform>/", views.receive, name="inbox-receive"),
    path("p/<str:lang>/gop-y/tra-cuu/", views.lookup, name="inbox-lookup"),
]
