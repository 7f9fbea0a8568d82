"""Reading generated documents back."""

from __future__ import annotations

import io

from docx import Document
from pypdf import PdfReader


def docx_of(content: bytes):
    return Document(io.BytesIO(content))


def docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts)


def docx_table(document, first_header: str, second_header: str | None = None) -> list[list[str]]:
    """The rows (header row left out) of the data table whose header starts with these titles."""
    for table in document.tables:
        header = [cell.text for cell in table.rows[0].cells]
        if header[0] == first_header and (second_header is None or header[1] == second_header):
            return [[cell.text for cell in row.cells] for row in table.rows[1:]]
    raise AssertionError(f"no table headed {first_header!r}")


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def pdf_font_names(content: bytes) -> set[str]:
    """The base names of every font embedded in the PDF, subset tag removed ("ABCDEF+NotoSerif-Bold")."""
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]).lstrip("/").split("+", 1)[-1])
            for descendant in font.get("/DescendantFonts", []):
                names.add(str(descendant.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names
