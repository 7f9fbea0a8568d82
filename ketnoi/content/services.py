"""Write use-cases of content: items and their editorial workflow, images, language variants,
segment-level translation, QA overrides, XLIFF round trips and scheduled publishing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ketnoi.core.roles import (
    CONTENT_APPRAISE,
    CONTENT_APPROVE,
    CONTENT_WRITE,
    TRANSLATION_REVIEW,
    TRANSLATION_TRANSLATE,
)
from ketnoi.core.scoping import allows, require
from ketnoi.core.text import fold, normalize_text
from ketnoi.people.models import EthnicGroup, Language

from . import notices, qa
from .models import (
    ContentImage,
    ContentItem,
    ContentVariant,
    ContentVersion,
    QAOverride,
    Section,
    Topic,
    TranslationJob,
    TranslationUnit,
    WorkflowEvent,
)
from .segments import create_units_for, rebuild_target, sync_segments
from .text import normalise_body, sanitize_html, search_text_for

State = ContentItem.State
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_SIGNATURES = {  # checked on the first bytes, never on the name the browser sends
    "png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
}
TEXT_FIELDS = ("title", "summary", "body")
META_FIELDS = (
    "kind",
    "priority",
    "section",
    "topics",
    "source",
    "related_tasks",
    "target_units",
    "target_groups",
    "target_languages",
    "ethnic_group",
    "event_start",
    "event_end",
    "event_place",
)


class StaleEdit(Exception):
    """Someone else saved the item first; the caller keeps its text to merge."""

    def __init__(self, item: ContentItem, yours: dict):
        self.item = item
        self.yours = yours
        super().__init__(_("The item was changed by someone else while you were editing."))


class StaleUnitEdit(Exception):
    """Someone else saved the segment since the editor read it; nothing was written. Carries the unit
    as it is stored now and the text the caller sent (None when the action sent no text)."""

    def __init__(self, unit: TranslationUnit, your_text: str | None):
        self.unit = unit
        self.your_text = your_text
        super().__init__(_("The segment was changed by someone else while you were editing."))


def _text(value) -> str:
    return normalize_text(value or "").strip()


def language_get(code) -> Language:
    """A language by BCP 47 tag or ISO 639-3 code; a ValidationError naming the code otherwise."""
    if isinstance(code, Language):
        return code
    text = str(code or "").strip().replace("_", "-")
    if not text:
        raise ValidationError({"language": _("A language code is required.")})
    language = (
        Language.objects.filter(bcp47__iexact=text).first() or Language.objects.filter(iso639_3__iexact=text).first()
    )
    if language is None:
        raise ValidationError(
            {
                "language": _("Unknown language code %(code)s: use a code from the languages table.")
                % {"code": repr(text)}
            }
        )
    return language


def _languages(codes: Iterable) -> list[Language]:
    return [language_get(code) for code in codes or []]


def _topics(values: Iterable) -> list[Topic]:
    topics = []
    for value in values or []:
        if isinstance(value, Topic):
            topics.append(value)
            continue
        topic = Topic.objects.filter(code=str(value)).first()
        if topic is None:
            raise ValidationError({"topics": _("Unknown topic %(code)s.") % {"code": repr(str(value))}})
        topics.append(topic)
    return topics


def _section(value) -> Section | None:
    if value in (None, ""):
        return None
    if isinstance(value, Section):
        return value
    section = Section.objects.filter(code=str(value)).first()
    if section is None:
        raise ValidationError({"section": _("Unknown section %(code)s.") % {"code": repr(str(value))}})
    return section


def _ethnic_group(value) -> EthnicGroup | None:
    if value in (None, ""):
        return None
    if isinstance(value, EthnicGroup):
        return value
    group = EthnicGroup.objects.filter(code_1979=str(value)).first()
    if group is None:
        raise ValidationError({"ethnic_group": _("Unknown ethnic group %(code)s.") % {"code": repr(str(value))}})
    return group


def _unique_slug(title: str, exclude_pk: int | None = None) -> str:
    base = slugify(fold(title))[:100].strip("-") or "item"
    slug, n = base, 1
    while ContentItem.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _validate_meta(values: dict) -> None:
    errors = {}
    if "kind" in values and values["kind"] not in ContentItem.Kind.values:
        errors["kind"] = _("Unknown kind %(kind)s.") % {"kind": repr(values["kind"])}
    if "priority" in values and values["priority"] not in ContentItem.Priority.values:
        errors["priority"] = _("Priority must be normal, priority or emergency.")
    kind, priority = values.get("kind"), values.get("priority")
    if kind and priority and priority != ContentItem.Priority.NORMAL and kind != ContentItem.Kind.ANNOUNCEMENT:
        errors["priority"] = _("Only announcements and bulletins have a priority (Circular 39/2020).")
    if kind == ContentItem.Kind.GROUP_PROFILE and not values.get("ethnic_group"):
        errors["ethnic_group"] = _("An ethnic-group profile names its ethnic group.")
    start, end = values.get("event_start"), values.get("event_end")
    if start and end and end < start:
        errors["event_end"] = _("The event cannot end before it starts.")
    if errors:
        raise ValidationError(errors)


def _clean_texts(*, title, summary, body) -> tuple[str, str, str]:
    title = _text(title)
    if not title:
        raise ValidationError({"title": _("A title is required.")})
    if len(title) > 500:
        raise ValidationError({"title": _("The title is longer than 500 characters.")})
    return title, _text(summary), normalise_body(sanitize_html(body or ""))


def _apply_meta(item: ContentItem, values: dict) -> None:
    for name in ("kind", "priority", "event_start", "event_end"):
        if name in values:
            setattr(item, name, values[name])
    for name in ("source", "event_place"):
        if name in values:
            setattr(item, name, _text(values[name])[:300])
    if "section" in values:
        item.section = values["section"]
    if "ethnic_group" in values:
        item.ethnic_group = values["ethnic_group"]


def _apply_relations(item: ContentItem, values: dict) -> None:
    if "topics" in values:
        item.topics.set(values["topics"])
    if "related_tasks" in values:
        item.related_tasks.set(values["related_tasks"] or [])
    if "target_units" in values:
        item.target_units.set(values["target_units"] or [])
    if "target_groups" in values:
        item.target_groups.set([_ethnic_group(g) for g in values["target_groups"] or []])
    if "target_languages" in values:
        item.target_languages.set(values["target_languages"])


def _resolve(values: dict) -> dict:
    resolved = dict(values)
    if "topics" in resolved:
        resolved["topics"] = _topics(resolved["topics"])
    if "section" in resolved:
        resolved["section"] = _section(resolved["section"])
    if "ethnic_group" in resolved:
        resolved["ethnic_group"] = _ethnic_group(resolved["ethnic_group"])
    if "target_languages" in resolved:
        resolved["target_languages"] = _languages(resolved["target_languages"])
    return resolved


def _snapshot(variant: ContentVariant, user) -> ContentVersion:
    number = (variant.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return ContentVersion.objects.create(
        variant=variant, number=number, title=variant.title, summary=variant.summary, body=variant.body, author=user
    )


def _event(item: ContentItem, user, from_state: str, to_state: str, comment: str = "") -> WorkflowEvent:
    return WorkflowEvent.objects.create(
        item=item, from_state=from_state, to_state=to_state, user=user, comment=_text(comment)
    )


# ---- items -------------------------------------------------------------------------------


@transaction.atomic
def item_create(
    *,
    user,
    kind: str,
    title: str,
    summary: str = "",
    body: str = "",
    source_language="vi",
    owner_unit=None,
    agency=None,
    slug: str = "",
    **meta,
) -> ContentItem:
    """Write a new item in its source language; it starts as a draft owned by ``owner_unit`` (None: central)."""
    require(user, CONTENT_WRITE, owner_unit)
    unknown = set(meta) - set(META_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    language = language_get(source_language)
    title, summary, body = _clean_texts(title=title, summary=summary, body=body)
    values = _resolve({"kind": kind, "priority": meta.pop("priority", ContentItem.Priority.NORMAL), **meta})
    _validate_meta(values)
    slug = slugify(slug) if slug else _unique_slug(title)
    if ContentItem.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("The address %(slug)s is taken.") % {"slug": slug}})
    item = ContentItem(
        slug=slug,
        source_language=language,
        author=user,
        owner_unit=owner_unit,
        agency=agency if agency is not None else getattr(user, "agency", None),
    )
    _apply_meta(item, values)
    item.save()
    _apply_relations(item, values)
    variant = ContentVariant.objects.create(
        item=item,
        language=language,
        is_source=True,
        status=ContentVariant.Status.SOURCE,
        title=title,
        summary=summary,
        body=body,
        search_text=search_text_for(title=title, summary=summary, body=body, language=language.bcp47),
    )
    sync_segments(variant)
    _snapshot(variant, user)
    _event(item, user, "", State.DRAFT, _("Created"))
    return item


@transaction.atomic
def item_update(*, user, item: ContentItem, version: int, **changes) -> ContentItem:
    """Change a draft. ``version`` is the one the editor started from: if someone saved in between,
    StaleEdit is raised and nothing is written. Changed source sentences outdate only their units."""
    require(user, CONTENT_WRITE, item)
    if item.state != State.DRAFT:
        raise ValidationError(_("Only a draft can be edited; return or reopen the item first."))
    unknown = set(changes) - set(META_FIELDS) - set(TEXT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    source = item.variants.select_related("language").get(is_source=True)
    texts = {f: changes.get(f, getattr(source, f)) for f in TEXT_FIELDS}
    title, summary, body = _clean_texts(**texts)
    meta = _resolve({k: v for k, v in changes.items() if k in META_FIELDS})
    _validate_meta(
        {
            "kind": meta.get("kind", item.kind),
            "priority": meta.get("priority", item.priority),
            "ethnic_group": meta.get("ethnic_group", item.ethnic_group),
            "event_start": meta.get("event_start", item.event_start),
            "event_end": meta.get("event_end", item.event_end),
            **{k: v for k, v in meta.items() if k not in ("kind", "priority")},
        }
    )
    updated = ContentItem.objects.filter(pk=item.pk, version=version).update(
        version=version + 1, updated_at=timezone.now()
    )
    if not updated:
        raise StaleEdit(ContentItem.objects.get(pk=item.pk), {"title": title, "summary": summary, "body": body})
    item.refresh_from_db()
    _apply_meta(item, meta)
    item.save()
    _apply_relations(item, meta)
    if (title, summary, body) != (source.title, source.summary, source.body):
        source.title, source.summary, source.body = title, summary, body
        source.search_text = search_text_for(title=title, summary=summary, body=body, language=source.language.bcp47)
        source.version += 1
        source.save()
        sync_segments(source)
        _snapshot(source, user)
    return item


# workflow: action -> (allowed from-states, to-state, capability, comment required)
TRANSITIONS = {
    "submit": ({State.DRAFT}, State.SUBMITTED, CONTENT_WRITE, False),
    "appraise": ({State.SUBMITTED}, State.APPRAISED, CONTENT_APPRAISE, False),
    "return": ({State.SUBMITTED, State.APPRAISED, State.APPROVED}, State.DRAFT, CONTENT_APPRAISE, True),
    "approve": ({State.APPRAISED}, State.APPROVED, CONTENT_APPROVE, False),
    "schedule": ({State.APPROVED}, State.SCHEDULED, CONTENT_APPROVE, False),
    "unschedule": ({State.SCHEDULED}, State.APPROVED, CONTENT_APPROVE, False),
    "publish": ({State.APPROVED, State.SCHEDULED}, State.PUBLISHED, CONTENT_APPROVE, False),
    "withdraw": ({State.PUBLISHED, State.SCHEDULED}, State.WITHDRAWN, CONTENT_APPROVE, True),
    "reopen": ({State.WITHDRAWN}, State.DRAFT, CONTENT_WRITE, False),
}


def allowed_actions(user, item: ContentItem) -> list[str]:
    actions = []
    for action, (sources, _target, capability, _c) in TRANSITIONS.items():
        if item.state not in sources:
            continue
        if action == "return" and item.state != State.SUBMITTED:
            capability = CONTENT_APPROVE
        if allows(user, capability, item):
            actions.append(action)
    return actions


@transaction.atomic
def item_transition(
    *, user, item: ContentItem, action: str, comment: str = "", publish_at: dt.datetime | None = None
) -> ContentItem:
    """Move an item through the editorial workflow; every transition is recorded as a WorkflowEvent."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": _("Unknown action %(action)s.") % {"action": repr(action)}})
    sources, target, capability, needs_comment = TRANSITIONS[action]
    item = ContentItem.objects.select_for_update().get(pk=item.pk)
    if action == "return" and item.state != State.SUBMITTED:
        capability = CONTENT_APPROVE  # once appraised, only the approver sends it back
    require(user, capability, item)
    if item.state not in sources:
        raise ValidationError(
            _("Cannot %(action)s an item that is %(state)s.") % {"action": action, "state": item.get_state_display()}
        )
    comment = _text(comment)
    if needs_comment and not comment:
        raise ValidationError({"comment": _("Give a reason.")})
    source = item.variants.get(is_source=True)
    if action == "submit" and not (source.title.strip() and (source.body.strip() or source.summary.strip())):
        raise ValidationError(_("Write the title and the text before submitting."))
    previous = item.state
    if action == "schedule":
        if publish_at is None:
            raise ValidationError({"publish_at": _("Give the date and time to publish.")})
        if timezone.is_naive(publish_at):
            publish_at = timezone.make_aware(publish_at)
        if publish_at <= timezone.now():
            raise ValidationError({"publish_at": _("The publishing time must be in the future.")})
        item.publish_at = publish_at
    if action == "unschedule":
        item.publish_at = None
    if action == "publish":
        comment = _publish(item, user, comment)
    else:
        item.state = target
        item.version += 1
        item.save()
    notices.item_event(_event(item, user, previous, item.state, comment))
    return item


