"""Rich text of content items: sanitising, sentence segmentation per language, body skeletons.

The body is sanitised HTML restricted to an allowlist. It is segmented block by block: each leaf
block element (a paragraph, heading, list item, quotation, table cell, caption) is reduced to its
text, and that text is split into sentences with underthesea (Vietnamese), pythainlp (Thai) or a
punctuation-based fallback for other scripts. Inline markup stays out of segments: a translated
body is the source's block skeleton filled with the translated sentences of each block.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ketnoi.core.text import fold, normalize_text

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "a",
    "abbr",
    "sup",
    "sub",
    "br",
    "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "lang"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "span": {"lang"},
}
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}
VOID_TAGS = {"br", "img", "hr", "wbr", "input", "meta", "link", "source", "area", "col", "base", "embed", "param"}
# Leaf blocks: the units whose text is segmented. Containers (ul, ol, table, figure…) hold them.
BLOCK_TAGS = {"p", "h2", "h3", "h4", "li", "blockquote", "figcaption", "th", "td"}
MAX_BODY_CHARS = 200_000


class _BalanceChecker(HTMLParser):
    """Finds tags that are closed without being opened, closed out of order, or never closed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple[int, int]]] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID_TAGS:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        line, col = self.getpos()
        if tag in VOID_TAGS:
            return
        if not self.stack or all(open_tag != tag for open_tag, _pos in self.stack):
            self.errors.append(
                _("line %(line)s, column %(col)s: </%(tag)s> closes nothing that is open")
                % {"line": line, "col": col + 1, "tag": tag}
            )
            return
        open_tag, (open_line, open_col) = self.stack[-1]
        if open_tag != tag:
            self.errors.append(
                _("line %(line)s, column %(col)s: </%(tag)s> found while <%(open)s> (line %(oline)s) is still open")
                % {"line": line, "col": col + 1, "tag": tag, "open": open_tag, "oline": open_line}
            )
            while self.stack and self.stack[-1][0] != tag:
                self.stack.pop()
        self.stack.pop()

    def finish(self) -> list[str]:
        self.close()
        for tag, (line, col) in self.stack:
            self.errors.append(
                _("line %(line)s, column %(col)s: <%(tag)s> is never closed")
                % {"line": line, "col": col + 1, "tag": tag}
            )
        return self.errors


def sanitize_html(value: str, *, field: str = "body") -> str:
    """Check that the HTML is well formed, then keep only the allowlisted tags and attributes.

    Raises ValidationError naming the line and tag of the first problems. Scripts, styles and
    frames are removed with their content; other unknown tags are removed and their text kept.
    """
    text = normalize_text(value or "").strip()
    if len(text) > MAX_BODY_CHARS:
        raise ValidationError(
            {
                field: _("The text is too long: %(n)s characters, at most %(max)s.")
                % {"n": len(text), "max": MAX_BODY_CHARS}
            }
        )
    checker = _BalanceChecker()
    checker.feed(text)
    errors = checker.finish()
    if errors:
        raise ValidationError({field: [_("Invalid HTML: %(problem)s") % {"problem": e} for e in errors[:5]]})
    cleaned = nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
    )
    return cleaned.strip()


# ---- the editor's markup -------------------------------------------------------------------

# A line that belongs to a structure (list item, table row, quote, heading, HTML, indented code);
# between two plain lines a single line break is a new paragraph, as in text pasted from a
# word processor or an e-mail, where every paragraph is one line.
_STRUCTURED_LINE = re.compile(r"^\s*(?:[-*+]\s|\d{1,3}[.)]\s|\||>|#{1,6}\s|<)|^ {4}")


def markup_to_html(text: str) -> str:
    """HTML of the article editor's plain-text markup (CommonMark with tables, by markdown-it):
    ## heading, **bold**, *italic*, - lists, 1. lists, [text](https://…), | tables |. Paragraphs of
    pasted plain text are kept. The result still goes through ``sanitize_html``, so HTML typed
    into the text is allowed only as far as the allowlist goes."""
    from markdown_it import MarkdownIt

    lines = normalize_text(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    spaced: list[str] = []
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        spaced.append(line)
        if (
            line.strip()
            and following.strip()
            and not (_STRUCTURED_LINE.match(line) or _STRUCTURED_LINE.match(following))
        ):
            spaced.append("")
    parser = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")
    return parser.render("\n".join(spaced)).strip()


def html_to_markup(html: str) -> str:
    """The markup an HTML body is edited as (bodies written before the editor had markup, or sent
    as HTML through the API); ``markup_to_html`` gives the same blocks back."""
    from markdownify import markdownify

    markup = markdownify(html or "", heading_style="ATX", bullets="-", strip=["span"])
    return re.sub(r"\n{3,}", "\n\n", markup).strip()


def html_to_text(value: str) -> str:
    """The visible text of sanitised HTML, blocks separated by new lines."""
    return "\n".join(block.text for block in body_blocks(value))


# ---- sentence segmentation ---------------------------------------------------------------

# Fallback: a sentence ends at . ! ? … or the Khmer, Myanmar, Devanagari and CJK full stops,
# followed by a space (or, for CJK, immediately). Common abbreviations keep their dot.
_FALLBACK_END = re.compile(r"(?<=[.!?…។៕။।])\s+(?=\S)|(?<=[。！？])")
_ABBREVIATIONS = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|No|Nr|vs|etc|e\.g|i\.e|TP|Tp|ThS|TS|PGS|GS)\.)$")


