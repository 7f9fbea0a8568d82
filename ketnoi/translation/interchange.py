"""Interchange with translators' tools: TMX 1.4b, TBX (TBX-Basic, TBX v3 / ISO 30042:2019), XLIFF 2.0 and 1.2.

Reading goes through ``xmlsafe`` (defusedxml: no entities, no external references, size limit).
Imports read and check the whole file first and write in one transaction: a file with any
problem writes nothing, and the error names the file, the line and what is wrong.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core import audit
from ketnoi.core.importing import ImportFailed
from ketnoi.core.text import normalize_text
from ketnoi.people.models import Language

from . import memory, services, xmlsafe
from .languages import language_for
from .models import Concept, TMEntry

TOOL = "Ket Noi"
TOOL_VERSION = "1"
MAX_ERRORS = 200


def _x(text: str) -> str:
    return escape(text or "")


def _a(text: str) -> str:
    return quoteattr(text or "")


class _Errors:
    def __init__(self, filename: str):
        self.filename = filename
        self.items: list[xmlsafe.LineError] = []

    def add(self, line, message, field=None):
        self.items.append(xmlsafe.LineError(self.filename, line, field, message))

    def raise_if_any(self):
        if self.items:
            raise ImportFailed(self.items)

    def __len__(self):
        return len(self.items)


class _Languages:
    """Language codes of a file, resolved once each; unknown ones become errors naming the line."""

    def __init__(self, errors: _Errors):
        self.errors = errors
        self.cache: dict[str, Language | None] = {}

    def get(self, code: str, line: int, what: str) -> Language | None:
        key = (code or "").strip().lower()
        if key not in self.cache:
            try:
                self.cache[key] = language_for(code)
            except ValidationError:
                self.cache[key] = None
        language = self.cache[key]
        if language is None:
            if not code:
                self.errors.add(line, _("%(what)s has no language code") % {"what": what})
            else:
                self.errors.add(
                    line,
                    _("unknown language code %(code)s in %(what)s (not in the languages table)")
                    % {"code": repr(code), "what": what},
                )
        return language


@dataclass
class ImportResult:
    filename: str
    units: int = 0  # translation units (TMX) or concepts (TBX) read
    created: int = 0
    unchanged: int = 0
    updated: int = 0
    skipped: int = 0  # pairs with an empty side
    details: dict = field(default_factory=dict)


# ---- TMX ----------------------------------------------------------------------------------------

TMX_INLINE_CODE = frozenset({"bpt", "ept", "ph", "it", "ut"})


def _same_language(a: str, b: str) -> bool:
    a, b = a.lower().replace("_", "-"), b.lower().replace("_", "-")
    return a == b or a.split("-")[0] == b.split("-")[0]


def tmx_import(file, *, user, programme=None, filename: str | None = None) -> ImportResult:
    """Import a TMX file (1.1–1.4b) into the memory, shared or for one programme; all or nothing."""
    services.require_termbase_manager(user)
    programme = memory._programme(programme)
    data, name = xmlsafe.read_upload(file, filename=filename)
    root = xmlsafe.parse(data, filename=name)
    errors = _Errors(name)
    if xmlsafe.local(root.tag) != "tmx":
        xmlsafe.fail(name, _("not a TMX file: the root element is <%(tag)s>") % {"tag": xmlsafe.local(root.tag)}, 1)
    header = xmlsafe.child(root, "header")
    body = xmlsafe.child(root, "body")
    if header is None or body is None:
        xmlsafe.fail(name, _("not a TMX file: <header> or <body> is missing"), root.line)
    srclang = (header.get("srclang") or "").strip()
    if not srclang:
        errors.add(header.line, _("the TMX header has no srclang"))
    languages = _Languages(errors)
    pairs: list[tuple[Language, Language, str, str]] = []
    result = ImportResult(filename=name)
    for tu in xmlsafe.children(body, "tu"):
        result.units += 1
        tu_src = (tu.get("srclang") or srclang).strip()
        variants = []
        for tuv in xmlsafe.children(tu, "tuv"):
            seg = xmlsafe.child(tuv, "seg")
            if seg is None:
                errors.add(tuv.line, _("<tuv> has no <seg>"))
                continue
            code = xmlsafe.lang_of(tuv)
            language = languages.get(code, tuv.line, "<tuv>")
            text = normalize_text(xmlsafe.inline_text(seg, skip=TMX_INLINE_CODE)).strip()
            variants.append((code, language, text, tuv.line))
        if len(variants) < 2:
            errors.add(tu.line, _("<tu> needs at least two <tuv> (a source and a translation)"))
            continue
        if tu_src == "*all*":
            source = variants[0]
        else:
            source = next((v for v in variants if v[0] and _same_language(v[0], tu_src)), None)
            if source is None:
                errors.add(tu.line, _("<tu> has no <tuv> in the source language %(code)s") % {"code": tu_src})
                continue
        for variant in variants:
            if variant is source:
                continue
            if source[1] is None or variant[1] is None:
                continue
            if not source[2] or not variant[2]:
                result.skipped += 1
                continue
            if len(source[2]) > memory.MAX_TEXT or len(variant[2]) > memory.MAX_TEXT:
                errors.add(variant[3], _("a segment is longer than %(n)s characters") % {"n": memory.MAX_TEXT})
                continue
            if source[1].pk == variant[1].pk:
                continue
            pairs.append((source[1], variant[1], source[2], variant[2]))
        if len(errors) >= MAX_ERRORS:
            break
    if result.units == 0:
        errors.add(body.line, _("the TMX body has no <tu>"))
    errors.raise_if_any()
    with transaction.atomic(), audit.suppressed():
        written = memory.bulk_add(pairs, programme=programme, origin=TMEntry.Origin.IMPORTED)
    result.created, result.unchanged, result.updated = written.created, written.unchanged, written.upgraded
    audit.record(
        audit.AuditEntry.Action.IMPORT,
        model="translation.tmentry",
        object_repr=f"TMX {name}"[:300],
        after={
            "units": result.units,
            "created": result.created,
            "unchanged": result.unchanged,
            "programme": getattr(programme, "code", None),
        },
    )
    return result


def _tmx_date(value: dt.datetime | None) -> str:
    value = value or timezone.now()
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def tmx_export(*, source_lang: str | None = None, target_lang: str | None = None, programme=None) -> bytes:
    """The memory (optionally one language pair and/or one programme's entries) as TMX 1.4b."""
    entries = TMEntry.objects.select_related("source_language", "target_language", "programme").order_by("id")
    srclang = "*all*"
    if source_lang:
        source = language_for(source_lang, field="source_lang")
        entries = entries.filter(source_language=source)
        srclang = source.bcp47
    if target_lang:
        entries = entries.filter(target_language=language_for(target_lang, field="target_lang"))
    programme = memory._programme(programme)
    if programme is not None:
        entries = entries.filter(programme=programme)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n',
        '<tmx version="1.4">\n',
        f'  <header creationtool={_a(TOOL)} creationtoolversion={_a(TOOL_VERSION)} datatype="plaintext" '
        f'segtype="sentence" adminlang="en" srclang={_a(srclang)} o-tmf="ketnoi" '
        f"creationdate={_a(_tmx_date(None))}/>\n",
        "  <body>\n",
    ]
    for entry in entries.iterator(chunk_size=2000):
        props = f'      <prop type="x-origin">{_x(entry.origin)}</prop>\n'
        if entry.programme_id:
            props += f'      <prop type="x-programme">{_x(entry.programme.code)}</prop>\n'
        out.append(
            f"    <tu tuid={_a(str(entry.pk))} srclang={_a(entry.source_language.bcp47)} "
            f"creationdate={_a(_tmx_date(entry.created_at))} changedate={_a(_tmx_date(entry.updated_at))} "
            f"usagecount={_a(str(entry.usage_count))}>\n{props}"
            f"      <tuv xml:lang={_a(entry.source_language.bcp47)}><seg>{_x(entry.source_text)}</seg></tuv>\n"
            f"      <tuv xml:lang={_a(entry.target_language.bcp47)}><seg>{_x(entry.target_text)}</seg></tuv>\n"
            "    </tu>\n"
        )
    out.append("  </body>\n</tmx>\n")
    return "".join(out).encode("utf-8")