def _publish(item: ContentItem, user, comment: str = "") -> str:
    """Publish the item. A reviewed translation whose units have blocking QA findings (the termbase
    may have changed since it was approved) is held back; the event says which languages."""
    held, outdated = [], []
    for variant in item.variants.filter(is_source=False, published__isnull=False).select_related("language", "item"):
        if variant.units.filter(outdated=True).exists():
            outdated.append(variant.language.name_en)  # approved for a source text that has changed since
        elif variant.status == ContentVariant.Status.REVIEWED and qa.blocking(qa.run_variant(variant)):
            held.append(variant.language.name_en)
        else:
            continue
        if variant.status == ContentVariant.Status.REVIEWED:
            variant.status = ContentVariant.Status.TRANSLATED
        variant.published = None
        rebuild_target(variant)
    item.state = State.PUBLISHED
    item.published_at = item.published_at or timezone.now()
    item.version += 1
    item.save()
    if held:
        note = _("Held back by blocking QA findings: %(languages)s") % {"languages": ", ".join(held)}
        comment = f"{comment} {note}".strip()
    if outdated:
        note = _("Held back, the source changed since approval: %(languages)s") % {"languages": ", ".join(outdated)}
        comment = f"{comment} {note}".strip()
    return comment


@transaction.atomic
def item_comment(*, user, item: ContentItem, text: str) -> WorkflowEvent:
    """A comment in the item's history (anyone who may work on the item)."""
    if not any(
        allows(user, cap, item)
        for cap in (CONTENT_WRITE, CONTENT_APPRAISE, CONTENT_APPROVE, TRANSLATION_TRANSLATE, TRANSLATION_REVIEW)
    ):
        raise PermissionDenied(CONTENT_WRITE)
    text = _text(text)
    if not text:
        raise ValidationError({"text": _("Write a comment.")})
    return _event(item, user, item.state, item.state, text)


