from django.urls import path

from . import views

urlpatterns = [
    path("ethnic-groups/", views.ethnic_group_list, name="ethnic-group-list"),
    path("ethnic-groups/<str:code>/", views.ethnic_group_detail, name="ethnic-group-detail"),
    path("languages/", views.language_list, name="language-list"),
]
