from django.urls import path

from . import views

urlpatterns = [
    path("skills/", views.session_list, name="skills-sessions"),
    path("skills/courses/<int:pk>/", views.course_detail, name="skills-course"),
    path("skills/sessions/<int:pk>/", views.session_detail, name="skills-session"),
    path("skills/coverage/", views.coverage_report, name="skills-coverage"),
    path("skills/import/", views.skills_import, name="skills-import"),
]