def publish_due_items(*, now: dt.datetime | None = None) -> list[int]:
    """Publish every scheduled item whose time has come. Idempotent: an item is claimed by a
    conditional update, so two runs (or two workers) publish it once."""
    now = now or timezone.now()
    published = []
    for item_id in ContentItem.objects.filter(state=State.SCHEDULED, publish_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            item = ContentItem.objects.select_for_update().filter(pk=item_id, state=State.SCHEDULED).first()
            if item is None:
                continue
            scheduled = item.events.filter(to_state=State.SCHEDULED).select_related("user").last()
            actor = scheduled.user if scheduled else item.author
            comment = _publish(item, actor, _("Published as scheduled"))
            _event(item, actor, State.SCHEDULED, State.PUBLISHED, comment)
            published.append(item_id)
    return published


# ---- images ------------------------------------------------------------------------------


@transaction.atomic
def image_add(*, user, item: ContentItem, upload, alt_text: str, caption: str = "", language=None) -> ContentImage:
    """Attach an image (PNG, JPEG or WebP by its first bytes, at most 5 MB) with its alternative text."""
    require(user, CONTENT_WRITE, item)
    alt_text = _text(alt_text)
    if not alt_text:
        raise ValidationError({"alt_text": _("Describe the image in the alternative text.")})
    size = getattr(upload, "size", None)
    if size is None:
        size = len(upload.read())
        upload.seek(0)
    if size > IMAGE_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The image is %(size)s bytes; at most %(max)s are allowed.")
                % {"size": size, "max": IMAGE_MAX_BYTES}
            }
        )
    head = upload.read(16)
    upload.seek(0)
    kind = next((name for name, test in IMAGE_SIGNATURES.items() if test(head)), None)
    if kind is None:
        raise ValidationError({"file": _("The file is not a PNG, JPEG or WebP image (checked by its content).")})
    language = language_get(language) if language else item.source_language
    order = (item.images.aggregate(n=Max("order"))["n"] or 0) + 1
    from django.core.files.base import ContentFile

    data = upload.read()
    image = ContentImage(
        item=item, language=language, alt_text=alt_text[:300], caption=_text(caption)[:500], order=order
    )
    image.file.save(f"{item.slug}-{order}.{'jpg' if kind == 'jpeg' else kind}", ContentFile(data), save=False)
    image.save()
    return image


