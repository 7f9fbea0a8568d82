from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Village


class VillageForm(forms.ModelForm):
    class Meta:
        model = Village
        fields = ["name", "kind", "code", "population", "households", "minority_households", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV in UTF-8, or XLSX)"))
