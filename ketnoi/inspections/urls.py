from django.urls import path

from . import views

urlpatterns = [
    path("inspections/plans/", views.plan_list, name="inspections-plans"),
    path("inspections/plans/new/", views.plan_create, name="inspections-plan-create"),
    path("inspections/plans/<int:pk>/", views.plan_detail, name="inspections-plan"),
    path("inspections/plans/<int:pk>/visits/new/", views.visit_create, name="inspections-visit-create"),
    path("inspections/visits/<int:pk>/", views.visit_detail, name="inspections-visit"),
    path("inspections/visits/<int:pk>/findings/new/", views.finding_create, name="inspections-finding-create"),
    path("inspections/findings/", views.open_findings, name="inspections-open-findings"),
    path("inspections/findings/<int:pk>/", views.finding_detail, name="inspections-finding"),
    path("inspections/findings/<int:pk>/evidence/", views.evidence_add, name="inspections-evidence-add"),
    path(
        "inspections/findings/<int:pk>/corrective-task/",
        views.corrective_task_create,
        name="inspections-corrective-task",
    ),
    path("inspections/findings/<int:pk>/close/", views.finding_close, name="inspections-finding-close"),
    path("inspections/evidence/<int:pk>/", views.evidence_download, name="inspections-evidence"),
]
