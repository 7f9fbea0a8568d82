"""Automatic quality assurance of translations (pure Python; Thai and Vietnamese aware).

    from ketnoi.translation.qa import run_qa
    findings = run_qa(thai_text, "th", source=vietnamese_text, source_lang="vi", termbase=tb)

Each check is a small registered class (``base.Check``) that reads a ``QAContext`` and yields
``Finding``s with exact character offsets into the target text; see docs/qa.md.
"""

from .base import REGISTRY, Check, Finding, QAContext, Termbase, TermEntry, register, registered_checks
from .config import Override, QAConfig
from .runner import apply_overrides, blocking_findings, publishable, run_qa
from .termbase import SimpleTermbase, load_tbx

__all__ = [
    "REGISTRY",
    "Check",
    "Finding",
    "Override",
    "QAConfig",
    "QAContext",
    "SimpleTermbase",
    "TermEntry",
    "Termbase",
    "apply_overrides",
    "blocking_findings",
    "load_tbx",
    "publishable",
    "register",
    "registered_checks",
    "run_qa",
]
