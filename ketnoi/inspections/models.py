"""Inspection and supervision (kiểm tra, giám sát): plans, visits with a checklist, findings, corrective tasks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.models import TimeStampedModel


class ChecklistTemplate(Audited, TimeStampedModel):
    """A named list of items checked during a visit (loaded from data/checklist_default.csv or edited)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["code"]

    def __str__(self):
        return self.name


class ChecklistItem(Audited, models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("item"), max_length=500)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["template", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="insp_item_unique")]

    def __str__(self):
        return f"{self.code}. {self.text}"


class InspectionPlan(Audited, TimeStampedModel):
    """A year's inspection plan of a programme: lead agency, the units to visit, the period.

    A plan is visible in the lead agency's area and in the area of each planned unit; ``SCOPE_UNIT_PATH``
    (the lead agency's unit) is also where its audit trail is filed.
    """

    SCOPE_UNIT_PATH = "lead_agency__unit"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="inspection_plans", verbose_name=_("programme")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=500)
    lead_agency = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="inspection_plans", verbose_name=_("lead agency")
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-year", "period_start", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="insp_period_ok")
        ]

    def __str__(self):
        return f"{self.year} · {self.title}"


class PlannedUnit(Audited, models.Model):
    """A province or commune the plan intends to visit."""

    SCOPE_UNIT_PATH = "unit"

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="planned_units")
    unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", limit_choices_to={"structure": "current"}
    )

    class Meta:
        ordering = ["unit__sort_key"]
        constraints = [models.UniqueConstraint(fields=["plan", "unit"], name="insp_planned_unit_unique")]

    def __str__(self):
        return f"{self.plan_id} → {self.unit}"


class Visit(Audited, TimeStampedModel):
    """An inspection visit to one unit (province or commune), scoped by that unit."""

    SCOPE_UNIT_PATH = "unit"
    audit_personal_fields = {"team"}  # names of persons

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="visits")
    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"structure": "current"},
        verbose_name=_("visited unit"),
    )
    date = models.DateField(_("date"))
    team = models.TextField(_("team members"), blank=True)
    template = models.ForeignKey(
        ChecklistTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checklist"),
    )
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.unit} {self.date:%d/%m/%Y}"


class ItemResult(Audited, TimeStampedModel):
    SCOPE_UNIT_PATH = "visit__unit"

    class Result(models.TextChoices):
        COMPLIANT = "compliant", _("compliant")
        NOT_COMPLIANT = "not_compliant", _("not compliant")
        NOT_APPLICABLE = "not_applicable", _("not applicable")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    note = models.CharField(_("note"), max_length=1000, blank=True)

    class Meta:
        ordering = ["item__order", "item__code"]
        constraints = [models.UniqueConstraint(fields=["visit", "item"], name="insp_result_unique")]

    def __str__(self):
        return f"{self.visit_id} {self.item.code}: {self.result}"


class Finding(Audited, TimeStampedModel):
    """Something found on a visit. It is closed only once its corrective task's assignment is done."""

    SCOPE_UNIT_PATH = "visit__unit"

    class Severity(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")
        CRITICAL = "critical", _("critical")

    SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="findings")
    item = models.ForeignKey(
        ChecklistItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checklist item"),
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("description"))
    corrective_task = models.OneToOneField(
        "programmes.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="finding"
    )
    corrective_assignment = models.ForeignKey(
        "programmes.TaskAssignment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_severity_display()}: {self.description[:60]}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Evidence(Audited, TimeStampedModel):
    """A photo or document supporting a finding; type checked by its first bytes."""

    SCOPE_UNIT_PATH = "finding__visit__unit"

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="evidence")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A storage path rather than a FileField: the audit snapshot stores plain values (a FieldFile is not JSON).
    file_path = models.CharField(_("stored file"), max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.original_name
