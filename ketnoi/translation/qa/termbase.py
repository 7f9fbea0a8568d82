"""Termbases for QA without a database: an in-memory one, and a TBX reader (TBX-Basic and TBX v3).

The platform's termbase (``ketnoi.translation`` models) only has to offer the same two methods.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from .base import TERM_STATUSES, TermEntry, base_language


class SimpleTermbase:
    """``SimpleTermbase({"concept": {"vi": [("Ủy ban Dân tộc", "preferred")], "th": [...]}})``."""

    def __init__(self, concepts: dict[str, dict[str, Iterable[tuple[str, str]]]] | None = None):
        self.entries: list[TermEntry] = []
        for concept, languages in (concepts or {}).items():
            for lang, terms in languages.items():
                for text, status in terms:
                    self.add(concept, lang, text, status)

    def add(self, concept: str, lang: str, text: str, status: str = "preferred", domain: str = "") -> TermEntry:
        if status not in TERM_STATUSES:
            raise ValueError(f"unknown term status {status!r} (use one of {', '.join(TERM_STATUSES)})")
        entry = TermEntry(text=text, language=base_language(lang), status=status, concept=concept, domain=domain)
        self.entries.append(entry)
        return entry

    def terms_for(self, lang: str) -> list[TermEntry]:
        lang = base_language(lang)
        return [e for e in self.entries if e.language == lang]

    def equivalents(self, concept: str, lang: str) -> list[TermEntry]:
        lang = base_language(lang)
        return [e for e in self.entries if e.concept == concept and e.language == lang]


_STATUS_WORDS = {
    "preferredterm-admn-sts": "preferred",
    "preferred": "preferred",
    "admittedterm-admn-sts": "admitted",
    "admitted": "admitted",
    "deprecatedterm-admn-sts": "forbidden",
    "supersededterm-admn-sts": "forbidden",
    "forbidden": "forbidden",
    "deprecated": "forbidden",
    "obsolete": "forbidden",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def load_tbx(path: str | Path) -> SimpleTermbase:
    """Read a TBX file: termEntry/langSet/tig (TBX-Basic) or conceptEntry/langSec/termSec (TBX v3).

    Status from ``administrativeStatus`` (preferred/admitted/deprecated → forbidden); a term note or
    description of a type mentioning "translat" with the value "no"/"false" makes it do-not-translate.
    """
    from defusedxml import ElementTree

    root = ElementTree.parse(str(path)).getroot()
    termbase = SimpleTermbase()
    for number, entry in enumerate(e for e in root.iter() if _local(e.tag) in ("termEntry", "conceptEntry")):
        concept = entry.get("id") or f"c{number + 1}"
        for lang_set in (e for e in entry if _local(e.tag) in ("langSet", "langSec")):
            lang = lang_set.get(XML_LANG) or lang_set.get("lang") or ""
            for tig in (e for e in lang_set.iter() if _local(e.tag) in ("tig", "ntig", "termSec")):
                term = next((e.text for e in tig.iter() if _local(e.tag) == "term" and e.text), None)
                if not term:
                    continue
                status = "preferred"
                for note in tig.iter():
                    kind = (note.get("type") or "").lower()
                    value = (note.text or "").strip().lower()
                    if kind == "administrativestatus" and value in _STATUS_WORDS:
                        status = _STATUS_WORDS[value]
                    elif "translat" in kind and value in ("no", "false", "do not translate"):
                        status = "do_not_translate"
                termbase.add(concept, lang, term.strip(), status)
    return termbase


def load_termbase_csv(path: str | Path) -> SimpleTermbase:
    """Read a termbase CSV in the format of ketnoi/translation/data/termbase.csv (concept_id, domain,
    language, term, status, …), the file ``ketnoi load-reference`` loads, without a database."""
    termbase = SimpleTermbase()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            status = (row.get("status") or "preferred").strip().lower().replace(" ", "_").replace("-", "_")
            if status not in TERM_STATUSES:
                raise ValueError(f"{Path(path).name}, row {number}: unknown term status {row.get('status')!r}")
            text = " ".join((row.get("term") or "").split())
            if text:
                termbase.add(
                    row["concept_id"].strip(), row["language"].strip(), text, status, (row.get("domain") or "").strip()
                )
    return termbase


def load_termbase_file(path: str | Path) -> SimpleTermbase:
    """A TBX file, or a CSV file in the format of the shipped termbase (by the file's extension)."""
    return load_termbase_csv(path) if str(path).lower().endswith(".csv") else load_tbx(path)