# ---- TBX (TBX-Basic dialect in TBX v3 / ISO 30042:2019, DCA style) ------------------------------

TBX_NS = "urn:iso:std:iso:30042:ed-2"
# Our statuses ↔ TBX-Basic administrativeStatus. TBX has no "do not translate" status: it is
# written as preferredTerm plus a private termNote x-ketnoi-status that our import reads back.
TBX_STATUS_OUT = {
    "preferred": "preferredTerm-admn-sts",
    "admitted": "admittedTerm-admn-sts",
    "forbidden": "deprecatedTerm-admn-sts",
    "do_not_translate": "preferredTerm-admn-sts",
}
TBX_STATUS_IN = {
    "preferredterm-admn-sts": "preferred",
    "preferred": "preferred",
    "admittedterm-admn-sts": "admitted",
    "admitted": "admitted",
    "deprecatedterm-admn-sts": "forbidden",
    "supersededterm-admn-sts": "forbidden",
    "deprecated": "forbidden",
    "forbidden": "forbidden",
    "notrecommended": "forbidden",
}


def tbx_export() -> bytes:
    """The whole termbase as TBX-Basic (TBX v3, ISO 30042:2019, DCA style)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<tbx style="dca" type="TBX-Basic" xml:lang="vi" xmlns="{TBX_NS}">\n',
        "  <tbxHeader>\n    <fileDesc>\n      <sourceDesc><p>Kết Nối termbase</p></sourceDesc>\n"
        "    </fileDesc>\n  </tbxHeader>\n",
        "  <text>\n    <body>\n",
    ]
    concepts = Concept.objects.prefetch_related("terms__language").order_by("code")
    for concept in concepts:
        out.append(f"      <conceptEntry id={_a(concept.code)}>\n")
        if concept.domain:
            out.append(f'        <descrip type="subjectField">{_x(concept.domain)}</descrip>\n')
        if concept.subject:
            out.append(f'        <descrip type="x-subject">{_x(concept.subject)}</descrip>\n')
        if concept.definition:
            out.append(f'        <descrip type="definition">{_x(concept.definition)}</descrip>\n')
        if concept.note:
            out.append(f"        <note>{_x(concept.note)}</note>\n")
        by_language: dict[str, list] = {}
        for term in concept.terms.all():
            by_language.setdefault(term.language.bcp47, []).append(term)
        for code in sorted(by_language):
            out.append(f"        <langSec xml:lang={_a(code)}>\n")
            for term in sorted(by_language[code], key=lambda t: (t.status != "preferred", t.text)):
                out.append(f"          <termSec>\n            <term>{_x(term.text)}</term>\n")
                if term.part_of_speech:
                    out.append(f'            <termNote type="partOfSpeech">{_x(term.part_of_speech)}</termNote>\n')
                out.append(
                    f'            <termNote type="administrativeStatus">{TBX_STATUS_OUT[term.status]}</termNote>\n'
                )
                if term.status == "do_not_translate":
                    out.append('            <termNote type="x-ketnoi-status">do_not_translate</termNote>\n')
                if term.note:
                    out.append(f"            <note>{_x(term.note)}</note>\n")
                out.append("          </termSec>\n")
            out.append("        </langSec>\n")
        out.append("      </conceptEntry>\n")
    out.append("    </body>\n  </text>\n</tbx>\n")
    return "".join(out).encode("utf-8")


def _term_status(container, errors: _Errors) -> str:
    """Status of a termSec (v3) or tig/ntig (TBX 2008) from its termNotes."""
    status = "preferred"
    private = None
    for note in container.iter():
        if xmlsafe.local(note.tag) != "termNote":
            continue
        kind = (note.get("type") or "").strip()
        value = (note.text or "").strip()
        if kind == "administrativeStatus":
            mapped = TBX_STATUS_IN.get(value.lower().replace(" ", ""))
            if mapped is None:
                errors.add(note.line, _("unknown administrativeStatus %(value)s") % {"value": repr(value)})
            else:
                status = mapped
        elif kind == "x-ketnoi-status":
            private = value
        elif kind in {"translationNeeded", "x-translationNeeded"} and value.lower() in {"no", "false"}:
            private = "do_not_translate"
    if private:
        try:
            status = services.clean_status(private)
        except ValidationError:
            errors.add(container.line, _("unknown term status %(value)s") % {"value": repr(private)})
    return status


def _first_text(element, tag: str, **attrs) -> str:
    for item in element:
        if xmlsafe.local(item.tag) == tag and all(item.get(k) == v for k, v in attrs.items()):
            return normalize_text(xmlsafe.inline_text(item)).strip()
    return ""


def tbx_import(file, *, user, filename: str | None = None) -> ImportResult:
    """Import a TBX file: TBX v3 (conceptEntry/langSec/termSec) or TBX 2008 / martif (termEntry/langSet/tig)."""
    services.require_termbase_manager(user)
    data, name = xmlsafe.read_upload(file, filename=filename)
    root = xmlsafe.parse(data, filename=name)
    errors = _Errors(name)
    if xmlsafe.local(root.tag) not in {"tbx", "martif"}:
        xmlsafe.fail(name, _("not a TBX file: the root element is <%(tag)s>") % {"tag": xmlsafe.local(root.tag)}, 1)
    languages = _Languages(errors)
    concepts: list[dict] = []
    seen: set[str] = set()
    entries = [e for e in root.iter() if xmlsafe.local(e.tag) in {"conceptEntry", "termEntry"}]
    if not entries:
        errors.add(root.line, _("the TBX file has no conceptEntry (or termEntry)"))
    for number, entry in enumerate(entries, start=1):
        raw_id = (entry.get("id") or "").strip() or f"tbx-{number}"
        try:
            code = services.concept_code(raw_id)
        except ValidationError as exc:
            errors.add(entry.line, exc.messages[0], "id")
            continue
        if code in seen:
            errors.add(entry.line, _("the concept id %(id)s appears twice") % {"id": raw_id}, "id")
            continue
        seen.add(code)
        concept = {
            "code": code,
            "domain": _first_text(entry, "descrip", type="subjectField"),
            "subject": _first_text(entry, "descrip", type="x-subject"),
            "definition": _first_text(entry, "descrip", type="definition"),
            "note": _first_text(entry, "note"),
            "terms": [],
        }
        # descrip may also sit in a descripGrp (TBX 2008).
        for group in (g for g in entry if xmlsafe.local(g.tag) == "descripGrp"):
            concept["definition"] = concept["definition"] or _first_text(group, "descrip", type="definition")
        for section in (s for s in entry if xmlsafe.local(s.tag) in {"langSec", "langSet"}):
            code_attr = xmlsafe.lang_of(section)
            language = languages.get(code_attr, section.line, f"<{xmlsafe.local(section.tag)}>")
            for holder in (h for h in section if xmlsafe.local(h.tag) in {"termSec", "tig", "ntig"}):
                term_element = next((t for t in holder.iter() if xmlsafe.local(t.tag) == "term"), None)
                if term_element is None:
                    errors.add(holder.line, _("a term section has no <term>"))
                    continue
                try:
                    text = services.clean_term_text(xmlsafe.inline_text(term_element))
                except ValidationError as exc:
                    errors.add(term_element.line, exc.messages[0], "term")
                    continue
                pos = ""
                for note in holder.iter():
                    if xmlsafe.local(note.tag) == "termNote" and note.get("type") == "partOfSpeech":
                        pos = (note.text or "").strip()
                status = _term_status(holder, errors)
                if language is not None:
                    concept["terms"].append(
                        {
                            "language": language,
                            "text": text,
                            "status": status,
                            "part_of_speech": pos,
                            "note": _first_text(holder, "note"),
                        }
                    )
        concepts.append(concept)
        if len(errors) >= MAX_ERRORS:
            break
    errors.raise_if_any()
    with transaction.atomic(), audit.suppressed():
        written = services.termbase_write(concepts)
    audit.record(
        audit.AuditEntry.Action.IMPORT,
        model="translation.term",
        object_repr=f"TBX {name}"[:300],
        after={
            "concepts": len(concepts),
            "concepts_created": written.concepts_created,
            "terms_created": written.terms_created,
            "terms_updated": written.terms_updated,
        },
    )
    return ImportResult(
        filename=name,
        units=len(concepts),
        created=written.terms_created,
        updated=written.terms_updated,
        unchanged=written.terms_unchanged,
        details={"concepts_created": written.concepts_created, "concepts_updated": written.concepts_updated},
    )


# ---- XLIFF 2.0 and 1.2 --------------------------------------------------------------------------

XLIFF2_NS = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
STATES = ("untranslated", "draft", "translated", "reviewed")

# Ours → XLIFF 2.0 (state, subState). 2.0 has initial/translated/reviewed/final; a draft is
# "initial" with a target and subState ketnoi:draft.
XLIFF2_OUT = {
    "untranslated": ("initial", None),
    "draft": ("initial", "ketnoi:draft"),
    "translated": ("translated", None),
    "reviewed": ("reviewed", None),
}
# Ours → XLIFF 1.2 target state (and approved="yes" on reviewed units).
XLIFF12_OUT = {
    "untranslated": "needs-translation",
    "draft": "new",
    "translated": "translated",
    "reviewed": "signed-off",
}
XLIFF12_IN = {
    "new": "draft",
    "needs-translation": "draft",
    "needs-adaptation": "draft",
    "needs-l10n": "draft",
    "translated": "translated",
    "needs-review-translation": "translated",
    "needs-review-adaptation": "translated",
    "needs-review-l10n": "translated",
    "signed-off": "reviewed",
    "final": "reviewed",
}
XLIFF_INLINE_CODE = frozenset({"ph", "bpt", "ept", "it", "x", "bx", "ex", "cp", "sc", "ec"})


@dataclass
class XliffUnit:
    id: str
    source: str
    target: str = ""
    state: str = "untranslated"  # untranslated | draft | translated | reviewed
    note: str = ""
    line: int | None = None  # where the unit starts in the file it was read from


@dataclass
class XliffDocument:
    source_lang: str
    target_lang: str
    units: list[XliffUnit]
    original: str = ""
    version: str = ""


def _check_units(units: list[XliffUnit]) -> None:
    ids = set()
    for unit in units:
        if not str(unit.id).strip():
            raise ValidationError({"units": _("a unit has no id")})
        if unit.id in ids:
            raise ValidationError({"units": _("the unit id %(id)s appears twice") % {"id": repr(unit.id)}})
        ids.add(unit.id)
        if unit.state not in STATES:
            raise ValidationError(
                {"units": _("unknown state %(state)s of unit %(id)s") % {"state": repr(unit.state), "id": unit.id}}
            )


def xliff_export(
    units: list[XliffUnit], *, source_lang: str, target_lang: str, version: str = "2.0", original: str
) -> bytes:
    """A translation job as XLIFF 2.0 (default) or 1.2, with each unit's state."""
    source = language_for(source_lang, field="source_lang").bcp47
    target = language_for(target_lang, field="target_lang").bcp47
    _check_units(units)
    if version == "2.0":
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<xliff xmlns="{XLIFF2_NS}" version="2.0" srcLang={_a(source)} trgLang={_a(target)}>\n',
            f'  <file id="f1" original={_a(original)}>\n',
        ]
        for unit in units:
            state, sub = XLIFF2_OUT[unit.state]
            sub_attr = f" subState={_a(sub)}" if sub else ""
            out.append(f"    <unit id={_a(str(unit.id))}>\n")
            if unit.note:
                out.append(f"      <notes><note>{_x(unit.note)}</note></notes>\n")
            out.append(f"      <segment state={_a(state)}{sub_attr}>\n        <source>{_x(unit.source)}</source>\n")
            if unit.target or unit.state != "untranslated":
                out.append(f"        <target>{_x(unit.target)}</target>\n")
            out.append("      </segment>\n    </unit>\n")
        out.append("  </file>\n</xliff>\n")
    elif version == "1.2":
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<xliff xmlns="{XLIFF12_NS}" version="1.2">\n',
            f"  <file original={_a(original)} source-language={_a(source)} target-language={_a(target)} "
            'datatype="plaintext">\n    <body>\n',
        ]
        for unit in units:
            approved = ' approved="yes"' if unit.state == "reviewed" else ""
            out.append(
                f"      <trans-unit id={_a(str(unit.id))}{approved}>\n        <source>{_x(unit.source)}</source>\n"
            )
            out.append(f"        <target state={_a(XLIFF12_OUT[unit.state])}>{_x(unit.target)}</target>\n")
            if unit.note:
                out.append(f"        <note>{_x(unit.note)}</note>\n")
            out.append("      </trans-unit>\n")
        out.append("    </body>\n  </file>\n</xliff>\n")
    else:
        raise ValidationError({"version": _("unsupported XLIFF version %(v)s; use 2.0 or 1.2") % {"v": repr(version)}})
    return "".join(out).encode("utf-8")


