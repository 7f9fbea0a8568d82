"""Text structures the checks share: lines with their language, paragraphs, sentences, alignment,
protected spans (URLs, e-mail addresses, document symbols). All offsets index the raw text."""

from __future__ import annotations

import math
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# pythainlp writes ~/pythainlp-data on first use unless told otherwise.
os.environ.setdefault("PYTHAINLP_DATA", os.path.join(tempfile.gettempdir(), "ketnoi-pythainlp-data"))


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Line(Segment):
    number: int
    lang: str  # best guess: "th", "vi", "en", "lo", "km", "zh", "ru", "und" or "" for blank lines


# --- scripts and language ---------------------------------------------------------------------

SCRIPT_RANGES = (
    ("Thai", 0x0E00, 0x0E7F),
    ("Lao", 0x0E80, 0x0EFF),
    ("Khmer", 0x1780, 0x17FF),
    ("Cyrillic", 0x0400, 0x04FF),
    ("Greek", 0x0370, 0x03FF),
    ("Han", 0x4E00, 0x9FFF),
)
VI_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")
VI_TONED = re.compile(r"[\u1EA0-\u1EF9]")
VI_WORDS = frozenset(
    "và của các những trong được là cho với này không có người một đã sẽ theo về tại từ để khi cùng chủ đề "
    "chuyên mục tác giả ngày tháng năm".split()
)
EN_WORDS = frozenset(
    "the and of to in is are for on with no not data available event calendar video videos read more "
    "news related share comments by from this that".split()
)


@lru_cache(maxsize=8192)
def script_of(ch: str) -> str:
    """The script of one letter: "Latin", "Thai", ... ("" for non-letters, combining marks included)."""
    cat = unicodedata.category(ch)
    if not (cat.startswith("L") or cat == "Mn" and "\u0e00" <= ch <= "\u0eff"):
        return ""
    code = ord(ch)
    for name, low, high in SCRIPT_RANGES:
        if low <= code <= high:
            return name
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return "Latin"
    return "Other"


def script_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ch in text:
        name = script_of(ch)
        if name:
            counts[name] = counts.get(name, 0) + 1
    return counts


def guess_language(text: str) -> str:
    """A script- and word-list-based guess, enough to tell Thai from Vietnamese from English.

    No model and no network: letters decide the script; for Latin text Vietnamese letters and
    tone marks, or Vietnamese/English function words, decide between vi and en.
    """
    counts = script_counts(text)
    if not counts:
        return ""
    script = max(counts, key=counts.get)
    mapping = {"Thai": "th", "Lao": "lo", "Khmer": "km", "Han": "zh", "Cyrillic": "ru", "Greek": "el"}
    total = sum(counts.values())
    for name in ("Thai", "Lao", "Khmer", "Han"):
        # a quarter of the letters in one of these scripts: a sentence of it with Latin names or codes inside
        if counts.get(name, 0) * 4 >= total:
            script = name
            break
    if script in mapping:
        return mapping[script]
    if script != "Latin":
        return "und"
    if any(ch in VI_LETTERS for ch in text) or VI_TONED.search(text):
        return "vi"
    words = re.findall(r"[^\W\d_]+", text.lower())
    vi = sum(word in VI_WORDS for word in words)
    en = sum(word in EN_WORDS for word in words)
    if en > vi:
        return "en"
    if vi > en:
        return "vi"
    return "und"


# --- protected spans: URLs, e-mail addresses, document symbols --------------------------------

URL_RE = re.compile(r"(?:https?|ftp)://[^\s<>\"'()\[\]{}]+|www\.[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_SYM = r"[A-ZĐÐ][A-Za-zĐđÐ&]*"
# 752/QĐ-TTg, 1719/2021/QĐ-TTg, 922/CTPH-BTTTT-UBDT, 47/NQ-CP, 57-KL/TW, 12/2024/TT-BTTTT
DOC_SYMBOL_RE = re.compile(
    rf"(?<![\w/.-])\d{{1,5}}(?:/\d{{4}})?/{_SYM}(?:-{_SYM})+(?![\w])"
    rf"|(?<![\w/.-])\d{{1,5}}-{_SYM}/{_SYM}(?![\w])"
)


def _strip_url(url: str) -> str:
    return url.rstrip(".,;:!?")


def url_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.start() + len(_strip_url(m.group()))) for m in URL_RE.finditer(text)]


