from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "ketnoi.channels"
    label = "channels"
    verbose_name = _("Delivery channels")

    def ready(self):
        from . import tasks  # noqa: F401  (registers the speech job)
        from .evidence_views import register_provenance

        register_provenance()