@transaction.atomic
def image_delete(*, user, image: ContentImage) -> None:
    require(user, CONTENT_WRITE, image)
    image.file.delete(save=False)
    image.delete()


# ---- language variants and translation ---------------------------------------------------


@transaction.atomic
def variant_add(*, user, item: ContentItem, language) -> ContentVariant:
    """Open a target language: one untranslated unit per source segment, and an empty job."""
    require(user, CONTENT_WRITE, item)
    language = language_get(language)
    if item.variants.filter(language=language).exists():
        raise ValidationError({"language": _("The item already has a %(name)s variant.") % {"name": language.name_en}})
    source = item.variants.get(is_source=True)
    variant = ContentVariant.objects.create(
        item=item, language=language, is_source=False, status=ContentVariant.Status.IN_TRANSLATION
    )
    create_units_for(variant, source)
    TranslationJob.objects.create(target=variant)
    item.target_languages.add(language)
    return variant


@transaction.atomic
def job_assign(*, user, variant: ContentVariant, translator=None, reviewer=None, due_date=None) -> TranslationJob:
    """Assign a translator and a reviewer (each must hold the role over the item's area) and a due date."""
    require(user, CONTENT_WRITE, variant)
    if variant.is_source:
        raise ValidationError(_("The source text is not translated."))
    errors = {}
    if translator is not None and not allows(translator, TRANSLATION_TRANSLATE, variant):
        errors["translator"] = _("%(user)s is not a translator for this item's area.") % {"user": translator}
    if reviewer is not None and not allows(reviewer, TRANSLATION_REVIEW, variant):
        errors["reviewer"] = _("%(user)s is not a reviewer for this item's area.") % {"user": reviewer}
    if errors:
        raise ValidationError(errors)
    job, _created = TranslationJob.objects.get_or_create(target=variant)
    before = (job.translator_id, job.reviewer_id)
    job.translator, job.reviewer, job.due_date = translator, reviewer, due_date
    job.save()
    notices.job_assigned(job, actor=user, before=before)
    return job