def _fallback_sentences(text: str) -> list[str]:
    parts = _FALLBACK_END.split(text)
    sentences: list[str] = []
    for part in parts:
        if sentences and _ABBREVIATIONS.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {part}"
        else:
            sentences.append(part)
    return sentences


def split_sentences(text: str, language: str) -> list[str]:
    """Split one block of text into sentences for a BCP 47 language tag."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return []
    primary = (language or "").split("-")[0].lower()
    if primary == "vi":
        from underthesea import sent_tokenize

        sentences = sent_tokenize(text)
    elif primary == "th":
        from pythainlp.tokenize import sent_tokenize as thai_sent_tokenize

        sentences = thai_sent_tokenize(text, engine="crfcut")
    else:
        sentences = _fallback_sentences(text)
    return [s.strip() for s in sentences if s and s.strip()]


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---- body blocks and skeletons -----------------------------------------------------------


@dataclass
class Block:
    number: int
    tag: str
    text: str


def _fragment(value: str):
    import lxml.html

    return lxml.html.fragment_fromstring(value or "", create_parent="div")


def _leaf_blocks(root):
    """Leaf block elements in document order (a block containing other blocks is not a leaf).

    Text lying directly in the fragment outside any block counts as a paragraph of its own."""
    leaves = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element is root:
            continue
        if element.tag in BLOCK_TAGS and not any(
            isinstance(child.tag, str) and child.tag in BLOCK_TAGS for child in element.iterdescendants()
        ):
            leaves.append(element)
    return leaves


def _wrap_loose_text(value: str) -> str:
    """Put text and inline elements that sit directly at top level into paragraphs."""
    import lxml.html

    root = _fragment(value)
    if (root.text or "").strip() or any(
        isinstance(c.tag, str) and c.tag not in BLOCK_TAGS | {"ul", "ol", "table", "figure"} for c in root
    ):
        out = []
        loose: list[str] = []
        if (root.text or "").strip():
            loose.append(html.escape(root.text))
        for child in root:
            if isinstance(child.tag, str) and child.tag in BLOCK_TAGS | {"ul", "ol", "table", "figure"}:
                if "".join(loose).strip():
                    out.append(f"<p>{''.join(loose).strip()}</p>")
                loose = []
                tail = child.tail
                child.tail = None
                out.append(lxml.html.tostring(child, encoding="unicode"))
                if (tail or "").strip():
                    loose.append(html.escape(tail))
            else:
                loose.append(lxml.html.tostring(child, encoding="unicode"))
        if "".join(loose).strip():
            out.append(f"<p>{''.join(loose).strip()}</p>")
        return "".join(out)
    return value


def normalise_body(value: str) -> str:
    """Sanitised body with loose top-level text wrapped into paragraphs."""
    return _wrap_loose_text(value) if value else ""


def body_blocks(value: str) -> list[Block]:
    if not (value or "").strip():
        return []
    root = _fragment(value)
    blocks = []
    for number, element in enumerate(_leaf_blocks(root)):
        text = re.sub(r"\s+", " ", element.text_content()).strip()
        blocks.append(Block(number=number, tag=element.tag, text=text))
    return blocks


def fill_skeleton(source_body: str, translations: dict[int, str]) -> str:
    """The source body with each leaf block's content replaced by the translated text of that block."""
    import lxml.html

    if not (source_body or "").strip():
        return ""
    root = _fragment(source_body)
    for number, element in enumerate(_leaf_blocks(root)):
        for child in list(element):
            element.remove(child)
        element.text = translations.get(number, "")
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in root) + (
        html.escape(root.text) if (root.text or "").strip() else ""
    )


@dataclass
class SegmentSpec:
    field: str
    block: int
    text: str
    checksum: str


def segment_variant_text(*, title: str, summary: str, body: str, language: str) -> list[SegmentSpec]:
    """All segments of a source text: title (one segment), summary sentences, body sentences per block."""
    specs: list[SegmentSpec] = []
    title = re.sub(r"\s+", " ", title or "").strip()
    if title:
        specs.append(SegmentSpec("title", 0, title, checksum(title)))
    for sentence in split_sentences(summary, language):
        specs.append(SegmentSpec("summary", 0, sentence, checksum(sentence)))
    for block in body_blocks(body):
        for sentence in split_sentences(block.text, language):
            specs.append(SegmentSpec("body", block.number, sentence, checksum(sentence)))
    return specs


def search_text_for(*, title: str, summary: str, body: str, language: str) -> str:
    """What search matches: Thai word-segmented with pythainlp; every other language folded
    (no diacritics, lower case) so "lao cai" finds "Lào Cai". Padded with spaces so a token can be
    matched on word boundaries."""
    plain = " ".join([title or "", summary or "", html_to_text(body or "")])
    return f" {search_key(plain, language)} "


def _is_latin(text: str) -> bool:
    return all(ord(ch) <= 0x24F or 0x1E00 <= ord(ch) <= 0x1EFF for ch in text if ch.isalpha())


def search_key(text: str, language: str) -> str:
    """Thai: words from pythainlp, lower case; Latin scripts: folded; other scripts: lower case."""
    primary = (language or "").split("-")[0].lower()
    if primary == "th":
        from pythainlp.tokenize import word_tokenize

        words = [w.strip().lower() for w in word_tokenize(text or "", keep_whitespace=False)]
        return " ".join(w for w in words if w and re.search(r"\w", w))
    if _is_latin(text or ""):
        return fold(text)
    return re.sub(r"[^\w]+", " ", (text or "").lower()).strip()
