from django.urls import path

from . import views

urlpatterns = [
    path("units/", views.unit_list, name="unit-list"),
    path("units/<str:structure>/<str:level>/<str:code>/", views.unit_detail, name="unit-detail"),
    path("units/current/commune/<str:code>/villages/new/", views.village_create, name="village-create"),
    path("villages/", views.village_list, name="village-list"),
    path("villages/import/", views.village_import, name="village-import"),
    path("villages/<int:pk>/edit/", views.village_edit, name="village-edit"),
    path("villages/<int:pk>/delete/", views.village_delete, name="village-delete"),
]