def can_translate(user, unit_or_variant) -> bool:
    """Translators of the area (the assigned one, once a translator is assigned) and reviewers."""
    variant = unit_or_variant.target if isinstance(unit_or_variant, TranslationUnit) else unit_or_variant
    if allows(user, TRANSLATION_REVIEW, variant):
        return True
    if not allows(user, TRANSLATION_TRANSLATE, variant):
        return False
    job = TranslationJob.objects.filter(target=variant).first()
    return job is None or job.translator_id is None or job.translator_id == user.pk


def _require_translate(user, unit: TranslationUnit) -> None:
    if not can_translate(user, unit):
        raise PermissionDenied(TRANSLATION_TRANSLATE)
    if unit.target.is_source:
        raise ValidationError(_("The source text is not translated."))


def _after_unit_change(variant: ContentVariant, *, user) -> None:
    units = variant.units.all()
    was_complete = variant.status in (ContentVariant.Status.TRANSLATED, ContentVariant.Status.REVIEWED)
    complete = (
        not units.filter(outdated=True).exists()
        and not units.exclude(state__in=[TranslationUnit.State.TRANSLATED, TranslationUnit.State.REVIEWED]).exists()
    )
    variant.status = ContentVariant.Status.TRANSLATED if complete else ContentVariant.Status.IN_TRANSLATION
    variant.version += 1
    if variant.published_id:
        # A new draft of an approved translation: the public text stays that of the approved
        # version until the draft is approved (variant_approve assembles and publishes it).
        variant.save()
    else:
        rebuild_target(variant)
    if complete and not was_complete:
        notices.translation_ready(variant, actor=user)


def _programme_of(item: ContentItem):
    task = item.related_tasks.select_related("programme").first()
    return task.programme if task else None


def _locked_unit(unit: TranslationUnit, version: int | None, your_text: str | None, *related) -> TranslationUnit:
    """The unit read again with its row locked until the transaction ends, so concurrent writers of
    the same unit wait for each other and each sees the version the previous one wrote (on SQLite the
    IMMEDIATE transactions serialise writers the same way). ``version`` is the one the editor started
    from: if it is not the stored one, StaleUnitEdit is raised. None skips the check (loaders, scripts)."""
    locked = TranslationUnit.objects.select_for_update(of=("self",)).select_related(*related).get(pk=unit.pk)
    if version is not None and locked.version != version:
        raise StaleUnitEdit(locked, your_text)
    locked.version += 1
    return locked


