from django.urls import include, path

from . import views

urlpatterns = [
    path("channels/", views.channel_list, name="channel-list"),
    path("channels/import/", views.inventory_import, name="channel-import"),
    path("units/current/commune/<str:code>/accounts/new/", views.messaging_account_create, name="account-create"),
    path("units/current/commune/<str:code>/sms-recipients/", views.sms_recipients, name="sms-recipients"),
    path("channels/sms-recipients/<int:pk>/opt-out/", views.sms_recipient_opt_out, name="sms-recipient-opt-out"),
    path("channels/bulletins/", views.bulletin_list, name="bulletin-list"),
    path("channels/bulletins/new/", views.bulletin_create, name="bulletin-create"),
    path("channels/bulletins/<int:pk>/", views.bulletin_detail, name="bulletin-detail"),
    path("channels/bulletins/<int:pk>/edit/", views.bulletin_edit, name="bulletin-edit"),
    path("channels/bulletins/<int:pk>/transition/", views.bulletin_transition, name="bulletin-transition"),
    path("channels/bulletins/<int:pk>/schedules/", views.schedule_add, name="bulletin-schedule-add"),
    path(
        "channels/bulletins/<int:pk>/schedules/<int:schedule_pk>/delete/",
        views.schedule_delete,
        name="bulletin-schedule-delete",
    ),
    path("channels/bulletins/<int:pk>/renditions/new/", views.rendition_new, name="rendition-new"),
    path(
        "channels/bulletins/<int:pk>/renditions/<str:channel>/<str:language>/",
        views.rendition_edit,
        name="rendition-edit",
    ),
    path("channels/renditions/<int:pk>/recording/", views.rendition_recording, name="rendition-recording"),
    path("channels/renditions/<int:pk>/speech/", views.rendition_speech, name="rendition-speech"),
    path("channels/renditions/<int:pk>/audio/", views.rendition_audio, name="rendition-audio"),
    path("channels/renditions/<int:pk>/delete/", views.rendition_delete, name="rendition-delete"),
    path("", include("ketnoi.channels.boards_urls")),
    path("", include("ketnoi.channels.console_urls")),
    path("", include("ketnoi.channels.evidence_urls")),
    path("", include("ketnoi.channels.device_urls")),
]
