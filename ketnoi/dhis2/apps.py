from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Dhis2Config(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ketnoi.dhis2"
    verbose_name = _("DHIS2 exchange")
