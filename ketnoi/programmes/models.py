"""Coordination programmes: legal documents, parties, content areas, tasks, periodic reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.models import TimeStampedModel, ValidityMixin


class LegalDocument(Audited, ValidityMixin):
    """A register of legal documents referenced by programmes, keyed by number and symbol (752/QĐ-TTg)."""

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("in force")
        EXPIRED = "expired", _("expired")
        REPLACED = "replaced", _("replaced")
        NOT_YET = "not_yet", _("not yet in force")

    number_symbol = models.CharField(_("number and symbol"), max_length=60, unique=True)
    doc_type = models.CharField(_("document type"), max_length=60)  # Quyết định, Nghị quyết, Thông tư …
    issuer = models.CharField(_("issuing body"), max_length=300)
    issued_on = models.DateField(_("date"), null=True, blank=True)
    title = models.CharField(_("title (summary)"), max_length=600)
    title_en = models.CharField(_("title (English)"), max_length=600, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.IN_FORCE)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces", verbose_name=_("replaced by")
    )
    source = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["-issued_on", "number_symbol"]

    def __str__(self):
        return self.number_symbol


class Programme(Audited, TimeStampedModel):
    """A coordination programme such as 922/CTPH-BTTTT-UBDT (2024–2030)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    document = models.OneToOneField(
        LegalDocument, on_delete=models.PROTECT, related_name="programme", verbose_name=_("document")
    )
    name_vi = models.CharField(_("name"), max_length=600)
    name_en = models.CharField(_("name (English)"), max_length=600, blank=True)
    place = models.CharField(_("place of signing"), max_length=100, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    objectives = models.TextField(_("objectives"), blank=True)
    principles = models.TextField(_("principles"), blank=True)
    scope = models.TextField(_("scope"), blank=True)
    legal_bases = models.ManyToManyField(LegalDocument, blank=True, related_name="programmes_based_on")

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-period_start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="prog_period_ok")
        ]

    def __str__(self):
        return f"{self.document.number_symbol} — {self.name_vi}"


