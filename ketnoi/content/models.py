"""Content items written once in Vietnamese and delivered in other languages, segment by segment."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.models import TimeStampedModel


class Topic(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_vi = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["code"]

    def __str__(self):
        return self.name_vi


class Section(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_vi = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name_vi


class ContentItem(Audited, TimeStampedModel):
    """One piece of content: news, policy explainer, announcement, foreign-information feature, profile."""

    SCOPE_UNIT_PATH = "owner_unit"

    class Kind(models.TextChoices):
        NEWS = "news", _("news article")
        EXPLAINER = "explainer", _("policy explainer")
        ANNOUNCEMENT = "announcement", _("announcement / bulletin")
        FOREIGN_FEATURE = "foreign_feature", _("foreign-information feature")
        GROUP_PROFILE = "group_profile", _("ethnic-group profile")

    class Priority(models.TextChoices):  # Circular 39/2020: normal, priority, emergency bulletins
        NORMAL = "normal", _("normal")
        PRIORITY = "priority", _("priority")
        EMERGENCY = "emergency", _("emergency")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPRAISED = "appraised", _("appraised by the editorial board")
        APPROVED = "approved", _("approved")
        SCHEDULED = "scheduled", _("scheduled")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NEWS)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    source_language = models.ForeignKey(
        "people.Language", on_delete=models.PROTECT, related_name="+", verbose_name=_("source language")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    owner_unit = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The province or commune whose editorial board owns the item; empty for central."),
    )
    agency = models.ForeignKey("orgs.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    topics = models.ManyToManyField(Topic, blank=True, related_name="items")
    source = models.CharField(_("source"), max_length=300, blank=True)
    related_tasks = models.ManyToManyField("programmes.Task", blank=True, related_name="content_items")
    target_units = models.ManyToManyField("geo.AdminUnit", blank=True, related_name="+")
    target_groups = models.ManyToManyField("people.EthnicGroup", blank=True, related_name="+")
    target_languages = models.ManyToManyField("people.Language", blank=True, related_name="+")
    ethnic_group = models.ForeignKey(
        "people.EthnicGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For ethnic-group profiles."),
    )
    event_start = models.DateTimeField(_("event starts"), null=True, blank=True)
    event_end = models.DateTimeField(_("event ends"), null=True, blank=True)
    event_place = models.CharField(_("event place"), max_length=300, blank=True)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("content item")
        verbose_name_plural = _("content items")
        ordering = ["-published_at", "-created_at"]

    def __str__(self):
        return self.slug


class ContentVariant(Audited, TimeStampedModel):
    """The item in one language. The source variant is written; the others are translated by segments."""

    SCOPE_UNIT_PATH = "item__owner_unit"

    class Status(models.TextChoices):
        SOURCE = "source", _("source text")
        IN_TRANSLATION = "in_translation", _("in translation")
        TRANSLATED = "translated", _("translated")
        REVIEWED = "reviewed", _("reviewed")

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="variants")
    language = models.ForeignKey("people.Language", on_delete=models.PROTECT, related_name="+")
    is_source = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IN_TRANSLATION)
    title = models.CharField(_("title"), max_length=500, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body (sanitised HTML)"), blank=True)
    search_text = models.TextField(editable=False, blank=True)  # folded or word-segmented text for search
    version = models.PositiveIntegerField(default=1)
    # The approved version that is online. While a translation is edited again its title, summary,
    # body and search text stay those of this version (the draft lives in the units) until the new
    # draft is approved; None: not public.
    published = models.ForeignKey(
        "ContentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("language variant")
        verbose_name_plural = _("language variants")
        constraints = [models.UniqueConstraint(fields=["item", "language"], name="content_variant_unique")]

    def __str__(self):
        return f"{self.item.slug} [{self.language.bcp47}]"


class ContentVersion(models.Model):
    """Every saved state of a variant, for history and diffs."""

    variant = models.ForeignKey(ContentVariant, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["variant", "-number"]
        constraints = [models.UniqueConstraint(fields=["variant", "number"], name="content_version_unique")]

    def __str__(self):
        return f"{self.variant} v{self.number}"


class ContentImage(Audited, TimeStampedModel):
    SCOPE_UNIT_PATH = "item__owner_unit"

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(_("image"), upload_to="content/%Y/%m/")
    language = models.ForeignKey("people.Language", on_delete=models.PROTECT, related_name="+")
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    alt_text = models.CharField(_("alternative text"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "order"]

    def __str__(self):
        return self.alt_text


class WorkflowEvent(models.Model):
    """A transition of the editorial workflow, with comment and — for overridden QA — the reason."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=10)
    to_state = models.CharField(max_length=10)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.item.slug}: {self.from_state} → {self.to_state}"


class Segment(models.Model):
    """A sentence of a source variant, as segmented by underthesea (vi), pythainlp (th) or a fallback."""

    variant = models.ForeignKey(ContentVariant, on_delete=models.CASCADE, related_name="segments")
    field = models.CharField(max_length=10, default="body")  # title | summary | body
    index = models.PositiveIntegerField()
    block = models.PositiveIntegerField(default=0)  # the leaf block of the body the sentence belongs to
    text = models.TextField()
    checksum = models.CharField(max_length=64)

    class Meta:
        ordering = ["variant", "field", "index"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "field", "index"], name="content_segment_unique"),
        ]

    def __str__(self):
        return self.text[:60]


class TranslationUnit(Audited, TimeStampedModel):
    """The translation of one source segment into one target variant."""

    SCOPE_UNIT_PATH = "target__item__owner_unit"

    class State(models.TextChoices):
        UNTRANSLATED = "untranslated", _("untranslated")
        DRAFT = "draft", _("draft")
        TRANSLATED = "translated", _("translated")
        REVIEWED = "reviewed", _("reviewed")

    target = models.ForeignKey(ContentVariant, on_delete=models.CASCADE, related_name="units")
    segment = models.ForeignKey(Segment, null=True, on_delete=models.SET_NULL, related_name="units")
    field = models.CharField(max_length=10, default="body")
    index = models.PositiveIntegerField()
    source_text = models.TextField()  # the source as it was when translated
    source_checksum = models.CharField(max_length=64)
    text = models.TextField(blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.UNTRANSLATED)
    outdated = models.BooleanField(default=False)
    origin = models.CharField(max_length=10, default="human")  # human | tm | mt
    needs_post_editing = models.BooleanField(default=False)
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)  # raised by every write; a stale save is refused

    class Meta:
        ordering = ["target", "field", "index"]

    def __str__(self):
        return f"{self.target} #{self.field}{self.index}"


class TranslationJob(Audited, TimeStampedModel):
    """Assignment of a target variant to a translator and a reviewer, with a due date."""

    SCOPE_UNIT_PATH = "target__item__owner_unit"

    target = models.OneToOneField(ContentVariant, on_delete=models.CASCADE, related_name="job")
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(_("due"), null=True, blank=True)

    def __str__(self):
        return f"job {self.target}"


class QAOverride(Audited, models.Model):
    """A blocking QA finding accepted with a recorded reason (so the item may be published)."""

    SCOPE_UNIT_PATH = "unit__target__item__owner_unit"

    unit = models.ForeignKey(TranslationUnit, on_delete=models.CASCADE, related_name="qa_overrides")
    check_id = models.CharField(max_length=60)
    found_text = models.CharField(max_length=500, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.check_id} overridden: {self.reason[:40]}"
