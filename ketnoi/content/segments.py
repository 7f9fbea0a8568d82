"""Keeping the segments of a source variant and the translation units of its targets in step.

When the source text is saved, it is segmented again and the new segments are aligned with the old
ones by checksum (difflib.SequenceMatcher). Equal runs keep their rows, so their translations stay
as they are; replaced segments take their old units along, marked outdated (the translator sees the
source as it was and as it is); inserted segments get new untranslated units in every target;
deleted segments lose their units. Only called from services, inside their transaction.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from django.db.models import F

from .models import ContentVariant, Segment, TranslationUnit
from .text import SegmentSpec, fill_skeleton, search_text_for, segment_variant_text

_OFFSET = 1_000_000  # temporary index range while rows are renumbered (unique variant, field, index)
NO_SPACE_LANGUAGES = {"zh", "ja", "yue"}


def _key(field: str, checksum: str) -> str:
    return f"{field}:{checksum}"


def _numbered(specs: list[SegmentSpec]) -> list[tuple[SegmentSpec, int]]:
    counters: dict[str, int] = {}
    numbered = []
    for spec in specs:
        index = counters.get(spec.field, 0)
        counters[spec.field] = index + 1
        numbered.append((spec, index))
    return numbered


def sync_segments(source: ContentVariant) -> dict[str, int]:
    """Re-segment ``source`` and update every target's units; returns counts of what changed."""
    specs = segment_variant_text(
        title=source.title, summary=source.summary, body=source.body, language=source.language.bcp47
    )
    new = _numbered(specs)
    old = list(source.segments.order_by("id"))
    order = {"title": 0, "summary": 1, "body": 2}
    old.sort(key=lambda s: (order.get(s.field, 3), s.index))
    targets = list(source.item.variants.filter(is_source=False))
    matcher = SequenceMatcher(
        None, [_key(s.field, s.checksum) for s in old], [_key(s.field, s.checksum) for s, _i in new], autojunk=False
    )
    # Move every kept row out of the way first, so renumbering never clashes with the unique index.
    Segment.objects.filter(pk__in=[s.pk for s in old]).update(index=F("index") + _OFFSET)
    counts = {"kept": 0, "changed": 0, "added": 0, "removed": 0}
    to_delete: list[int] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for segment, (spec, index) in zip(old[i1:i2], new[j1:j2], strict=True):
                _place(segment, spec, index)
                counts["kept"] += 1
            continue
        olds, news = old[i1:i2], new[j1:j2]
        paired = min(len(olds), len(news)) if tag == "replace" else 0
        for segment, (spec, index) in zip(olds[:paired], news[:paired], strict=True):
            segment.text = spec.text
            segment.checksum = spec.checksum
            _place(segment, spec, index)
            for unit in segment.units.all():
                if unit.text.strip():
                    unit.outdated = True
                    if unit.state == TranslationUnit.State.REVIEWED:
                        unit.state = TranslationUnit.State.TRANSLATED
                else:
                    unit.source_text, unit.source_checksum = spec.text, spec.checksum
                unit.field, unit.index = segment.field, segment.index
                unit.save()
            counts["changed"] += 1
        for segment in olds[paired:]:
            to_delete.append(segment.pk)
            counts["removed"] += 1
        for spec, index in news[paired:]:
            segment = Segment.objects.create(
                variant=source, field=spec.field, index=index, block=spec.block, text=spec.text, checksum=spec.checksum
            )
            for target in targets:
                TranslationUnit.objects.create(
                    target=target,
                    segment=segment,
                    field=segment.field,
                    index=segment.index,
                    source_text=segment.text,
                    source_checksum=segment.checksum,
                )
            counts["added"] += 1
    if to_delete:
        TranslationUnit.objects.filter(segment_id__in=to_delete).delete()
        Segment.objects.filter(pk__in=to_delete).delete()
    for target in targets:
        if counts["changed"] or counts["added"] or counts["removed"]:
            if target.status in (ContentVariant.Status.TRANSLATED, ContentVariant.Status.REVIEWED) and (
                counts["changed"] or counts["added"]
            ):
                target.status = ContentVariant.Status.IN_TRANSLATION
            if not target.published_id:  # an approved translation stays online until its update is approved
                rebuild_target(target, save=False)
            target.save()
    return counts


def _place(segment: Segment, spec: SegmentSpec, index: int) -> None:
    segment.index = index
    segment.block = spec.block
    segment.field = spec.field
    segment.save(update_fields=["index", "block", "field", "text", "checksum"])
    segment.units.update(field=spec.field, index=index)


def create_units_for(target: ContentVariant, source: ContentVariant) -> int:
    segments = list(source.segments.all())
    TranslationUnit.objects.bulk_create(
        [
            TranslationUnit(
                target=target,
                segment=s,
                field=s.field,
                index=s.index,
                source_text=s.text,
                source_checksum=s.checksum,
            )
            for s in segments
        ]
    )
    return len(segments)


def rebuild_target(target: ContentVariant, *, save: bool = True) -> ContentVariant:
    """Assemble a target variant's title, summary and body from its units (the source's block skeleton)."""
    source = target.item.variants.get(is_source=True)
    joiner = "" if target.language.bcp47.split("-")[0] in NO_SPACE_LANGUAGES else " "
    titles, summaries, blocks = [], [], {}
    units = target.units.select_related("segment").exclude(segment__isnull=True)
    order = {"title": 0, "summary": 1, "body": 2}
    for unit in sorted(units, key=lambda u: (order.get(u.field, 3), u.index)):
        text = unit.text.strip()
        if not text:
            continue
        if unit.field == "title":
            titles.append(text)
        elif unit.field == "summary":
            summaries.append(text)
        else:
            blocks.setdefault(unit.segment.block, []).append(text)
    target.title = joiner.join(titles)[:500]
    target.summary = joiner.join(summaries)
    target.body = fill_skeleton(source.body, {block: joiner.join(texts) for block, texts in blocks.items()})
    target.search_text = search_text_for(
        title=target.title, summary=target.summary, body=target.body, language=target.language.bcp47
    )
    if save:
        target.save()
    return target
