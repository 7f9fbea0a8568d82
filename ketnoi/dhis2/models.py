"""The mapping between Kết Nối's codes and a DHIS2 instance's: organisation units, data elements and
category option combos. Data, not constants: edited in the admin or imported from CSV
(``ketnoi dhis2 mappings``); a DHIS2 identifier is the object's code or its uid, whichever the
other side uses (DHIS2's idScheme=CODE or UID)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnitMap(models.Model):
    SCOPE_UNIT_PATH = "unit"

    unit = models.OneToOneField(
        "geo.AdminUnit",
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"structure": "current"},
        verbose_name=_("unit"),
    )
    dhis2 = models.CharField(_("DHIS2 organisation unit (code or uid)"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("DHIS2 organisation unit")
        verbose_name_plural = _("DHIS2 organisation units")
        ordering = ["dhis2"]

    def __str__(self):
        return f"{self.unit.code} ↔ {self.dhis2}"


class ElementMap(models.Model):
    element = models.OneToOneField(
        "indicators.DataElement", on_delete=models.CASCADE, related_name="+", verbose_name=_("data element")
    )
    dhis2 = models.CharField(_("DHIS2 data element (code or uid)"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("DHIS2 data element")
        verbose_name_plural = _("DHIS2 data elements")
        ordering = ["dhis2"]

    def __str__(self):
        return f"{self.element.code} ↔ {self.dhis2}"


class ComboMap(models.Model):
    """A Kết Nối disaggregation key ("" for the total, "sex=female", "eg=08;sex=male", "lang=hmn")
    and the DHIS2 category option combo it is."""

    disaggregation = models.CharField(_("disaggregation key"), max_length=80, unique=True, blank=True)
    dhis2 = models.CharField(_("DHIS2 category option combo (code or uid)"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("DHIS2 category option combo")
        verbose_name_plural = _("DHIS2 category option combos")
        ordering = ["dhis2"]

    def __str__(self):
        return f"{self.disaggregation or '(total)'} ↔ {self.dhis2}"