def protected_spans(text: str) -> list[tuple[int, int, str]]:
    spans = [(start, end, "url") for start, end in url_spans(text)]
    taken = list(spans)
    for kind, regex in (("email", EMAIL_RE), ("symbol", DOC_SYMBOL_RE)):
        for m in regex.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e, *_ in taken):
                spans.append((m.start(), m.end(), kind))
                taken.append((m.start(), m.end(), kind))
    return sorted(spans)


def inside(spans, start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e, *_ in spans)


def overlaps(spans, start: int, end: int) -> bool:
    return any(s < end and start < e for s, e, *_ in spans)


def mask(text: str, spans) -> str:
    """The text with the given spans blanked out by spaces (offsets unchanged)."""
    chars = list(text)
    for start, end, *_ in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# --- lines, paragraphs, sentences -------------------------------------------------------------


def split_lines(text: str, default_lang: str = "") -> list[Line]:
    """Every line (without its newline) with its language guessed from its letters, URLs excluded."""
    out = []
    pos = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        end = pos + len(raw)
        body = raw.rstrip("\r")
        letters = mask(
            body, [(s, e) for s, e in url_spans(body)] + [(m.start(), m.end()) for m in EMAIL_RE.finditer(body)]
        )
        out.append(Line(pos, pos + len(body), body, number, guess_language(letters) if body.strip() else ""))
        pos = end + 1
    return out


def paragraphs(text: str) -> list[Segment]:
    """Blocks separated by blank lines; a block of several lines whose lines are long is split by line."""
    out = []
    for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text):
        block = m.group().rstrip("\n")
        start = m.start()
        out.append(Segment(start, start + len(block), block))
    return out


_LATIN_SENT = re.compile(r"[^.!?…]+(?:[.!?…]+[\"'”’)]*|$)")


def _locate(text: str, pieces, offset: int) -> list[Segment]:
    out, pos = [], 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        found = text.find(piece, pos)
        if found < 0:  # the tokenizer changed the text; fall back to the rest as one sentence
            rest = text[pos:].strip()
            if rest:
                begin = text.index(rest, pos)
                out.append(Segment(offset + begin, offset + begin + len(rest), rest))
            return out
        out.append(Segment(offset + found, offset + found + len(piece), piece))
        pos = found + len(piece)
    return out


def sentences(text: str, lang: str, offset: int = 0) -> list[Segment]:
    """Sentences of ``text`` with offsets (+ ``offset``): pythainlp crfcut for Thai, underthesea for
    Vietnamese, a punctuation regex for everything else. Line breaks always end a sentence."""
    out: list[Segment] = []
    pos = 0
    for raw in text.split("\n"):
        if raw.strip():
            out.extend(_locate(raw, _sentence_pieces(raw, lang), offset + pos))
        pos += len(raw) + 1
    return out


def _sentence_pieces(line: str, lang: str) -> list[str]:
    if lang == "th":
        from pythainlp.tokenize import sent_tokenize

        return sent_tokenize(line, engine="crfcut")
    if lang == "vi":
        from underthesea import sent_tokenize

        return sent_tokenize(line)
    return [m.group() for m in _LATIN_SENT.finditer(line)]


@lru_cache(maxsize=4096)
def thai_words(text: str) -> tuple[str, ...]:
    from pythainlp.tokenize import word_tokenize

    return tuple(word_tokenize(text, engine="newmm", keep_whitespace=True))


# --- paragraph alignment ----------------------------------------------------------------------


def anchors(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:[/.-]\d+)*|https?://\S+", text))


