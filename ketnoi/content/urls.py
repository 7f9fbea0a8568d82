from django.urls import path

from . import views

urlpatterns = [
    path("content/", views.item_list, name="content-list"),
    path("content/new/", views.item_create, name="content-new"),
    path("content/jobs/", views.job_list, name="content-jobs"),
    path("content/<int:pk>/", views.item_detail, name="content-item"),
    path("content/<int:pk>/edit/", views.item_edit, name="content-edit"),
    path("content/<int:pk>/transition/", views.item_transition, name="content-transition"),
    path("content/<int:pk>/comment/", views.item_comment, name="content-comment"),
    path("content/<int:pk>/images/", views.image_upload, name="content-image-upload"),
    path("content/<int:pk>/variants/", views.variant_add, name="content-variant-add"),
    path("content/images/<int:pk>/", views.image_file, name="content-image"),
    path("content/images/<int:pk>/delete/", views.image_delete, name="content-image-delete"),
    path("content/variants/<int:pk>/", views.translation_editor, name="content-editor"),
    path("content/variants/<int:pk>/job/", views.job_assign, name="content-job-assign"),
    path("content/variants/<int:pk>/approve/", views.variant_approve, name="content-variant-approve"),
    path("content/variants/<int:pk>/history/", views.variant_history, name="content-history"),
    path("content/variants/<int:pk>/xliff/", views.xliff_export, name="content-xliff-export"),
    path("content/variants/<int:pk>/xliff/import/", views.xliff_upload, name="content-xliff-import"),
    path("content/units/<int:pk>/", views.unit_update, name="content-unit"),
]
