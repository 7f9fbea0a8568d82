from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "ketnoi.content"
    label = "content"
    verbose_name = _("Content")

    def ready(self):
        from . import tasks  # noqa: F401  (registers the scheduled-publishing job)
