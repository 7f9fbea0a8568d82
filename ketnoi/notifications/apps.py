from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "ketnoi.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from . import signals, tasks  # noqa: F401  (registers the jobs and the report hooks)
