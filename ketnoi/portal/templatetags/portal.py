from django import template

from ketnoi.core.numbers import format_number
from ketnoi.core.text import format_date

register = template.Library()


@register.filter
def pdate(value, language: str = "vi"):
    """A date in the page's content language: dd/mm/yyyy, Buddhist Era years on Thai pages."""
    return format_date(value, language or "vi")


@register.filter
def pdatetime(value, language: str = "vi"):
    return format_date(value, language or "vi", with_time=True)


@register.filter
def number(value, language: str = "vi"):
    """1.234.567 on Vietnamese pages, 1,234,567 elsewhere."""
    if value in (None, ""):
        return "—"
    return format_number(value, decimals=0, language=language or "vi")