@transaction.atomic
def unit_save(
    *,
    user,
    unit: TranslationUnit,
    text: str,
    version: int | None = None,
    state: str = TranslationUnit.State.TRANSLATED,
    origin: str = "human",
) -> TranslationUnit:
    """Save a translation. An empty text makes the unit untranslated again. Saving clears
    ``outdated`` (the translation now answers the current source) and post-editing of MT output.
    ``version`` is the unit version the editor started from: if someone saved in between,
    StaleUnitEdit is raised with both texts and nothing is written (the API and the editor pass it)."""
    _require_translate(user, unit)
    if state not in (TranslationUnit.State.DRAFT, TranslationUnit.State.TRANSLATED):
        raise ValidationError({"state": _("A translation is saved as draft or translated; reviewing is separate.")})
    if origin not in ("human", "tm", "mt"):
        raise ValidationError({"origin": _("Unknown origin %(origin)s.") % {"origin": repr(origin)}})
    text = _text(text)
    unit = _locked_unit(unit, version, text, "segment", "target__language")
    unit.text = text
    unit.state = state if text else TranslationUnit.State.UNTRANSLATED
    unit.origin = origin if text else "human"
    unit.needs_post_editing = origin == "mt" and bool(text)
    unit.outdated = False
    if unit.segment_id:
        unit.source_text, unit.source_checksum = unit.segment.text, unit.segment.checksum
    if not allows(user, TRANSLATION_REVIEW, unit) or unit.translator_id is None:
        unit.translator = user
    unit.reviewer = None
    unit.save()
    _after_unit_change(unit.target, user=user)
    return unit


@transaction.atomic
def unit_machine_translate(*, user, unit: TranslationUnit, version: int | None = None) -> TranslationUnit:
    """Fill a unit from the configured machine-translation provider, marked for post-editing.
    ``version`` as for unit_save: a stale one raises StaleUnitEdit before the provider is asked."""
    from ketnoi.translation import machine

    _require_translate(user, unit)
    if version is not None:
        current = TranslationUnit.objects.get(pk=unit.pk)
        if current.version != version:
            raise StaleUnitEdit(current, None)
    try:
        provider = machine.get_provider()
    except machine.MachineTranslationError as exc:
        raise ValidationError(str(exc)) from exc
    if getattr(provider, "name", "none") == "none":
        raise ValidationError(_("No machine-translation provider is configured."))
    source_text = unit.segment.text if unit.segment_id else unit.source_text
    try:
        result = provider.translate(source_text, unit.target.item.source_language.bcp47, unit.target.language.bcp47)
    except machine.MachineTranslationError as exc:
        raise ValidationError(str(exc)) from exc
    unit = unit_save(
        user=user, unit=unit, text=result.text, version=version, state=TranslationUnit.State.DRAFT, origin="mt"
    )
    if not result.needs_post_editing:
        TranslationUnit.objects.filter(pk=unit.pk).update(needs_post_editing=False)
        unit.needs_post_editing = False
    return unit


def _add_to_memory(unit: TranslationUnit) -> None:
    from ketnoi.translation import memory

    target = unit.target
    memory.add(
        source_text=unit.source_text,
        target_text=unit.text,
        source_lang=target.item.source_language.bcp47,
        target_lang=target.language.bcp47,
        programme=_programme_of(target.item),
        origin="reviewed",
    )


@transaction.atomic
def unit_review(*, user, unit: TranslationUnit, version: int | None = None) -> TranslationUnit:
    """Mark one translation reviewed; reviewed translations feed the translation memory. With
    ``version`` (the editor's), a text changed since the reviewer read it raises StaleUnitEdit."""
    require(user, TRANSLATION_REVIEW, unit)
    unit = _locked_unit(unit, version, None, "target__item", "target__language")
    if not unit.text.strip():
        raise ValidationError(_("An untranslated segment cannot be reviewed."))
    if unit.outdated:
        raise ValidationError(_("The source of this segment changed; update the translation first."))
    if unit.needs_post_editing:
        raise ValidationError(_("Machine translation must be post-edited before review."))
    unit.state = TranslationUnit.State.REVIEWED
    unit.reviewer = user
    unit.save()
    _add_to_memory(unit)
    _after_unit_change(unit.target, user=user)
    return unit


