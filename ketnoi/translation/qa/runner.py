"""Running the checks: configuration, ordering, line numbers, overrides; a crashing check never
stops the run (it leaves an "internal" finding instead)."""

from __future__ import annotations

import bisect
import traceback
from typing import Any

from .base import Finding, QAContext, Termbase, base_language, registered_checks
from .config import Override, QAConfig


def run_qa(
    target: str,
    target_lang: str,
    source: str | None = None,
    source_lang: str | None = None,
    termbase: Termbase | None = None,
    config: QAConfig | dict[str, Any] | None = None,
) -> list[Finding]:
    """All enabled checks on ``target`` (monolingual), or on ``target`` against ``source`` (bilingual).

    Offsets are indices into ``target`` exactly as given: nothing is normalised first.
    """
    if not isinstance(config, QAConfig):
        config = QAConfig.from_dict(config)
    config = config.for_language(target_lang)
    if source is not None and not source_lang:
        raise ValueError("source_lang is required with a source text")
    ctx = QAContext(
        target=target,
        target_lang=target_lang,
        source=source,
        source_lang=source_lang,
        termbase=termbase,
        options=config.options,
    )
    lang = base_language(target_lang)
    findings: list[Finding] = []
    for check_id, cls in sorted(registered_checks().items()):
        if not config.enabled(check_id):
            continue
        check = cls()
        if not check.applies_to(lang) or (check.needs_source and source is None):
            continue
        try:
            produced = list(check.run(ctx))
        except Exception as exc:  # one broken check must not hide what the others found
            # a blocking check that could not run cannot vouch for the text: its failure blocks too
            findings.append(
                Finding(
                    check="internal",
                    severity="error" if cls.blocking else "warning",
                    message=f"check {check_id} failed: {type(exc).__name__}: {exc}",
                    start=0,
                    end=0,
                    text="",
                    blocking=cls.blocking,
                )
            )
            findings[-1].detail = traceback.format_exc()  # type: ignore[attr-defined]
            continue
        severity = config.severity.get(check_id)
        blocking = config.blocking.get(check_id, cls.blocking)
        for finding in produced:
            if severity:
                finding.severity = severity
            finding.blocking = blocking and finding.severity == "error"
            findings.append(finding)
    line_starts = [0] + [i + 1 for i, ch in enumerate(target) if ch == "\n"]
    for finding in findings:
        finding.line = bisect.bisect_right(line_starts, finding.start)
    apply_overrides(findings, config.overrides)
    findings.sort(key=lambda f: (f.start, f.end, f.check))
    return findings


def apply_overrides(findings: list[Finding], overrides: list[Override]) -> list[Finding]:
    """Mark findings covered by a recorded override: they no longer block; the reason is kept."""
    for finding in findings:
        for override in overrides:
            if override.matches(finding):
                finding.blocking = False
                finding.override_reason = override.reason
                break
    return findings


def blocking_findings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking]


def publishable(findings: list[Finding]) -> bool:
    """True when nothing blocks publishing (every blocking finding fixed or overridden with a reason)."""
    return not blocking_findings(findings)