def xliff_import(data: bytes, *, filename: str = "upload.xlf") -> XliffDocument:
    """Read an XLIFF 2.0 or 1.2 file back: languages, and per unit id, source, target and state.

    Reads only; the content app decides what to write. Raises ImportFailed naming file and line.
    """
    data, name = xmlsafe.read_upload(data, filename=filename)
    root = xmlsafe.parse(data, filename=name)
    errors = _Errors(name)
    if xmlsafe.local(root.tag) != "xliff":
        xmlsafe.fail(name, _("not an XLIFF file: the root element is <%(tag)s>") % {"tag": xmlsafe.local(root.tag)}, 1)
    version = (root.get("version") or "").strip()
    units: list[XliffUnit] = []
    languages = _Languages(errors)
    if version.startswith("2."):
        source_code, target_code = root.get("srcLang") or "", root.get("trgLang") or ""
        files = xmlsafe.children(root, "file")
        original = files[0].get("original", "") if files else ""
        for unit in (u for u in root.iter() if xmlsafe.local(u.tag) == "unit"):
            segments = [s for s in unit if xmlsafe.local(s.tag) == "segment"]
            if not segments:
                errors.add(unit.line, _("<unit> has no <segment>"))
                continue
            sources, targets, states = [], [], []
            for segment in segments:
                src = xmlsafe.child(segment, "source")
                tgt = xmlsafe.child(segment, "target")
                if src is None:
                    errors.add(segment.line, _("<segment> has no <source>"))
                    continue
                sources.append(xmlsafe.inline_text(src, skip=XLIFF_INLINE_CODE))
                targets.append(xmlsafe.inline_text(tgt, skip=XLIFF_INLINE_CODE) if tgt is not None else "")
                state = segment.get("state", "initial")
                if state not in {"initial", "translated", "reviewed", "final"}:
                    errors.add(segment.line, _("unknown XLIFF 2.0 state %(state)s") % {"state": repr(state)})
                states.append((state, segment.get("subState", ""), bool(targets[-1].strip())))
            if not sources:
                continue
            units.append(
                XliffUnit(
                    id=unit.get("id", ""),
                    source=normalize_text("".join(sources)),
                    target=normalize_text("".join(targets)),
                    state=_state2(states),
                    line=unit.line,
                )
            )
    elif version.startswith("1."):
        files = xmlsafe.children(root, "file")
        if not files:
            xmlsafe.fail(name, _("the XLIFF file has no <file>"), root.line)
        source_code = files[0].get("source-language", "")
        target_code = files[0].get("target-language", "")
        original = files[0].get("original", "")
        for tu in (u for u in root.iter() if xmlsafe.local(u.tag) == "trans-unit"):
            src = xmlsafe.child(tu, "source")
            tgt = xmlsafe.child(tu, "target")
            if src is None:
                errors.add(tu.line, _("<trans-unit> has no <source>"))
                continue
            target_text = xmlsafe.inline_text(tgt, skip=XLIFF_INLINE_CODE) if tgt is not None else ""
            raw_state = tgt.get("state", "") if tgt is not None else ""
            if raw_state and raw_state not in XLIFF12_IN and not raw_state.startswith("x-"):
                errors.add(tgt.line, _("unknown XLIFF 1.2 state %(state)s") % {"state": repr(raw_state)})
            if not target_text.strip():
                state = "untranslated"
            elif tu.get("approved") == "yes":
                state = "reviewed"
            else:
                state = XLIFF12_IN.get(raw_state, "translated" if not raw_state else "draft")
            units.append(
                XliffUnit(
                    id=tu.get("id", ""),
                    source=normalize_text(xmlsafe.inline_text(src, skip=XLIFF_INLINE_CODE)),
                    target=normalize_text(target_text),
                    state=state,
                    line=tu.line,
                )
            )
    else:
        xmlsafe.fail(name, _("unsupported XLIFF version %(v)s; use 2.0 or 1.2") % {"v": repr(version)}, root.line)
    source_language = languages.get(source_code, root.line, _("the source language"))
    target_language = languages.get(target_code, root.line, _("the target language"))
    seen = set()
    for unit in units:
        if not unit.id:
            errors.add(unit.line, _("a unit has no id"))
        elif unit.id in seen:
            errors.add(unit.line, _("the unit id %(id)s appears twice") % {"id": repr(unit.id)})
        seen.add(unit.id)
    errors.raise_if_any()
    return XliffDocument(
        source_lang=source_language.bcp47,
        target_lang=target_language.bcp47,
        units=units,
        original=original,
        version=version,
    )


def _state2(states: list[tuple[str, str, bool]]) -> str:
    """One state for a unit from its segments' (state, subState, has target): the least advanced wins."""
    rank = {"untranslated": 0, "draft": 1, "translated": 2, "reviewed": 3}
    mapped = []
    for state, _sub_state, has_target in states:
        if not has_target:
            mapped.append("untranslated")
        elif state == "initial":
            mapped.append("draft")
        elif state == "translated":
            mapped.append("translated")
        else:  # reviewed, final
            mapped.append("reviewed")
    return min(mapped, key=rank.__getitem__) if mapped else "untranslated"
