"""The public portal lives under /p/ (no sign-in); the moderation pages under /portal/ are internal."""

from django.urls import path

from . import feeds, moderation, views

urlpatterns = [
    path("p/", views.portal_root, name="portal-root"),
    path("p/robots.txt", views.robots_txt, name="portal-robots"),
    path("p/sitemap.xml", views.sitemap, name="portal-sitemap"),
    path("p/img/<int:pk>/", views.image, name="portal-image"),
    path("p/<str:lang>/", views.home, name="portal-home"),
    path("p/<str:lang>/tin-tuc/<slug:slug>/", views.article, name="portal-article"),
    path("p/<str:lang>/chu-de/<slug:code>/", views.topic, name="portal-topic"),
    path("p/<str:lang>/chu-de/<slug:topic>/rss.xml", feeds.rss, name="portal-topic-rss"),
    path("p/<str:lang>/chu-de/<slug:topic>/atom.xml", feeds.atom, name="portal-topic-atom"),
    path("p/<str:lang>/muc/<slug:code>/", views.section, name="portal-section"),
    path("p/<str:lang>/rss.xml", feeds.rss, name="portal-rss"),
    path("p/<str:lang>/atom.xml", feeds.atom, name="portal-atom"),
    path("p/<str:lang>/tim-kiem/", views.search, name="portal-search"),
    path("p/<str:lang>/dan-toc/", views.group_list, name="portal-groups"),
    path("p/<str:lang>/dan-toc/<str:code>/", views.group_detail, name="portal-group"),
    path("p/<str:lang>/lich/", views.calendar_month, name="portal-calendar"),
    path("p/<str:lang>/lich/<int:year>/<int:month>/", views.calendar_month, name="portal-calendar-month"),
    path("p/<str:lang>/lich.ics", views.calendar_ics, name="portal-ics"),
    path("p/<str:lang>/gop-y/", views.feedback, name="portal-feedback"),
    path("p/<str:lang>/hoi-dap/", views.answers, name="portal-answers"),
    path("portal/feedback/", moderation.feedback_list, name="portal-feedback-moderation"),
    path("portal/feedback/<int:pk>/", moderation.feedback_detail, name="portal-feedback-detail"),
]
