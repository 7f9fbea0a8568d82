"""Document numbers and symbols, URLs, e-mail addresses and codes: kept byte for byte."""

from __future__ import annotations

import re
from collections import Counter

from ..base import Check, as_term_entry, register
from ..i18n import gettext as _
from ..text import DOC_SYMBOL_RE, EMAIL_RE, fold, inside, url_spans

# Type and issuer codes of Vietnamese documents that are spelled with Đ (QĐ = Quyết định, NĐ = Nghị định…).
D_CODES = ("QĐ", "NĐ", "HĐ", "HĐND", "ĐU", "BCĐ", "QĐi", "ĐHĐCĐ", "ĐTN", "BĐBP", "LĐTBXH", "TLĐ", "HĐQT", "VPĐ")
_FOLDED_D_CODES = {code.replace("Đ", "D"): code for code in D_CODES}


def symbol_parts(symbol: str) -> list[str]:
    return re.split(r"[/-]", symbol)


def canonical_symbol(symbol: str) -> str:
    """752/QD-TTg → 752/QĐ-TTg; 752/QÐ-TTg (Icelandic eth) → 752/QĐ-TTg."""
    fixed = symbol.replace("Ð", "Đ")
    return re.sub(r"[A-Za-zĐđ]+", lambda m: _FOLDED_D_CODES.get(m.group(), m.group()), fixed)


def symbol_key(symbol: str) -> str:
    return fold(symbol).replace(" ", "")


@register
class DocSymbolCheck(Check):
    id = "doc_symbol"
    name = "Document numbers and symbols"
    severity = "error"
    blocking = True
    description = (
        "Vietnamese document numbers and symbols (752/QĐ-TTg, 47/NQ-CP, 57-KL/TW, 922/CTPH-BTTTT-UBDT) are "
        "proper names and must be copied exactly: Đ stripped to D (752/QD-TTg) or typed as the Icelandic Ð is an "
        "error; in bilingual mode every symbol of the source must be in the translation unchanged."
    )

    def run(self, ctx):
        found = [(m.start(), m.end(), m.group()) for m in DOC_SYMBOL_RE.finditer(ctx.target)]
        for start, end, symbol in found:
            fixed = canonical_symbol(symbol)
            if fixed != symbol:
                what = _("Ð (U+00D0, Icelandic eth) instead of Đ (U+0110)") if "Ð" in symbol else _("Đ written as D")
                yield self.finding(
                    ctx,
                    start,
                    end,
                    _("document symbol altered (%(what)s): it is %(symbol)s") % {"what": what, "symbol": fixed},
                )
        if not ctx.bilingual:
            return
        present = Counter(symbol for *_, symbol in found)
        by_key = {}
        for start, end, symbol in found:
            by_key.setdefault(symbol_key(symbol), []).append((start, end, symbol))
        for m in DOC_SYMBOL_RE.finditer(ctx.source):
            symbol = m.group()
            if present[symbol] > 0:
                present[symbol] -= 1
                continue
            if by_key.get(symbol_key(symbol)):
                continue  # present in an altered form, reported above
            start, end = ctx.counterpart(m.start())
            yield self.finding(
                ctx,
                start,
                end,
                _("document symbol %(symbol)s of the source is missing from the translation") % {"symbol": symbol},
            )


# What a document of each type may be called when there is no termbase (option 'names' adds or replaces).
DOC_TYPE_NAMES = {
    "th": {
        "QĐ": ("ข้อตัดสินใจ", "คำตัดสินใจ", "การตัดสินใจ", "คำสั่ง", "มติ"),
        "NQ": ("มติ", "ข้อมติ"),
        "KL": ("ข้อสรุป", "บทสรุป", "ผลสรุป"),
        "CT": ("คำสั่ง", "ข้อสั่งการ"),
        "NĐ": ("พระราชกฤษฎีกา", "กฤษฎีกา"),
        "CTPH": ("โครงการ", "แผนงาน"),
    },
}
# Issuers whose documents must not be attributed to another body.
ISSUER_NOT = {"th": {"TTg": ("คณะรัฐมนตรี",)}}


def initials(term: str) -> str:
    """The type code a Vietnamese document type abbreviates to: Quyết định → QĐ, Nghị quyết → NQ."""
    return "".join(word[0].upper() for word in term.split() if word[:1].isalpha())


def termbase_doc_types(ctx) -> dict[str, tuple[list[str], list[str]]]:
    """{type code: (allowed renderings, forbidden renderings)} from the termbase's document_type concepts:
    a concept whose Vietnamese term's initials are the code (Quyết định → QĐ) gives its preferred and
    admitted terms in the target language, and its forbidden ones."""
    if ctx.termbase is None:
        return {}
    out: dict[str, tuple[list[str], list[str]]] = {}
    concepts = {}
    for entry in ctx.termbase.terms_for("vi"):
        entry = as_term_entry(entry)
        if entry.domain == "document_type" and entry.status == "preferred":
            concepts.setdefault(initials(entry.text), entry.concept)
    for code, concept in concepts.items():
        terms = [as_term_entry(e) for e in ctx.termbase.equivalents(concept, ctx.lang)]
        allowed = [e.text for e in terms if e.status in ("preferred", "admitted")]
        if allowed:
            out[code] = (allowed, [e.text for e in terms if e.status == "forbidden"])
    return out