@transaction.atomic
def qa_override(*, user, unit: TranslationUnit, check_id: str, found_text: str = "", reason: str) -> QAOverride:
    """Accept a blocking QA finding with a recorded reason (audited), so the language may be published."""
    require(user, TRANSLATION_REVIEW, unit)
    reason = _text(reason)
    if len(reason) < 5:
        raise ValidationError({"reason": _("Explain why the finding is accepted.")})
    current = [r for r in qa.run_unit(unit) if r.blocking]
    if not any(r.finding.check == check_id and (r.finding.text or "")[:500] == (found_text or "") for r in current):
        raise ValidationError({"check_id": _("This segment has no such blocking finding.")})
    return QAOverride.objects.create(
        unit=unit, check_id=check_id, found_text=(found_text or "")[:500], reason=reason[:500], user=user
    )


def _unit_label(unit: TranslationUnit) -> str:
    return f"{unit.field} {unit.index + 1}"


@transaction.atomic
def variant_approve(*, user, variant: ContentVariant, comment: str = "") -> ContentVariant:
    """Approve a translation for publication: every segment translated and current, QA on every
    unit with no blocking finding left (unless overridden). Remaining units become reviewed and
    feed the translation memory. The language is public once the item is published."""
    require(user, TRANSLATION_REVIEW, variant)
    if variant.is_source:
        raise ValidationError(_("The source text is not translated."))
    units = list(variant.units.select_related("segment", "target__item", "target__language").order_by("field", "index"))
    problems = []
    for unit in units:
        if not unit.text.strip():
            problems.append(_("%(segment)s is not translated") % {"segment": _unit_label(unit)})
        elif unit.outdated:
            problems.append(_("%(segment)s is outdated") % {"segment": _unit_label(unit)})
        elif unit.needs_post_editing:
            problems.append(
                _("%(segment)s is machine translation not yet post-edited") % {"segment": _unit_label(unit)}
            )
    if problems:
        raise ValidationError(_("Not ready: %(problems)s.") % {"problems": "; ".join(problems[:10])})
    blocking = qa.blocking(qa.run_variant(variant))
    if blocking:
        raise ValidationError(
            [
                _("%(segment)s: %(message)s (%(check)s)")
                % {"segment": _unit_label(r.unit), "message": r.finding.message, "check": r.finding.check}
                for r in blocking[:20]
            ]
        )
    for unit in units:
        if unit.state != TranslationUnit.State.REVIEWED:
            unit.state = TranslationUnit.State.REVIEWED
            unit.reviewer = user
            unit.version += 1
            unit.save()
            _add_to_memory(unit)
    rebuild_target(variant, save=False)
    variant.status = ContentVariant.Status.REVIEWED
    variant.version += 1
    variant.save()
    variant.published = _snapshot(variant, user)  # this version is what the public sees from now on
    variant.save(update_fields=["published"])
    note = _("Translation into %(language)s approved") % {"language": variant.language.name_en}
    event = _event(variant.item, user, variant.item.state, variant.item.state, f"{note}. {_text(comment)}".strip(" ."))
    notices.translation_decided(variant, event, approved=True)
    return variant


@transaction.atomic
def variant_reopen(*, user, variant: ContentVariant, comment: str = "") -> ContentVariant:
    """Take a reviewed translation back into translation. Its approved version stays online until a
    new one is approved; ``variant_take_offline`` removes it from the public site."""
    require(user, TRANSLATION_REVIEW, variant)
    if variant.status != ContentVariant.Status.REVIEWED:
        raise ValidationError(_("Only an approved translation can be reopened."))
    variant.status = ContentVariant.Status.TRANSLATED
    variant.save()
    note = _("Translation into %(language)s reopened") % {"language": variant.language.name_en}
    event = _event(variant.item, user, variant.item.state, variant.item.state, f"{note}. {_text(comment)}".strip(" ."))
    notices.translation_decided(variant, event, approved=False, reason=_text(comment))
    return variant


@transaction.atomic
def variant_take_offline(*, user, variant: ContentVariant, comment: str) -> ContentVariant:
    """Remove a translation from the public site (a wrong rendering found after approval): its
    approved version is no longer shown; the text in the editor is kept and can be approved again."""
    require(user, TRANSLATION_REVIEW, variant)
    variant = ContentVariant.objects.select_for_update().select_related("language", "item").get(pk=variant.pk)
    if not variant.published_id:
        raise ValidationError(_("This translation is not online."))
    comment = _text(comment)
    if not comment:
        raise ValidationError({"comment": _("Say why the translation is taken offline.")})
    variant.published = None
    if variant.status == ContentVariant.Status.REVIEWED:
        variant.status = ContentVariant.Status.TRANSLATED
    variant.version += 1
    rebuild_target(variant)
    note = _("Translation into %(language)s taken offline") % {"language": variant.language.name_en}
    _event(variant.item, user, variant.item.state, variant.item.state, f"{note}. {comment}")
    return variant


