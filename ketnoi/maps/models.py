"""Boundaries of current units, imported from an operator's GeoJSON and simplified for the web (docs/maps.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Boundary(models.Model):
    """The outline of one current province or commune, in longitude/latitude (WGS 84), at two levels of
    detail: ``detail`` for a province's communes, ``coarse`` for the whole country. Both are GeoJSON
    geometry text (Polygon or MultiPolygon) with coordinates rounded to 5 decimals (about 1 m)."""

    SCOPE_UNIT_PATH = "unit"

    unit = models.OneToOneField(
        "geo.AdminUnit",
        on_delete=models.CASCADE,
        related_name="boundary",
        limit_choices_to={"structure": "current"},
        verbose_name=_("unit"),
    )
    detail = models.TextField(_("geometry (detailed)"))
    coarse = models.TextField(_("geometry (coarse)"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    vertices_source = models.PositiveIntegerField(_("vertices in the file"))
    vertices_detail = models.PositiveIntegerField(_("vertices (detailed)"))
    vertices_coarse = models.PositiveIntegerField(_("vertices (coarse)"))
    source_filename = models.CharField(_("source file"), max_length=255)
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")

    def __str__(self):
        return f"{self.unit} ({self.source_filename})"
