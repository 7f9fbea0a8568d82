from django import template
from django.utils import translation

from ..numbers import format_number
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
def ketnoi_number(value, decimals=None):
    """1.250 / 1.250,5 in Vietnamese, 1,250.5 in English and Thai; whole numbers without decimals."""
    return format_number(value, decimals=decimals, language=translation.get_language() or "vi")


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


@register.filter
def in_ui_language(obj, field: str = "name"):
    """``obj.<field>_<ui>`` when the data has the interface language; otherwise the English (or else the
    Vietnamese) text, marked with its language (``<span lang="en">``) so that screen readers read it
    right and nobody mistakes data for an untranslated interface string."""
    from django.utils.html import format_html

    ui = (translation.get_language() or "vi")[:2]
    for lang in dict.fromkeys((ui, "en", "vi")):
        value = getattr(obj, f"{field}_{lang}", "") or (getattr(obj, field, "") if lang == "vi" else "")
        if value:
            return value if lang == ui else format_html('<span lang="{}">{}</span>', lang, value)
    return ""
