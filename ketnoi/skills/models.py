"""Digital skills and IT access (issue 9.7; Project 10 of Programme 1719, docs/skills.md).

Courses are a national catalogue; a session is held in one commune. Who took part is kept as
aggregate counts per session (ethnic group × sex × age band × role); a person is kept only when
their consent is recorded (``Participant``). Targets, the number of prestigious persons of a
commune and the IT-access figures are data, imported with their source, never constants."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.fields import EncryptedTextField
from ketnoi.core.models import TimeStampedModel


class Role(models.TextChoices):
    VILLAGE_HEAD = "village_head", _("village head")
    PRESTIGIOUS = "prestigious", _("prestigious person")
    OTHER = "other", _("other participant")


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")


class AgeBand(models.TextChoices):
    UNDER_25 = "15-24", "15–24"
    FROM_25 = "25-39", "25–39"
    FROM_40 = "40-59", "40–59"
    FROM_60 = "60+", "60+"


class Course(Audited, TimeStampedModel):
    """A course of the national catalogue: what is taught, by whom, at which level."""

    class Topic(models.TextChoices):
        BASIC = "basic_skills", _("basic digital skills (smartphone, internet)")
        PUBLIC_SERVICES = "public_services", _("online public services and VNeID")
        PAYMENT = "payment", _("digital payment and e-commerce")
        SAFETY = "safety", _("information safety and fake news")
        OTHER = "other", _("other topic")

    class Level(models.TextChoices):
        BASIC = "basic", _("basic")
        INTERMEDIATE = "intermediate", _("intermediate")
        ADVANCED = "advanced", _("advanced")

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, default=Topic.BASIC)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.BASIC)
    organiser = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("organiser")
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return self.title


class Trainer(Audited, TimeStampedModel):
    """A person who teaches sessions: personal data (docs/personal-data.md)."""

    audit_personal_fields = frozenset({"full_name"})

    full_name = models.CharField(_("full name"), max_length=200)
    agency = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("agency")
    )
    search_key = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")

    def __str__(self):
        return self.full_name

    def audit_repr(self):
        return f"trainer #{self.pk}"


class Session(Audited, TimeStampedModel):
    """One holding of a course in a commune (optionally in one village), matched on import by its
    reference within the commune."""

    SCOPE_UNIT_PATH = "commune"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course"))
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="skill_sessions", verbose_name=_("commune")
    )
    village = models.ForeignKey(
        "geo.Village", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    reference = models.CharField(_("reference"), max_length=40)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    language = models.ForeignKey(
        "people.Language",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("language of instruction"),
    )
    trainers = models.ManyToManyField(Trainer, blank=True, related_name="sessions", verbose_name=_("trainers"))
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-start_date", "reference"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.UniqueConstraint(fields=["commune", "reference"], name="skills_session_reference_per_commune"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="skills_session_dates"
            ),
        ]
        indexes = [models.Index(fields=["commune", "start_date"])]

    def __str__(self):
        return f"{self.reference} · {self.course}"


class Participation(models.Model):
    """How many took part in a session, for one cell of ethnic group × sex × age band × role."""

    SCOPE_UNIT_PATH = "session__commune"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participation")
    ethnic_group = models.ForeignKey(
        "people.EthnicGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    count = models.PositiveIntegerField(_("participants"), validators=[MaxValueValidator(100000)])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "ethnic_group", "sex", "age_band", "role"],
                name="skills_participation_cell",
            )
        ]

    def __str__(self):
        return f"{self.session_id}: {self.role} {self.sex} {self.age_band} × {self.count}"


class Participant(Audited, TimeStampedModel):
    """A named participant, kept only with a recorded consent (Decree 13/2023): the date and how it
    was given. The contact is encrypted and found by its blind index for a subject request."""

    SCOPE_UNIT_PATH = "session__commune"
    audit_personal_fields = frozenset({"full_name", "contact"})

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    full_name = models.CharField(_("full name"), max_length=200)
    contact = EncryptedTextField(_("phone or e-mail"), max_length=200, blank=True, blind_index="contact_index")
    contact_index = models.CharField(max_length=64, editable=False, db_index=True, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OTHER)
    consent_on = models.DateField(_("consent given on"))
    consent_source = models.CharField(_("consent recorded by"), max_length=200)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def audit_repr(self):
        return f"participant #{self.pk}"


class Target(Audited, TimeStampedModel):
    """The share of village heads or prestigious persons to be trained in a province by a year
    (e.g. 80 % by 2030, Decision 1087/QĐ-TTg): data with its source."""

    SCOPE_UNIT_PATH = "province"

    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    percent = models.DecimalField(
        _("target (percent)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["province", "year", "role"], name="skills_target_per_year"),
            models.CheckConstraint(condition=models.Q(percent__gte=0, percent__lte=100), name="skills_target_percent"),
        ]


class CommuneFigures(Audited, TimeStampedModel):
    """Facts of a commune in a year that the other registers do not hold: how many prestigious
    persons it has (the provincial list, as data), and its IT access — households with a smartphone,
    with internet, the share of the commune covered by 4G — each year with its source."""

    SCOPE_UNIT_PATH = "commune"

    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    prestigious_persons = models.PositiveIntegerField(_("prestigious persons"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    households_smartphone = models.PositiveIntegerField(_("households with a smartphone"), null=True, blank=True)
    households_internet = models.PositiveIntegerField(_("households with internet"), null=True, blank=True)
    coverage_4g = models.DecimalField(
        _("4G coverage (percent)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "year"], name="skills_figures_per_year")]
        verbose_name = _("commune figures")
        verbose_name_plural = _("commune figures")
