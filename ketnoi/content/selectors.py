"""Read queries of content: the public ones the portal uses, and scoped ones for the editorial desk.

Public means: the item is published, and the variant is the source or a reviewed translation.
Everything else is read through ``restrict`` with the content and translation capabilities; an
item owned by no unit (central) is visible only to users whose capability covers the country.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from ketnoi.core.roles import (
    CONTENT_APPRAISE,
    CONTENT_APPROVE,
    CONTENT_WRITE,
    TRANSLATION_REVIEW,
    TRANSLATION_TRANSLATE,
)
from ketnoi.core.scoping import restrict
from ketnoi.people.models import Language

from .models import (
    ContentImage,
    ContentItem,
    ContentVariant,
    ContentVersion,
    QAOverride,
    Segment,
    Topic,
    TranslationJob,
    TranslationUnit,
    WorkflowEvent,
)
from .text import search_key

DESK_CAPABILITIES = (CONTENT_WRITE, CONTENT_APPRAISE, CONTENT_APPROVE, TRANSLATION_TRANSLATE, TRANSLATION_REVIEW)
FIELD_ORDER = Case(
    When(field="title", then=Value(0)),
    When(field="summary", then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


# ---- public (portal) ---------------------------------------------------------------------


def _public_q(prefix: str = "") -> Q:
    # A translation is public through its approved version, also while a new draft of it is edited.
    return Q(**{f"{prefix}item__state": ContentItem.State.PUBLISHED}) & (
        Q(**{f"{prefix}is_source": True}) | Q(**{f"{prefix}published__isnull": False})
    )


def _public_variants() -> QuerySet[ContentVariant]:
    return (
        ContentVariant.objects.filter(_public_q())
        .select_related("item", "item__section", "item__author", "language", "item__source_language")
        .prefetch_related("item__topics")
    )


def _language_filter(language) -> Q:
    if isinstance(language, Language):
        return Q(language=language)
    code = str(language)
    return Q(language__bcp47__iexact=code) | Q(language__iso639_3__iexact=code)


def public_items(*, language, kind=None, topic=None, section=None, query=None) -> QuerySet[ContentVariant]:
    """Published variants in ``language`` (a Language or a BCP 47 / ISO 639-3 code), newest first.

    ``topic`` and ``section`` are codes or objects; ``query`` ignores Vietnamese diacritics and is
    word-segmented for Thai."""
    variants = _public_variants().filter(_language_filter(language))
    if kind:
        variants = variants.filter(item__kind=kind)
    if topic:
        variants = variants.filter(item__topics__code=getattr(topic, "code", topic))
    if section:
        variants = variants.filter(item__section__code=getattr(section, "code", section))
    if query and query.strip():
        lang_code = language.bcp47 if isinstance(language, Language) else str(language)
        key = search_key(query, lang_code)
        if lang_code.split("-")[0].lower() == "th":
            for word in key.split():
                variants = variants.filter(search_text__contains=f" {word} ")
        elif key:
            variants = variants.filter(search_text__contains=key)
        else:
            variants = variants.none()
    return variants.distinct().order_by("-item__published_at", "-id")


def public_variant(*, slug: str, language) -> ContentVariant:
    """The public variant of an item in a language; ContentVariant.DoesNotExist for anything not public."""
    return _public_variants().filter(_language_filter(language)).get(item__slug=slug)


def public_languages(item: ContentItem) -> list[Language]:
    """Languages in which the item is public, the source language first."""
    ids = ContentVariant.objects.filter(_public_q(), item_id=item.pk).values("language_id")
    languages = list(Language.objects.filter(pk__in=ids))
    return sorted(languages, key=lambda lang: (lang.pk != item.source_language_id, lang.sort_key))


def related_items(variant: ContentVariant, limit: int = 5) -> list[ContentVariant]:
    """Other public items in the same language: sharing a topic first, then the section, then the author."""
    item = variant.item
    topic_ids = list(item.topics.values_list("pk", flat=True))
    candidates = (
        _public_variants()
        .filter(language_id=variant.language_id)
        .exclude(item_id=item.pk)
        .filter(
            Q(item__topics__in=topic_ids)
            | Q(item__section_id=item.section_id, item__section__isnull=False)
            | Q(item__author_id=item.author_id)
        )
        .annotate(shared_topics=Count("item__topics", filter=Q(item__topics__in=topic_ids), distinct=True))
        .annotate(
            same_section=Case(
                When(item__section_id=item.section_id, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-shared_topics", "-same_section", "-item__published_at", "-id")
    )
    seen, result = set(), []
    for candidate in candidates:
        if candidate.pk in seen:
            continue
        seen.add(candidate.pk)
        result.append(candidate)
        if len(result) >= limit:
            break
    return result


def public_events(*, language, start: dt.datetime | dt.date, end: dt.datetime | dt.date) -> QuerySet[ContentVariant]:
    """Public variants of items with an event overlapping [start, end], by event start."""
    start_dt, end_dt = _as_datetime(start), _as_datetime(end, end_of_day=True)
    return (
        _public_variants()
        .filter(_language_filter(language), item__event_start__isnull=False, item__event_start__lte=end_dt)
        .filter(Q(item__event_end__gte=start_dt) | Q(item__event_end__isnull=True, item__event_start__gte=start_dt))
        .order_by("item__event_start", "id")
    )


def public_images(variant: ContentVariant) -> QuerySet[ContentImage]:
    """Images of a public variant's item: those in its language, else those of the source language."""
    images = variant.item.images.all()
    own = images.filter(language_id=variant.language_id)
    return own if own.exists() else images.filter(language_id=variant.item.source_language_id)


