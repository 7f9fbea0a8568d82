"""Document numbers of the reviews: a counter per issuing body and calendar year (Decree 30/2020)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited


class DocumentNumber(Audited, models.Model):
    """The last number given to a report (BC) of an issuing body in a calendar year.

    Numbers run from 01 each 1 January: the counter of a new year starts at zero.
    """

    issuer = models.CharField(_("issuing body code"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document number counter")
        verbose_name_plural = _("document number counters")
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="reports_number_unique")]

    def __str__(self):
        return f"{self.issuer} {self.year}: {self.last_number}"


class IssuedReview(Audited, models.Model):
    """A review that was given its number and date; later downloads of it carry them.

    National data only: it has no administrative unit, and only country-wide users reach it.
    """

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("annual preliminary review")
        MIDTERM = "midterm", _("mid-term preliminary review")
        FINAL = "final", _("final review")

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="issued_reviews")
    period = models.CharField(_("period"), max_length=8)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    issuer = models.CharField(_("issuing body code"), max_length=40)
    number = models.PositiveIntegerField(_("number"))
    issued_on = models.DateField(_("date"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("issued review")
        verbose_name_plural = _("issued reviews")
        ordering = ["-issued_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "period", "kind"], name="reports_issued_unique"),
        ]

    def __str__(self):
        return self.number_symbol

    @property
    def number_symbol(self) -> str:
        return f"{self.number:02d}/BC-{self.issuer}"
