from django.urls import path

from . import views

urlpatterns = [
    path("translation/termbase/", views.termbase_search, name="termbase-search"),
    path("translation/termbase/<int:pk>/", views.concept_detail, name="concept-detail"),
    path("translation/termbase/import/", views.tbx_import, name="termbase-import"),
    path("translation/termbase/export/", views.tbx_export, name="termbase-export"),
    path("translation/memory/", views.tm_search, name="tm-search"),
    path("translation/memory/import/", views.tm_import, name="tm-import"),
    path("translation/memory/export/", views.tm_export, name="tm-export"),
]
