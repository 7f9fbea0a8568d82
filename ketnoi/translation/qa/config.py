"""QA configuration: per project, refined per target language.

QAConfig.from_dict({
    "disable": ["whitespace"],
    "severity": {"names": "error"},
    "blocking": {"names": True},
    "options": {"era": {"era": "BE"}},
    "languages": {"th": {"disable": ["punctuation"]}},
    "overrides": [{"check": "doc_symbol", "text": "752/QD-TTg", "reason": "quoted as printed"}],
})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .base import SEVERITIES, base_language


@dataclass(frozen=True)
class Override:
    """A decision to publish despite a finding, with its recorded reason.

    Matches findings of ``check`` whose text is ``text`` (and, when given, that start at ``start``)."""

    check: str
    text: str
    reason: str
    start: int | None = None
    by: str = ""

    def matches(self, finding) -> bool:
        return (
            finding.check == self.check
            and finding.text == self.text
            and (self.start is None or finding.start == self.start)
        )


@dataclass
class QAConfig:
    disable: set[str] = field(default_factory=set)
    enable_only: set[str] | None = None
    severity: dict[str, str] = field(default_factory=dict)
    blocking: dict[str, bool] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    languages: dict[str, QAConfig] = field(default_factory=dict)
    overrides: list[Override] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> QAConfig:
        data = dict(data or {})
        known = {"disable", "enable_only", "severity", "blocking", "options", "languages", "overrides"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown QA configuration keys: {', '.join(sorted(unknown))}")
        for check, severity in (data.get("severity") or {}).items():
            if severity not in SEVERITIES:
                raise ValueError(f"severity of {check!r} must be one of {', '.join(SEVERITIES)}, not {severity!r}")
        return cls(
            disable=set(data.get("disable") or ()),
            enable_only=set(data["enable_only"]) if data.get("enable_only") is not None else None,
            severity=dict(data.get("severity") or {}),
            blocking={k: bool(v) for k, v in (data.get("blocking") or {}).items()},
            options={k: dict(v) for k, v in (data.get("options") or {}).items()},
            languages={base_language(k): cls.from_dict(v) for k, v in (data.get("languages") or {}).items()},
            overrides=[o if isinstance(o, Override) else Override(**o) for o in data.get("overrides") or ()],
        )

    def for_language(self, lang: str) -> QAConfig:
        """This configuration with the target language's own settings laid over it."""
        extra = self.languages.get(base_language(lang))
        if extra is None:
            return self
        options = {k: dict(v) for k, v in self.options.items()}
        for check, values in extra.options.items():
            options.setdefault(check, {}).update(values)
        return QAConfig(
            disable=self.disable | extra.disable,
            enable_only=extra.enable_only if extra.enable_only is not None else self.enable_only,
            severity={**self.severity, **extra.severity},
            blocking={**self.blocking, **extra.blocking},
            options=options,
            overrides=[*self.overrides, *extra.overrides],
        )

    def enabled(self, check_id: str) -> bool:
        if check_id in self.disable:
            return False
        return self.enable_only is None or check_id in self.enable_only
