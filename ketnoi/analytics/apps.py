from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "ketnoi.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self):
        from . import signals, tasks  # noqa: F401  (dirty marks on every value change; the refresh job)

        signals.connect()
