from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SkillsConfig(AppConfig):
    name = "ketnoi.skills"
    label = "skills"
    verbose_name = _("Digital skills and IT access")
