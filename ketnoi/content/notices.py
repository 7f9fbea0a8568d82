"""Who is told about the editorial and translation workflow (issue 7.4), through the notifications
app: in-app and e-mail, once per event, in each reader's language.

- an article submitted → its appraisers; appraised → its approvers; returned or approved → the author;
- a translation job assigned → the translator and the reviewer named;
- every segment of a translation done → its reviewer; the translation approved or reopened → its translator.

The notifications are written in the caller's transaction, so a rolled-back step tells nobody.
"""

from __future__ import annotations

from django.urls import reverse

from ketnoi.core.roles import CONTENT_APPRAISE, CONTENT_APPROVE, TRANSLATION_REVIEW
from ketnoi.core.scoping import allows
from ketnoi.notifications.models import Kind
from ketnoi.notifications.services import notify
from ketnoi.orgs.models import User

from .models import ContentItem, ContentVariant, TranslationJob, WorkflowEvent

# the state an item reaches → (kind, who is told)
_ITEM_NOTICES = {
    ContentItem.State.SUBMITTED: (Kind.CONTENT_SUBMITTED, CONTENT_APPRAISE),
    ContentItem.State.APPRAISED: (Kind.CONTENT_APPRAISED, CONTENT_APPROVE),
    ContentItem.State.APPROVED: (Kind.CONTENT_APPROVED, "author"),
}


def people_with(capability: str, obj) -> list:
    """Active users who hold ``capability`` over ``obj``'s area (an item or a variant)."""
    candidates = User.objects.filter(is_active=True, role_grants__isnull=False).distinct().select_related("agency")
    return [user for user in candidates if allows(user, capability, obj)]


def _title(item: ContentItem) -> str:
    source = item.variants.filter(is_source=True).values_list("title", flat=True).first()
    return source or item.slug


def _language_values(language) -> dict:
    return {"language_vi": language.name_vi, "language_en": language.name_en, "language_th": language.name_th}


def item_event(event: WorkflowEvent) -> None:
    """Tell the next step of an editorial transition (``event`` just written by item_transition)."""
    item = event.item
    values = {"title": _title(item), "actor": str(event.user), "reason": event.comment}
    if event.to_state == ContentItem.State.DRAFT and event.from_state in (
        ContentItem.State.SUBMITTED,
        ContentItem.State.APPRAISED,
        ContentItem.State.APPROVED,
    ):
        kind, recipients = Kind.CONTENT_RETURNED, [item.author]
    elif event.to_state in _ITEM_NOTICES and event.from_state != event.to_state:
        kind, who = _ITEM_NOTICES[event.to_state]
        recipients = [item.author] if who == "author" else people_with(who, item)
    else:
        return
    notify(
        recipients=recipients,
        kind=kind,
        event_key=f"content_event:{event.pk}",
        values=values,
        link=reverse("content-item", args=[item.pk]),
        exclude=[event.user],
    )


def job_assigned(job: TranslationJob, *, actor, before: tuple[int | None, int | None]) -> None:
    """Tell a newly named translator or reviewer (``before``: the ids named until now)."""
    variant = job.target
    values = {
        "title": _title(variant.item),
        "actor": str(actor),
        "due": job.due_date,
        **_language_values(variant.language),
    }
    link = reverse("content-editor", args=[variant.pk])
    for role, person, previous in (
        ("translator", job.translator, before[0]),
        ("reviewer", job.reviewer, before[1]),
    ):
        if person is None or person.pk == previous:
            continue
        notify(
            recipients=[person],
            kind=Kind.TRANSLATION_ASSIGNED,
            event_key=f"translation_assigned:{job.pk}:{role}:{person.pk}:{job.updated_at.isoformat()}",
            values={**values, "role": role},
            link=link,
            exclude=[actor],
        )


def translation_ready(variant: ContentVariant, *, actor) -> None:
    """Every segment is translated: the reviewer (or, with none named, the area's reviewers) is told."""
    job = TranslationJob.objects.filter(target=variant).select_related("reviewer").first()
    recipients = [job.reviewer] if job and job.reviewer else people_with(TRANSLATION_REVIEW, variant)
    notify(
        recipients=recipients,
        kind=Kind.TRANSLATION_SUBMITTED,
        event_key=f"translation_ready:{variant.pk}:{variant.version}",
        values={"title": _title(variant.item), "actor": str(actor), **_language_values(variant.language)},
        link=reverse("content-editor", args=[variant.pk]),
        exclude=[actor],
    )


def translation_decided(variant: ContentVariant, event: WorkflowEvent, *, approved: bool, reason: str = "") -> None:
    """The translator hears that their translation was approved, or reopened with the reason."""
    job = TranslationJob.objects.filter(target=variant).select_related("translator").first()
    translators = [job.translator] if job and job.translator else []
    translators += [unit.translator for unit in variant.units.select_related("translator") if unit.translator]
    notify(
        recipients=translators,
        kind=Kind.TRANSLATION_APPROVED if approved else Kind.TRANSLATION_RETURNED,
        event_key=f"translation_decided:{event.pk}",
        values={
            "title": _title(variant.item),
            "actor": str(event.user),
            "reason": reason,
            **_language_values(variant.language),
        },
        link=reverse("content-editor", args=[variant.pk]),
        exclude=[event.user],
    )
