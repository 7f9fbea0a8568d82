from django import template
from django.utils import translation

from ..numbers import format_number

register = template.Library()


@register.filter
def grouped(value):
    """Thousands grouped the way the interface language writes them: 1.234.567 in Vietnamese."""
    if value in (None, ""):
        return "—"
    return format_number(value, decimals=0, language=translation.get_language() or "vi")
