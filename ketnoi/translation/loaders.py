"""Reference-data loader of the termbase: ketnoi/translation/data/termbase.csv (idempotent)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from ketnoi.core import audit
from ketnoi.people.models import Language

from . import services

DATA = Path(__file__).resolve().parent / "data" / "termbase.csv"


def load_termbase(path: Path | str = DATA) -> services.TermbaseWrite:
    """Upsert the preloaded concepts and terms (vi, en, th, lo, km); a second run changes nothing.

    Columns: concept_id, domain, language, term, status, part_of_speech, note. Rows whose language
    is not in the languages table are refused with the row number (load people first).
    """
    languages = {lang.bcp47.lower(): lang for lang in Language.objects.all()}
    concepts: dict[str, dict] = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            language = languages.get((row["language"] or "").strip().lower())
            if language is None:
                raise ValueError(f"{Path(path).name}, row {number}: unknown language code {row['language']!r}")
            code = services.concept_code(row["concept_id"])
            concept = concepts.setdefault(code, {"code": code, "domain": row["domain"], "terms": []})
            concept["terms"].append(
                {
                    "language": language,
                    "text": services.clean_term_text(row["term"]),
                    "status": services.clean_status(row["status"]),
                    "part_of_speech": row.get("part_of_speech", ""),
                    "note": row.get("note", ""),
                }
            )
    with transaction.atomic(), audit.suppressed():
        result = services.termbase_write(list(concepts.values()))
    if result.concepts_created or result.terms_created or result.terms_updated or result.concepts_updated:
        audit.record(
            audit.AuditEntry.Action.IMPORT,
            model="translation.term",
            object_repr=f"termbase reference data ({Path(path).name})",
            after={
                "concepts_created": result.concepts_created,
                "terms_created": result.terms_created,
                "terms_updated": result.terms_updated,
            },
        )
    return result
