from django.urls import path

from . import views

urlpatterns = [
    path("indicators/", views.indicator_list, name="indicator-list"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator-detail"),
]
