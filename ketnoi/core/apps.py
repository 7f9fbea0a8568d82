from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ketnoi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import audit  # noqa: F401  (connects the audit signal handlers)
        from .validation import connect_save_guard

        connect_save_guard()  # max_length and integer ranges checked on every save (issue 11.6)
