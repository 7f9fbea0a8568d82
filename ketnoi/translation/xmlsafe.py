"""Parsing XML from outside (TMX, TBX, XLIFF) safely.

Through defusedxml's expat parser: entity declarations are refused (no entity-expansion bombs such
as "billion laughs", no external entities / XXE), nothing is fetched from the network or the disk,
and the file size is checked before parsing. A DOCTYPE that only names a DTD (as TMX files do:
``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``) is accepted and ignored. Every element carries the line it
starts on (``element.line``) so errors can name it.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

from defusedxml.common import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser
from django.conf import settings
from django.utils.translation import gettext as _

from ketnoi.core.importing import ImportFailed, RowError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "TRANSLATION_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


class LineError(RowError):
    """An error in an XML file: "file, line N: message" (the row of RowError is the line)."""

    def __str__(self) -> str:
        parts = [self.filename]
        if self.row is not None:
            parts.append(_("line %(line)s") % {"line": self.row})
        if self.field:
            parts.append(_("field %(field)s") % {"field": self.field})
        return ", ".join(parts) + ": " + self.message


class Element(ET.Element):
    line: int = 0


class _Builder(ET.TreeBuilder):
    def __init__(self):
        super().__init__(element_factory=Element)
        self.parser = None

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        element.line = self.parser.parser.CurrentLineNumber
        return element


def fail(filename: str, message: str, line: int | None = None, field: str | None = None):
    raise ImportFailed([LineError(filename, line, field, message)])


def read_upload(source, *, filename: str | None = None, limit: int | None = None) -> tuple[bytes, str]:
    """The bytes of an upload, a path, a file object or bytes — refused beyond the size limit."""
    limit = limit or max_bytes()
    if isinstance(source, bytes | bytearray):
        data, name = bytes(source), filename or "upload"
    elif isinstance(source, str | Path):
        name = filename or os.path.basename(str(source))
        size = os.path.getsize(source)
        if size > limit:
            fail(name, _("the file is %(size)s bytes; the limit is %(limit)s bytes") % {"size": size, "limit": limit})
        data = Path(source).read_bytes()
    else:
        name = filename or os.path.basename(str(getattr(source, "name", "") or "upload"))
        size = getattr(source, "size", None)
        if size is not None and size > limit:
            fail(name, _("the file is %(size)s bytes; the limit is %(limit)s bytes") % {"size": size, "limit": limit})
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(limit + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > limit:
        fail(name, _("the file is larger than the limit of %(limit)s bytes") % {"limit": limit})
    if not data.strip():
        fail(name, _("the file is empty"))
    return data, name


def parse(data: bytes, *, filename: str) -> Element:
    """The root element, or ImportFailed naming the file, the line and what is wrong."""
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(data)
        return parser.close()
    except (EntitiesForbidden, ExternalReferenceForbidden) as exc:
        line = _line(parser)
        fail(
            filename,
            _(
                "the file declares or references XML entities (%(name)s); entities are refused because they can "
                "read local files or expand without limit (XXE, “billion laughs”)"
            )
            % {"name": getattr(exc, "name", None) or getattr(exc, "sysid", None) or "?"},
            line,
        )
    except DTDForbidden:  # not raised with forbid_dtd=False; kept for completeness
        fail(filename, _("the file contains a document type declaration, which is refused"), _line(parser))
    except DefusedXmlException as exc:
        fail(filename, _("the file was refused as unsafe XML: %(error)s") % {"error": exc}, _line(parser))
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        reason = str(exc).split(":")[0]
        fail(
            filename,
            _("not well-formed XML: %(reason)s (column %(column)s)") % {"reason": reason, "column": column},
            line,
        )
    except RecursionError:
        fail(filename, _("the XML is nested too deeply"))
    raise AssertionError("unreachable")


def _line(parser) -> int | None:
    try:
        return parser.parser.CurrentLineNumber
    except Exception:  # noqa: BLE001 - the parser may already be closed
        return None


def local(tag) -> str:
    """The tag without its namespace ("{urn:…}unit" → "unit")."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element, name: str) -> list[Element]:
    return [child for child in element if local(child.tag) == name]


def child(element, name: str):
    for item in element:
        if local(item.tag) == name:
            return item
    return None


def lang_of(element) -> str:
    return (element.get(XML_LANG) or element.get("lang") or "").strip()


def inline_text(element, *, skip=frozenset()) -> str:
    """Text content of an element; the content of inline code elements in ``skip`` is left out."""
    parts = [element.text or ""]
    for item in element:
        if local(item.tag) not in skip:
            parts.append(inline_text(item, skip=skip))
        parts.append(item.tail or "")
    return "".join(parts)
