"""Sections other apps add to a page of the foundation (the commune page today), so the foundation
never imports the apps built on it: an app registers a function in its AppConfig.ready(), and the
page renders whatever the registered functions return, in registration order."""

from __future__ import annotations

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

# page name → [function(request, unit) -> (template name, context) | None]
_SECTIONS: dict[str, list[Callable]] = {}


def register(page: str, function: Callable) -> Callable:
    """Add a section to ``page``; returns the function, so it can be used as a decorator."""
    functions = _SECTIONS.setdefault(page, [])
    if function not in functions:
        functions.append(function)
    return function


def render_sections(page: str, request, obj) -> list[SafeString]:
    """The HTML of every section of ``page`` that has something to show for ``obj``."""
    rendered = []
    for function in _SECTIONS.get(page, []):
        section = function(request, obj)
        if section is not None:
            template, context = section
            rendered.append(render_to_string(template, {"unit": obj, **context}, request=request))
    return rendered
