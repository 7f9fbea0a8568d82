from django.urls import path

from . import evidence_views

urlpatterns = [
    path("channels/evidence/<int:pk>/", evidence_views.evidence_rows, name="evidence-rows"),
]
