from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "ketnoi.orgs"
    label = "orgs"
    verbose_name = _("Agencies and users")

    def ready(self):
        from . import sessions, tasks  # noqa: F401  (registers the jobs and the sign-in receivers)
