"""The tiny check interface: a check reads a QAContext and yields Findings with exact positions.

Everything else — configuration, caching of derived text structures, ordering, line numbers,
overrides, persistence — belongs to the runner (``runner.py``) and the context around the checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .text import Line, Segment

SEVERITIES = ("error", "warning", "info")


@dataclass
class Finding:
    """One thing a check found: ``text`` is ``target[start:end]`` (character offsets, Python str indices)."""

    check: str
    severity: str
    message: str
    start: int
    end: int
    text: str
    line: int = 0
    blocking: bool = False
    override_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "text": self.text,
            "blocking": self.blocking,
        }


# --- termbase protocol ------------------------------------------------------------------------

TERM_STATUSES = ("preferred", "admitted", "forbidden", "do_not_translate")


@dataclass(frozen=True)
class TermEntry:
    text: str
    language: str
    status: str  # preferred | admitted | forbidden | do_not_translate
    concept: Any  # the termbase's concept identifier, passed back to equivalents()
    domain: str = ""  # the concept's domain (title, agency, document_type, programme…), when known


def as_term_entry(entry: Any) -> TermEntry:
    """Our TermEntry from any object with text, language, status and ``concept`` or ``concept_id``
    (the platform's termbase adapter names it ``concept_id``)."""
    if isinstance(entry, TermEntry):
        return entry
    concept = getattr(entry, "concept", None)
    if concept is None:
        concept = getattr(entry, "concept_id", None)
    return TermEntry(
        text=entry.text,
        language=base_language(getattr(entry, "language", "")),
        status=entry.status,
        concept=concept,
        domain=getattr(entry, "domain", "") or "",
    )


@runtime_checkable
class Termbase(Protocol):
    def terms_for(self, lang: str) -> list[TermEntry]: ...

    def equivalents(self, concept: str, lang: str) -> list[TermEntry]: ...


# --- context ----------------------------------------------------------------------------------


def base_language(tag: str | None) -> str:
    """ "th-TH" → "th"; "vi_VN" → "vi"; None → ""."""
    return (tag or "").replace("_", "-").split("-", 1)[0].lower()


@dataclass
class QAContext:
    """What a check reads. Derived structures are computed once, on first use, and shared."""

    target: str
    target_lang: str
    source: str | None = None
    source_lang: str | None = None
    termbase: Termbase | None = None
    options: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return base_language(self.target_lang)

    @property
    def src_lang(self) -> str:
        return base_language(self.source_lang)

    @property
    def bilingual(self) -> bool:
        return self.source is not None

    def option(self, check_id: str, name: str, default: Any = None) -> Any:
        return self.options.get(check_id, {}).get(name, default)

    # Derived structures (see text.py); cached for all checks of one run.
    @cached_property
    def lines(self) -> list[Line]:
        from .text import split_lines

        return split_lines(self.target, self.lang)

    @cached_property
    def source_lines(self) -> list[Line]:
        from .text import split_lines

        return split_lines(self.source or "", self.src_lang)

    @cached_property
    def target_language_lines(self) -> list[Line]:
        """Lines written in the target language (foreign captions and page furniture left out)."""
        return [line for line in self.lines if line.lang == self.lang]

    @cached_property
    def protected(self) -> list[tuple[int, int, str]]:
        """Spans of URLs, e-mail addresses and document symbols in the target: (start, end, kind)."""
        from .text import protected_spans

        return protected_spans(self.target)

    @cached_property
    def source_protected(self) -> list[tuple[int, int, str]]:
        from .text import protected_spans

        return protected_spans(self.source or "")

    @cached_property
    def alignment(self) -> list[tuple[list[Segment], list[Segment]]]:
        """Source and target paragraphs aligned: [(source paragraphs, target paragraphs), ...]."""
        from .text import EXPECTED_RATIO, align_paragraphs, paragraphs

        if self.source is None:
            return []
        ratio = self.option("alignment", "ratio") or EXPECTED_RATIO.get(frozenset({self.src_lang, self.lang}))
        return align_paragraphs(paragraphs(self.source), paragraphs(self.target), ratio)

    def counterpart(self, source_pos: int) -> tuple[int, int]:
        """The span of the target paragraph(s) aligned with the source paragraph at ``source_pos``
        (an empty span where the translation of an omitted paragraph would be; (0, 0) if unknown)."""
        next_start = len(self.target)
        for sources, targets in reversed(self.alignment):
            if targets:
                next_start = targets[0].start
            if sources and sources[0].start <= source_pos <= sources[-1].end:
                return (targets[0].start, targets[-1].end) if targets else (next_start, next_start)
        return (0, 0)

    @cached_property
    def term_index(self):
        from .terms import TermIndex

        return TermIndex(self.termbase, self.lang) if self.termbase is not None else None

    @cached_property
    def source_term_index(self):
        from .terms import TermIndex

        return TermIndex(self.termbase, self.src_lang) if self.termbase is not None and self.source else None

    @cached_property
    def people(self):
        from .people import find_people

        return find_people(self)


# --- checks and the registry ------------------------------------------------------------------


class Check:
    """A check: give it an ``id``, a ``name``, a default ``severity``, whether it blocks publishing,
    a ``description``; override ``run`` (and ``applies_to`` if it is language-specific)."""

    id: str = ""
    name: str = ""
    severity: str = "warning"
    blocking: bool = False
    description: str = ""
    needs_source: bool = False
    languages: tuple[str, ...] = ()  # empty: every target language

    def applies_to(self, lang: str) -> bool:
        return not self.languages or base_language(lang) in self.languages

    def run(self, ctx: QAContext) -> Iterable[Finding]:  # pragma: no cover - interface
        """Yield the findings of this check; every registered check overrides it."""
        return ()

    def finding(self, ctx: QAContext, start: int, end: int, message: str, severity: str | None = None) -> Finding:
        return Finding(
            check=self.id,
            severity=severity or self.severity,
            message=message,
            start=start,
            end=end,
            text=ctx.target[start:end],
            blocking=self.blocking,
        )


REGISTRY: dict[str, type[Check]] = {}


def register(cls: type[Check]) -> type[Check]:
    if not cls.id:
        raise ValueError(f"{cls.__name__} has no id")
    if cls.id in REGISTRY and REGISTRY[cls.id] is not cls:
        raise ValueError(f"check id {cls.id!r} is registered twice")
    if cls.severity not in SEVERITIES:
        raise ValueError(f"{cls.__name__}: unknown severity {cls.severity!r}")
    REGISTRY[cls.id] = cls
    return cls


def registered_checks() -> dict[str, type[Check]]:
    from . import checks  # noqa: F401  (importing the package registers the built-in checks)

    return dict(REGISTRY)


CheckFactory = Callable[[], Check]
