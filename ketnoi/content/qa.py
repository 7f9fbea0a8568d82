"""Quality checks of translation units, through ketnoi.translation.qa, with recorded overrides.

A finding is blocking when the QA package says so. A blocking finding stops a language from being
approved for publication unless a QAOverride for the same unit, check and found text records why it
is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import TranslationUnit


@dataclass
class UnitFinding:
    unit: TranslationUnit
    finding: Any
    overridden: bool

    @property
    def blocking(self) -> bool:
        return bool(getattr(self.finding, "blocking", False)) and not self.overridden


def _termbase():
    from ketnoi.translation.termbase import TermbaseAdapter

    return TermbaseAdapter()


def run_unit(unit: TranslationUnit, *, termbase=None) -> list[UnitFinding]:
    """Bilingual QA of one unit; an empty translation has nothing to check."""
    from ketnoi.translation.qa import run_qa

    if not unit.text.strip():
        return []
    target = unit.target
    findings = run_qa(
        unit.text,
        target.language.bcp47,
        source=unit.segment.text if unit.segment_id else unit.source_text,
        source_lang=target.item.source_language.bcp47,
        termbase=termbase if termbase is not None else _termbase(),
    )
    overrides = {(o.check_id, o.found_text) for o in unit.qa_overrides.all()}
    return [
        UnitFinding(unit=unit, finding=f, overridden=(f.check, (f.text or "")[:500]) in overrides) for f in findings
    ]


def run_variant(variant) -> list[UnitFinding]:
    termbase = _termbase()
    units = (
        variant.units.select_related("segment", "target__language", "target__item__source_language")
        .prefetch_related("qa_overrides")
        .order_by("field", "index")
    )
    results: list[UnitFinding] = []
    for unit in units:
        results.extend(run_unit(unit, termbase=termbase))
    return results


def blocking(results: list[UnitFinding]) -> list[UnitFinding]:
    return [r for r in results if r.blocking]