# Characters of translation per character of source, for pairs we know (measured on vi↔th captions
# of the seed text: 0.94–1.1); other pairs use the text's own overall ratio.
EXPECTED_RATIO = {
    frozenset({"vi", "th"}): 1.0,
    frozenset({"vi", "en"}): 1.0,
    frozenset({"th", "en"}): 1.0,
    frozenset({"vi", "lo"}): 1.0,
    frozenset({"vi", "km"}): 1.0,
}


def align_paragraphs(
    source: list[Segment], target: list[Segment], ratio: float | None = None
) -> list[tuple[list[Segment], list[Segment]]]:
    """Gale–Church-style dynamic programming over paragraph lengths (1-1, 1-0, 0-1, 2-1, 1-2), with
    shared numbers and URLs as anchors. Returns the aligned groups in order."""
    n, m = len(source), len(target)
    if ratio is None:
        total_s = sum(len(s.text) for s in source) or 1
        ratio = (sum(len(t.text) for t in target) or 1) / total_s
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    src_anchor = [anchors(s.text) for s in source]
    tgt_anchor = [anchors(t.text) for t in target]

    def length_cost(ls: float, lt: float) -> float:
        # Gale & Church (1993): delta = (lt - ls*c) / sqrt(ls * s2), cost = -log P(|delta|)
        mean = (ls + lt / ratio) / 2 or 1.0
        delta = (lt - ls * ratio) / math.sqrt(mean * 6.8)
        p = max(2.0 * (1.0 - 0.5 * (1.0 + math.erf(abs(delta) / math.sqrt(2.0)))), 1e-12)
        return -math.log(p)

    def pair_cost(i0, i1, j0, j1):
        ls = sum(len(s.text) for s in source[i0:i1])
        lt = sum(len(t.text) for t in target[j0:j1])
        base = length_cost(ls, lt)
        sa = set().union(*src_anchor[i0:i1])
        ta = set().union(*tgt_anchor[j0:j1])
        if sa or ta:
            base -= 2.0 * len(sa & ta) / max(len(sa | ta), 1)
        return base

    # -log of the prior probability of each kind of bead (Gale & Church's figures)
    moves = ((1, 1, 0.12), (1, 0, 5.3), (0, 1, 5.3), (2, 1, 3.1), (1, 2, 3.1))
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            for di, dj, penalty in moves:
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                c = cost[i][j] + penalty + pair_cost(i, ni, j, nj)
                if c < cost[ni][nj]:
                    cost[ni][nj] = c
                    back[ni][nj] = (i, j)
    groups = []
    i, j = n, m
    while (i, j) != (0, 0):
        pi, pj = back[i][j]
        groups.append((source[pi:i], target[pj:j]))
        i, j = pi, pj
    groups.reverse()
    return groups


# --- numbers ----------------------------------------------------------------------------------

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
NUMBER_RE = re.compile(r"(?<![\w.,])[0-9๐-๙]+(?:[.,\u00a0 ][0-9๐-๙]{3})*(?:[.,][0-9๐-๙]+)?(?![\w])")


def number_value(raw: str, lang: str) -> str:
    """A canonical form of a written number: "1.000" (vi) and "1,000" (th/en) both give "1000";
    "3,5" (vi) and "3.5" (th/en) give "3.5". Thai digits become ASCII digits."""
    text = raw.translate(THAI_DIGITS).replace("\u00a0", "").replace(" ", "")
    thousands, decimal = (".", ",") if lang in ("vi", "id", "de", "fr", "es", "pt", "it") else (",", ".")
    if re.fullmatch(rf"\d{{1,3}}(?:\{thousands}\d{{3}})+(?:\{decimal}\d+)?", text):
        text = text.replace(thousands, "")
    text = text.replace(decimal, ".")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.lstrip("0") or "0"


def is_ce_year(value: int) -> bool:
    return 1800 <= value <= 2200


def is_be_year(value: int) -> bool:
    return 2343 <= value <= 2743


BE_OFFSET = 543


def fold(text: str) -> str:
    """Lower case without diacritics, đ → d (for comparing names and symbols)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").replace("Ð", "D"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn" or "\u0e00" <= ch <= "\u0eff").lower()