class ProgrammeParty(Audited, models.Model):
    """An agency party to a programme, with its signer. Followed through succession at read time."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="parties")
    agency = models.ForeignKey("orgs.Agency", on_delete=models.PROTECT, related_name="programme_parties")
    signer_name = models.CharField(_("signer"), max_length=200, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["programme", "agency"], name="prog_party_unique")]

    def __str__(self):
        return f"{self.programme.code}: {self.agency}"


class ContentArea(Audited, TimeStampedModel):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="content_areas")
    code = models.CharField(_("code"), max_length=10)
    name_vi = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    added_on = models.DateField(_("added on"), null=True, blank=True, help_text=_("For areas added by amendment."))

    class Meta:
        verbose_name = _("content area")
        verbose_name_plural = _("content areas")
        ordering = ["programme", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="prog_area_unique")]

    def __str__(self):
        return f"{self.code}. {self.name_vi}"


class Recurrence(models.TextChoices):
    NONE = "", _("once")
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    SIX_MONTHLY = "six_monthly", _("every 6 months")
    YEARLY = "yearly", _("yearly")


class Task(Audited, TimeStampedModel):
    """A task of a content area: lead and co-ordinating agencies, dates or recurrence, deliverable, indicators."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tasks")
    content_area = models.ForeignKey(ContentArea, on_delete=models.PROTECT, related_name="tasks")
    code = models.CharField(_("code"), max_length=20)
    title_vi = models.CharField(_("title"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    lead_agency = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="led_tasks", verbose_name=_("lead agency")
    )
    co_agencies = models.ManyToManyField(
        "orgs.Agency", blank=True, related_name="co_tasks", verbose_name=_("co-ordinating agencies")
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    recurrence = models.CharField(_("recurrence"), max_length=12, choices=Recurrence.choices, blank=True, default="")
    deliverable = models.CharField(_("deliverable"), max_length=500, blank=True)
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependents")
    indicators = models.ManyToManyField("indicators.Indicator", blank=True, related_name="tasks")
    manual_status = models.CharField(
        _("status (when no indicator measures the task)"),
        max_length=12,
        choices=Status.choices,
        default=Status.NOT_STARTED,
    )
    requires_dual_signoff = models.BooleanField(
        _("needs sign-off by the lead and every co-ordinating agency"), default=False
    )
    added_on = models.DateField(_("added on"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["programme", "content_area__order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="prog_task_unique"),
            models.CheckConstraint(
                condition=models.Q(due_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(due_date__gte=models.F("start_date")),
                name="prog_task_dates_ok",
                violation_error_message=_("The due date cannot be before the start date."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title_vi}"


class TaskAssignment(Audited, TimeStampedModel):
    """A task assigned to a province or commune (with the responsible local agency)."""

    SCOPE_UNIT_PATH = "unit"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", limit_choices_to={"structure": "current"}
    )
    agency = models.ForeignKey("orgs.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Task.Status.choices, default="not_started")
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="prog_assignment_unique")]

    def __str__(self):
        return f"{self.task.code} → {self.unit}"


class TaskComment(Audited, TimeStampedModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"


class TaskAttachment(Audited, TimeStampedModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to="tasks/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self):
        return self.original_name


class ReportingSchedule(models.Model):
    """When reports of each frequency are due (cut-off and deadline), editable per programme.

    Defaults follow Decree 09/2019/NĐ-CP as summarised in the domain notes ([M], to verify): data are
    cut off on the 14th of the period's last month and the report is due a few days later.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="schedules")
    frequency = models.CharField(_("frequency"), max_length=12, choices=Recurrence.choices[1:])
    cutoff_day = models.PositiveSmallIntegerField(_("data cut-off day of the last month"), default=14)
    due_days_after_period = models.PositiveSmallIntegerField(_("report due (days after the period ends)"), default=5)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "frequency"], name="prog_schedule_unique")]

    def __str__(self):
        return f"{self.programme.code} {self.frequency}"


class ProgressReport(Audited, TimeStampedModel):
    """A periodic progress report of one unit (commune, province, or central when unit is empty)."""

    SCOPE_UNIT_PATH = "unit"

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned for changes")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("period"), max_length=8)
    frequency = models.CharField(_("frequency"), max_length=12, choices=Recurrence.choices[1:])
    unit = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for a central (ministry-level) report."),
    )
    unit_key = models.CharField(max_length=20, editable=False)
    agency = models.ForeignKey("orgs.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    narrative = models.TextField(_("narrative"), blank=True)
    due_date = models.DateField(_("due"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="optimistic locking")

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-period", "unit_key"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "period", "unit_key", "agency"], name="prog_report_unique"),
        ]

    def __str__(self):
        return f"{self.programme.code} {self.period} {self.unit_key}"

    @property
    def period_label(self) -> str:
        from ketnoi.indicators.periods import period_label

        return period_label(self.period)

    @property
    def on_time(self) -> bool | None:
        if self.submitted_at is None:
            return None
        from django.utils import timezone

        return timezone.localtime(self.submitted_at).date() <= self.due_date


class ReportEvidence(Audited, TimeStampedModel):
    """A file that backs a progress report (minutes, photos, a signed scan), scoped like the report."""

    SCOPE_UNIT_PATH = "report__unit"

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.original_name


class ReportSignoff(Audited, models.Model):
    """An approval (or withdrawal of one) by an agency; co-owned reports need every owner's sign-off."""

    SCOPE_UNIT_PATH = "report__unit"

    class Action(models.TextChoices):
        APPROVE = "approve", _("approved")
        UNAPPROVE = "unapprove", _("approval withdrawn")
        RETURN = "return", _("returned")

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="signoffs")
    agency = models.ForeignKey("orgs.Agency", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    # The report's version this action produced; unique per report, so one step is never recorded twice.
    report_version = models.PositiveIntegerField(null=True, editable=False)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "report_version"], name="report_signoff_once_per_version"),
        ]

    def __str__(self):
        return f"{self.report} {self.action} by {self.agency}"
