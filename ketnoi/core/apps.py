from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ketnoi.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from . import audit  # noqa: F401  (connects the audit signal handlers)
