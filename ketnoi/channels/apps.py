from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "ketnoi.channels"
    label = "channels"
    verbose_name = _("Delivery channels")

    def ready(self):
        from ketnoi.core.sections import register

        from . import tasks  # noqa: F401  (registers the jobs)
        from .views import commune_section

        register("commune", commune_section)
        from .evidence_views import register_provenance

        register_provenance()
