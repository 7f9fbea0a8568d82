from django.urls import path

from . import views

urlpatterns = [
    path("dhis2/", views.page, name="dhis2"),
    path("dhis2/export", views.export_file, name="dhis2-export"),
]
