from django.apps import AppConfig


class JobProbeConfig(AppConfig):
    """Unlike the product's apps, ready() does not import the tasks module, on purpose: the worker
    finds it by autodiscovery, and so must `ketnoi jobs resume` (tests/core/test_worker_killed.py)."""

    name = "tests.core.jobprobe"
    label = "jobprobe"
    default_auto_field = "django.db.models.BigAutoField"
