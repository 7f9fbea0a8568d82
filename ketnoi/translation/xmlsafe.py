"""Parsing XML from outside (TMX, TBX, XLIFF) safely.

Through defusedxml's expat parser: entity declarations are refused (no entity-expansion bombs such
as "billion laughs", no external entities / XXE), nothing is fetched from the network or the disk,
and the file size is checked before parsing. A DOCTYPE that only names a DTD (as TMX files do:
``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``) is accepted and ignored. Every element carries the line it
starts on (``element.line``) so errors can name it.
"""

from __future__ import annotations

import os
import re
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


# C0 controls other than tab, line feed and carriage return, DEL, the C1 controls (what UTF-8 text
# read as ISO-8859-1 turns into: "ệ" becomes "á»\x87") and U+FFFD (text that was not decodable).
_BAD_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UNICODE_ENCODINGS = {"utf-8", "utf8", "utf-16", "utf16", "utf-16le", "utf-16be", "us-ascii", "ascii"}
MAX_TEXT_ERRORS = 20


def _check_declared_encoding(data: bytes, filename: str) -> None:
    """Refuse a file whose declaration names a single-byte encoding (ISO-8859-1, windows-1252) while
    its bytes are UTF-8: read as declared, every Vietnamese letter would become mojibake."""
    match = _DECLARATION.match(data[:200])
    if not match:
        return
    declared = match.group(1).decode("ascii").lower()
    if declared in _UNICODE_ENCODINGS or data.isascii():
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return  # really in the declared encoding
    first = next(i for i, byte in enumerate(data) if byte > 0x7F)
    fail(
        filename,
        _(
            "the file declares the encoding %(declared)s but is written in UTF-8; correct the XML "
            'declaration to encoding="UTF-8" (nothing was imported)'
        )
        % {"declared": match.group(1).decode("ascii")},
        data[:first].count(b"\n") + 1,
    )


def _check_text(root: Element, filename: str) -> None:
    """Refuse control characters and undecodable text anywhere in the document, naming the line."""
    errors = []
    for element in root.iter():
        for value in [element.text, element.tail, *element.attrib.values()]:
            found = _BAD_CHARACTERS.search(value or "")
            if found is None:
                continue
            character = found.group()
            message = (
                _("undecodable text (U+FFFD): is the file in the encoding it declares?")
                if character == "\ufffd"
                else _("a control character U+%(code)04X in the text: is the file in the encoding it declares?")
                % {"code": ord(character)}
            )
            errors.append(LineError(filename, element.line or None, None, message))
            break
        if len(errors) >= MAX_TEXT_ERRORS:
            break
    if errors:
        raise ImportFailed(errors)


def parse(data: bytes, *, filename: str) -> Element:
    """The root element, or ImportFailed naming the file, the line and what is wrong.

    Besides well-formed, safe XML, the text must be what the file declares: a UTF-8 file declared as
    ISO-8859-1, control characters (C0, C1) and U+FFFD are refused."""
    _check_declared_encoding(data, filename)
    root = _parse(data, filename=filename)
    _check_text(root, filename)
    return root


def _parse(data: bytes, *, filename: str) -> Element:
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
