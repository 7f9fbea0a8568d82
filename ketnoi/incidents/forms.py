"""Forms of the incident register: they parse input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ketnoi.core.roles import INCIDENTS_MANAGE
from ketnoi.core.scoping import user_scope
from ketnoi.core.text import vi_sorted
from ketnoi.geo.models import AdminUnit

from .models import IncidentEvent, Severity

CENTRAL = "central"


def unit_choices(user) -> list[tuple[str, str]]:
    """Units the user may register incidents for, by name: never a code to type."""
    scope = user_scope(user, INCIDENTS_MANAGE)
    current = AdminUnit.objects.filter(structure="current")
    choices = []
    if scope.everywhere:
        choices.append((CENTRAL, str(_("Central systems (no province)"))))
        units = current.filter(level="province")
    else:
        units = list(current.filter(pk__in=scope.province_ids | scope.commune_ids))
        units += list(current.filter(level="commune", province_id__in=scope.province_ids))
    for unit in vi_sorted(set(units), key=lambda u: u.name):
        label = unit.name if unit.level == "province" else f"{unit.name} ({unit.province.name})"
        choices.append((str(unit.pk), label))
    return choices


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", "—"), *Severity.choices])
    unit = forms.ChoiceField(label=_("Affected unit"))
    detected_at = forms.DateTimeField(
        label=_("Detected"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    affected_systems = forms.CharField(
        label=_("Affected systems (portal, loudspeaker network, e-mail, …)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(user)

    def unit_object(self):
        value = self.cleaned_data["unit"]
        return None if value == CENTRAL else AdminUnit.objects.get(pk=int(value))


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Step"),
        choices=[
            (k, label)
            for k, label in IncidentEvent.Kind.choices
            if k in (IncidentEvent.Kind.NOTE, IncidentEvent.Kind.CONTAINMENT, IncidentEvent.Kind.RESPONSE)
        ],
    )
    text = forms.CharField(label=_("What was seen or done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