# ---- XLIFF -------------------------------------------------------------------------------


def variant_xliff_export(*, user, variant: ContentVariant, version: str = "2.0") -> bytes:
    from ketnoi.translation.interchange import XliffUnit, xliff_export

    if not (can_translate(user, variant) or allows(user, CONTENT_WRITE, variant)):
        raise PermissionDenied(TRANSLATION_TRANSLATE)
    if variant.is_source:
        raise ValidationError(_("The source text is not translated."))
    if version not in ("2.0", "1.2"):
        raise ValidationError({"version": _("XLIFF version must be 2.0 or 1.2.")})
    units = variant.units.select_related("segment").exclude(segment__isnull=True).order_by("field", "index")
    return xliff_export(
        [
            XliffUnit(
                id=str(u.pk),
                source=u.segment.text,
                target=u.text,
                state=u.state,
                note=_("outdated: the source changed") if u.outdated else "",
            )
            for u in units
        ],
        source_lang=variant.item.source_language.bcp47,
        target_lang=variant.language.bcp47,
        version=version,
        original=f"{variant.item.slug}.{variant.language.bcp47}",
    )


@transaction.atomic
def variant_xliff_import(*, user, variant: ContentVariant, data: bytes, filename: str = "upload.xlf") -> int:
    """Read an XLIFF file back into the units, all or nothing: languages must match, every unit id must
    be a unit of this variant whose source is unchanged. Returns how many units changed."""
    from ketnoi.translation.interchange import xliff_import
    from ketnoi.translation.xmlsafe import LineError

    if not can_translate(user, variant):
        raise PermissionDenied(TRANSLATION_TRANSLATE)
    if variant.is_source:
        raise ValidationError(_("The source text is not translated."))
    document = xliff_import(data, filename=filename)
    errors = []

    def at(line, message):  # "file, line N: message", as the file's own errors read
        return str(LineError(filename, line, None, message))

    if language_get(document.source_lang).pk != variant.item.source_language_id:
        errors.append(
            at(
                None,
                _("The file's source language is %(lang)s, not %(expected)s.")
                % {"lang": document.source_lang, "expected": variant.item.source_language.bcp47},
            )
        )
    if language_get(document.target_lang).pk != variant.language_id:
        errors.append(
            at(
                None,
                _("The file's target language is %(lang)s, not %(expected)s.")
                % {"lang": document.target_lang, "expected": variant.language.bcp47},
            )
        )
    # locked: a segment saved in the editor meanwhile waits, and then sees the imported version
    units = {str(u.pk): u for u in variant.units.select_for_update(of=("self",)).select_related("segment")}
    reviewer = allows(user, TRANSLATION_REVIEW, variant)
    plan = []
    for xu in document.units:
        unit = units.get(str(xu.id))
        if unit is None:
            errors.append(at(xu.line, _("Unit %(id)s is not a segment of this translation.") % {"id": repr(xu.id)}))
            continue
        source_now = unit.segment.text if unit.segment_id else unit.source_text
        if _text(xu.source) != source_now:
            errors.append(at(xu.line, _("Unit %(id)s: the source text changed since the export.") % {"id": xu.id}))
            continue
        state = xu.state if xu.state in TranslationUnit.State.values else TranslationUnit.State.TRANSLATED
        if state == TranslationUnit.State.REVIEWED and not reviewer:
            state = TranslationUnit.State.TRANSLATED
        plan.append((unit, _text(xu.target), state))
    if errors:
        raise ValidationError(errors[:20])
    changed = 0
    for unit, text, state in plan:
        if text == unit.text and state == unit.state and not unit.outdated:
            continue
        unit.text = text
        unit.state = state if text else TranslationUnit.State.UNTRANSLATED
        unit.outdated = False
        unit.needs_post_editing = False
        unit.source_text, unit.source_checksum = unit.segment.text, unit.segment.checksum
        if unit.state == TranslationUnit.State.REVIEWED:
            unit.reviewer = user
        else:
            unit.translator = user
        unit.version += 1
        unit.save()
        if unit.state == TranslationUnit.State.REVIEWED:
            _add_to_memory(unit)
        changed += 1
    _after_unit_change(variant, user=user)
    return changed
