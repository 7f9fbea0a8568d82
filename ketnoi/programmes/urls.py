from django.urls import path

from . import views

urlpatterns = [
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/<slug:code>/", views.programme_detail, name="programme-detail"),
    path("programmes/<slug:code>/timeline/", views.programme_timeline, name="programme-timeline"),
    path("programmes/<slug:code>/tasks/", views.task_list, name="task-list"),
    path("programmes/<slug:code>/reports/", views.report_list, name="report-list"),
    path("programmes/<slug:code>/reports/open/", views.report_open, name="report-open"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("progress-reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("progress-reports/<int:pk>/print/", views.report_print, name="report-print"),
    path("progress-reports/evidence/<int:pk>/", views.report_evidence_download, name="report-evidence"),
    path("approvals/", views.approval_queue, name="approval-queue"),
    path("tasks/attachments/<int:pk>/", views.task_attachment_download, name="task-attachment"),
    path("my-work/", views.my_work, name="my-work"),
    path("legal-documents/", views.legal_document_list, name="legal-document-list"),
]
