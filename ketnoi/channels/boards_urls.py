"""Electronic bulletin boards (issue 8.7): the board's own endpoints and the staff's pages."""

from django.urls import path

from . import boards_views as views

urlpatterns = [
    path("boards/kiosk/", views.kiosk, name="board-kiosk"),
    path("boards/feed.json", views.feed, name="board-feed"),
    path("boards/heartbeat", views.heartbeat, name="board-heartbeat"),
    path("boards/sw.js", views.service_worker, name="board-sw"),
    path("boards/displayed", views.displayed, name="board-displayed"),
    path("channels/boards/<int:pk>/preview/", views.preview, name="board-preview"),
    path("channels/boards/<int:pk>/token/", views.token_issue, name="board-token-issue"),
    path("channels/boards/credentials/<int:pk>/revoke/", views.token_revoke, name="board-token-revoke"),
]
