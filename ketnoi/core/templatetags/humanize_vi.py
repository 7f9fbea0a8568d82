from django import template
from django.utils import translation

register = template.Library()


@register.filter
def grouped(value):
    """Thousands grouped the way the interface language writes them: 1.234.567 in Vietnamese."""
    if value in (None, ""):
        return "—"
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    text = f"{number:,}"
    return text.replace(",", ".") if (translation.get_language() or "vi").startswith("vi") else text
