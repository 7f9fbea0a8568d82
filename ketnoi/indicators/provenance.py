"""Sources of values computed from the logs, registered by the apps that own the logs.

The indicators app stores where a computed value comes from (``ValueProvenance``: a source name, the
filter of its rows, their count, first and last ids and a digest) but knows nothing of the logs
themselves: an app above it registers each source with a label ("from 3 play logs") and the name of
the page that lists the rows, so the indicators app and the programmes' reports link a value to its
rows without importing the app that owns them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Source:
    name: str
    label: Callable[[int], str]  # rows → "from 3 play logs", translated when called
    url_name: str  # a page taking the DataValue's pk, listing the rows (scoped)


SOURCES: dict[str, Source] = {}


def register(name: str, *, label: Callable[[int], str], url_name: str) -> None:
    SOURCES[name] = Source(name, label, url_name)


def describe(provenance) -> str:
    source = SOURCES.get(provenance.source)
    if source is None:
        return provenance.source
    return source.label(provenance.rows)


def link(provenance) -> str | None:
    source = SOURCES.get(provenance.source)
    return reverse(source.url_name, args=[provenance.value_id]) if source else None
