from django import template
from django.utils import translation

from ..text import format_date

register = template.Library()


@register.filter
def ketnoi_date(value, with_time: bool = False):
    """dd/mm/yyyy; Buddhist Era years when the interface is Thai."""
    return format_date(value, translation.get_language() or "vi", with_time=bool(with_time))


@register.filter
def ketnoi_datetime(value):
    return format_date(value, translation.get_language() or "vi", with_time=True)


@register.filter
def localized_name(obj):
    """The object's name in the interface language, falling back to Vietnamese."""
    language = (translation.get_language() or "vi")[:2]
    for attr in (f"name_{language}", "name_vi", "name"):
        value = getattr(obj, attr, "")
        if value:
            return value
    return str(obj)


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()