@register
class DocTypeCheck(Check):
    id = "doc_type"
    name = "Document type matches the symbol"
    severity = "warning"
    languages = ("th",)
    description = (
        "The words before a document symbol must name the kind of document the symbol says it is: the type "
        "code (QĐ, NQ, KL, CT…) is matched to the termbase's document types by the initials of their "
        "Vietnamese names (Quyết định → QĐ), whose Thai renderings are then the allowed ones (without a "
        "termbase, a built-in list); a QĐ-TTg is the Prime Minister's, not a cabinet resolution (มติคณะรัฐมนตรี)."
    )

    def run(self, ctx):
        from_termbase = termbase_doc_types(ctx)
        names = {**DOC_TYPE_NAMES.get(ctx.lang, {}), **{k: tuple(v[0]) for k, v in from_termbase.items()}}
        names.update(ctx.option(self.id, "names", {}))
        issuers = ISSUER_NOT.get(ctx.lang, {})
        for m in DOC_SYMBOL_RE.finditer(ctx.target):
            parts = symbol_parts(canonical_symbol(m.group()))
            codes = [p for p in parts[1:] if not p.isdigit()]
            if not codes:
                continue
            kind, issuer = codes[0], codes[-1]
            window_start = max(0, m.start() - 40)
            window = ctx.target[window_start : m.start()]
            cut = max(window.rfind(ch) for ch in "\n,;.()")
            if cut >= 0:
                window_start += cut + 1
                window = window[cut + 1 :]
            label = re.search(r"\S+\s*$", window)
            if not label:
                continue
            label_start = window_start + label.start()
            label_end = window_start + len(window.rstrip())
            allowed = names.get(kind)
            forbidden = [w for w in from_termbase.get(kind, ((), ()))[1] if w in window]
            if allowed and (forbidden or not any(word in window for word in allowed)):
                message = _("%(symbol)s is a %(kind)s document; call it %(names)s") % {
                    "symbol": m.group(),
                    "kind": kind,
                    "names": " / ".join(allowed),
                }
                yield self.finding(ctx, label_start, label_end, message)
            for wrong in issuers.get(issuer, ()):
                if wrong in window:
                    message = _("%(symbol)s is issued by %(issuer)s (the Prime Minister), not by the %(body)s") % {
                        "symbol": m.group(),
                        "issuer": issuer,
                        "body": wrong,
                    }
                    yield self.finding(ctx, label_start, label_end, message)


_BROKEN_URL = re.compile(r"(?:https?://|www\.)\S*[-_/=]\s+\S*?\.(?:html?|php|aspx?|jsp)\b", re.IGNORECASE)


@register
class UrlCheck(Check):
    id = "urls"
    name = "URLs and e-mail addresses"
    severity = "error"
    blocking = True
    description = (
        "URLs and e-mail addresses are copied byte for byte: a URL cut by a space with words in it (a translated "
        "slug) is an error; in bilingual mode every URL and address of the source must be in the translation."
    )

    def run(self, ctx):
        for m in _BROKEN_URL.finditer(ctx.target):
            yield self.finding(ctx, m.start(), m.end(), _("URL broken by a space or translated words inside it"))
        if not ctx.bilingual:
            return
        target_urls = Counter(ctx.target[s:e] for s, e in url_spans(ctx.target))
        target_urls.update(m.group() for m in EMAIL_RE.finditer(ctx.target))
        wanted = [(s, ctx.source[s:e]) for s, e in url_spans(ctx.source)]
        wanted += [(m.start(), m.group()) for m in EMAIL_RE.finditer(ctx.source)]
        for position, item in wanted:
            if target_urls[item] > 0:
                target_urls[item] -= 1
                continue
            near = next(
                (t for t in target_urls if t.split("/")[:3] == item.split("/")[:3] and target_urls[t] > 0), None
            )
            if near:
                index = ctx.target.index(near)
                yield self.finding(ctx, index, index + len(near), _("changed: the source has %(url)s") % {"url": item})
            else:
                start, end = ctx.counterpart(position)
                yield self.finding(
                    ctx, start, end, _("%(url)s of the source is missing from the translation") % {"url": item}
                )


CODE_RE = re.compile(
    r"(?<![\w/@.-])(?=[A-Za-z0-9_.\-/]*[0-9])(?=[A-Za-z0-9_.\-/]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_.\-/]*[A-Za-z0-9](?![\w@])"
)


@register
class CodesCheck(Check):
    id = "codes"
    name = "Codes and identifiers"
    severity = "error"
    blocking = True
    needs_source = True
    description = (
        "Bilingual: tokens mixing letters and digits (H5N1, COVID-19, VNeID2, form codes) must appear in the "
        "translation unchanged."
    )

    def run(self, ctx):
        if not ctx.bilingual:
            return
        target = Counter(
            m.group() for m in CODE_RE.finditer(ctx.target) if not inside(ctx.protected, m.start(), m.end())
        )
        for m in CODE_RE.finditer(ctx.source):
            if inside(ctx.source_protected, m.start(), m.end()):
                continue
            if target[m.group()] > 0:
                target[m.group()] -= 1
            else:
                start, end = ctx.counterpart(m.start())
                yield self.finding(
                    ctx,
                    start,
                    end,
                    _("code %(code)s of the source is missing from the translation") % {"code": m.group()},
                )
