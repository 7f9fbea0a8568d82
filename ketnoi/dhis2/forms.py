from django import forms
from django.utils.translation import gettext_lazy as _


class ExportForm(forms.Form):
    element = forms.CharField(
        label=_("Data elements"),
        required=False,
        max_length=2000,
        help_text=_("Codes, separated by commas; empty: all."),
    )
    period = forms.CharField(
        label=_("Periods"), required=False, max_length=2000, help_text=_("For example 2025Q1, 202507 or 2025.")
    )
    unit = forms.CharField(
        label=_("Units"), required=False, max_length=2000, help_text=_("Unit codes; empty: your whole area.")
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=[("json", _("dataValueSets (JSON)")), ("adx", _("ADX (XML)"))], initial="json"
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.json or .adx/.xml)"))
    dry_run = forms.BooleanField(label=_("Only check, write nothing"), required=False)


class MappingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Mapping table"),
        choices=[
            ("orgunits", _("organisation units")),
            ("elements", _("data elements")),
            ("combos", _("category option combos")),
        ],
    )
    mapping_file = forms.FileField(label=_("CSV file (columns ketnoi,dhis2)"))