def public_image(*, pk: int) -> ContentImage:
    """An image of a published item (ContentImage.DoesNotExist otherwise), for serving on the portal."""
    return ContentImage.objects.select_related("item").get(pk=pk, item__state=ContentItem.State.PUBLISHED)


def _as_datetime(value, end_of_day: bool = False) -> dt.datetime:
    from django.utils import timezone

    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    moment = dt.datetime.combine(value, dt.time.max if end_of_day else dt.time.min)
    return timezone.make_aware(moment)


# ---- editorial desk (scoped) ---------------------------------------------------------------


def _visible(queryset: QuerySet, user) -> QuerySet:
    """Rows in the area of any content or translation capability of the user."""
    combined = queryset.none()
    for capability in DESK_CAPABILITIES:
        combined = combined | restrict(queryset, user, capability)
    return combined.distinct()


def item_list_for_user(*, user, state=None, kind=None, query: str = "", language=None) -> QuerySet[ContentItem]:
    items = _visible(ContentItem.objects.all(), user)
    if state:
        items = items.filter(state=state)
    if kind:
        items = items.filter(kind=kind)
    if language:
        items = items.filter(variants__in=ContentVariant.objects.filter(_language_filter(language)))
    if query and query.strip():
        items = items.filter(
            Q(variants__is_source=True, variants__search_text__contains=search_key(query, "vi"))
            | Q(slug__icontains=query.strip())
        )
    return (
        items.select_related("source_language", "author", "owner_unit", "section")
        .prefetch_related("variants__language")
        .order_by("-updated_at", "-id")
        .distinct()
    )


def item_get_for_user(*, user, pk: int) -> ContentItem:
    """ContentItem.DoesNotExist when outside the user's area (so views answer 404)."""
    return item_list_for_user(user=user).get(pk=pk)


def source_variant(item: ContentItem) -> ContentVariant:
    return item.variants.select_related("language").get(is_source=True)


def variant_list_for_user(*, user, item: ContentItem | None = None) -> QuerySet[ContentVariant]:
    variants = _visible(ContentVariant.objects.all(), user).select_related("language", "item", "job")
    if item is not None:
        variants = variants.filter(item=item)
    return variants.order_by("-is_source", "language__sort_key")


def variant_get_for_user(*, user, pk: int) -> ContentVariant:
    return variant_list_for_user(user=user).get(pk=pk)


def units_of(variant: ContentVariant) -> QuerySet[TranslationUnit]:
    return (
        variant.units.select_related("segment", "translator", "reviewer")
        .prefetch_related("qa_overrides")
        .annotate(field_order=FIELD_ORDER)
        .order_by("field_order", "index")
    )


def unit_get_for_user(*, user, pk: int) -> TranslationUnit:
    return _visible(TranslationUnit.objects.all(), user).select_related("target__item", "target__language").get(pk=pk)


def segments_of(variant: ContentVariant) -> QuerySet[Segment]:
    return variant.segments.annotate(field_order=FIELD_ORDER).order_by("field_order", "index")


def versions_of(variant: ContentVariant) -> QuerySet[ContentVersion]:
    return variant.versions.select_related("author").order_by("-number")


def events_of(item: ContentItem) -> QuerySet[WorkflowEvent]:
    return item.events.select_related("user").order_by("at", "id")


def overrides_of(variant: ContentVariant) -> QuerySet[QAOverride]:
    return QAOverride.objects.filter(unit__target=variant).select_related("user", "unit").order_by("-at")


def job_list_for_user(*, user) -> QuerySet[TranslationJob]:
    """Translation jobs in the user's area, with their progress."""
    return (
        _visible(TranslationJob.objects.all(), user)
        .select_related("target__item", "target__language", "translator", "reviewer")
        .annotate(
            units_total=Count("target__units", distinct=True),
            units_done=Count(
                "target__units",
                filter=Q(target__units__state__in=["translated", "reviewed"], target__units__outdated=False),
                distinct=True,
            ),
        )
        .order_by("due_date", "id")
    )


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.all()


def progress(variant: ContentVariant) -> dict[str, int]:
    counts = {state: 0 for state in TranslationUnit.State.values}
    for row in variant.units.values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    counts["outdated"] = variant.units.filter(outdated=True).count()
    counts["total"] = sum(counts[s] for s in TranslationUnit.State.values)
    return counts
