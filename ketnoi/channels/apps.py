from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "ketnoi.channels"
    label = "channels"
    verbose_name = _("Delivery channels")
