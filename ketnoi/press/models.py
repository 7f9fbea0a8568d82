"""Press supply to ethnic-minority areas (QĐ 752/QĐ-TTg 2023–2025 and whatever decision follows it).

Decisions, publications, beneficiary categories and prices are data (ketnoi/press/data/*.csv, each row
with its source and status), never constants: the ordering body fixes them per year. A recipient is a
unit (commune people's committee, village, pagoda, border post) or a person (a prestigious person, a
village head); a person's name and phone are personal data, stored encrypted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.fields import EncryptedTextField
from ketnoi.core.models import TimeStampedModel


class Status(models.TextChoices):
    VERIFIED = "verified", _("verified against the source")
    UNVERIFIED = "unverified", _("not verified (to be checked)")
    DEMO = "demo", _("demo data")


class Decision(TimeStampedModel):
    """The decision that orders the press supply for a period (e.g. 752/QĐ-TTg, 2023–2025)."""

    number = models.CharField(_("number and symbol"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=500)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    source = models.CharField(_("source"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UNVERIFIED)

    class Meta:
        ordering = ["-first_year"]
        verbose_name = _("press supply decision")

    def __str__(self) -> str:
        return f"{self.number} ({self.first_year}–{self.last_year})"


class Publication(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    agency = models.CharField(_("publishing agency"), max_length=300, blank=True)
    periodicity = models.CharField(_("periodicity"), max_length=100, blank=True)
    issues_per_year = models.PositiveSmallIntegerField(_("issues per year"))
    language = models.CharField(_("language"), max_length=100, default="vi")
    unit_price = models.DecimalField(_("price per copy (VND)"), max_digits=12, decimal_places=0, null=True, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UNVERIFIED)

    class Meta:
        ordering = ["title"]
        verbose_name = _("publication")

    def __str__(self) -> str:
        return self.title


class BeneficiaryCategory(TimeStampedModel):
    class Kind(models.TextChoices):
        UNIT = "unit", _("unit")
        PERSON = "person", _("person")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UNVERIFIED)

    class Meta:
        ordering = ["name"]
        verbose_name = _("beneficiary category")

    def __str__(self) -> str:
        return self.name


class Distributor(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("distributor")

    def __str__(self) -> str:
        return self.name


class Recipient(Audited, TimeStampedModel):
    """Who receives the copies: found in a distributor's file by its reference (e.g. LC-0001)."""

    SCOPE_UNIT_PATH = "commune"
    audit_personal_fields = frozenset({"person_name", "phone", "phone_index"})

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    category = models.ForeignKey(
        BeneficiaryCategory, on_delete=models.PROTECT, related_name="recipients", verbose_name=_("category")
    )
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="press_recipients", verbose_name=_("commune")
    )
    village = models.ForeignKey(
        "geo.Village", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    # a unit's name ("UBND xã …", "Thôn …") is not personal; a person's is, and so is their phone
    unit_name = models.CharField(_("unit name"), max_length=300, blank=True)
    person_name = EncryptedTextField(_("person's name"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, blind_index="phone_index")
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("press recipient")

    def __str__(self) -> str:
        return self.reference  # never the person's name (audit log, labels)

    @property
    def is_person(self) -> bool:
        return self.category.kind == BeneficiaryCategory.Kind.PERSON


class YearlyOrder(Audited, TimeStampedModel):
    """One year's order for a province: a publication for one category, copies per recipient and issue."""

    SCOPE_PROVINCE_FIELD = "province_id"
    SCOPE_COMMUNE_FIELD = "province_id"  # an order is provincial: a commune scope sees none

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="orders", verbose_name=_("decision"))
    year = models.PositiveSmallIntegerField(_("year"))
    province = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="press_orders", verbose_name=_("province")
    )
    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="orders", verbose_name=_("publication")
    )
    category = models.ForeignKey(
        BeneficiaryCategory, on_delete=models.PROTECT, related_name="orders", verbose_name=_("category")
    )
    distributor = models.ForeignKey(
        Distributor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("distributor"),
    )
    copies_per_issue = models.PositiveSmallIntegerField(_("copies per recipient and issue"), default=1)
    issues = models.PositiveSmallIntegerField(_("issues in the year"))
    unit_price = models.DecimalField(_("price per copy (VND)"), max_digits=12, decimal_places=0, null=True, blank=True)
    late_after_days = models.PositiveSmallIntegerField(_("late after (days from the issue date)"), default=7)
    demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-year", "publication__title"]
        verbose_name = _("yearly order")
        constraints = [
            models.UniqueConstraint(fields=["year", "province", "publication", "category"], name="press_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.publication} · {self.category}"


class Delivery(TimeStampedModel):
    """One issue of one order handed to one recipient, as the distributor's file says and an officer confirmed."""

    SCOPE_UNIT_PATH = "recipient__commune"

    class State(models.TextChoices):
        CONFIRMED = "confirmed", _("delivered (confirmed)")
        NOT_RECEIVED = "not_received", _("not received")

    order = models.ForeignKey(YearlyOrder, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("order"))
    recipient = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("recipient")
    )
    issue = models.CharField(_("issue"), max_length=40)
    issue_date = models.DateField(_("issue date"))
    copies = models.PositiveSmallIntegerField(_("copies"))
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=14, choices=State.choices, default=State.CONFIRMED)
    late = models.BooleanField(_("late"), default=False, editable=False)
    source_file = models.CharField(_("file"), max_length=255, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["issue_date"]
        verbose_name = _("delivery")
        constraints = [models.UniqueConstraint(fields=["order", "recipient", "issue"], name="press_delivery_unique")]

    def __str__(self) -> str:
        return f"{self.order.publication} {self.issue} → {self.recipient}"

    def save(self, *args, **kwargs):
        # stored, so that the coverage report counts late issues in SQL; a later change of the order's
        # late_after_days applies to deliveries recorded after it
        self.late = bool(
            self.state == self.State.CONFIRMED
            and self.delivered_on is not None
            and (self.delivered_on - self.issue_date).days > self.order.late_after_days
        )
        super().save(*args, **kwargs)
