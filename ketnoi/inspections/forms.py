from django import forms
from django.utils.translation import gettext_lazy as _

from ketnoi.programmes.models import ContentArea, Programme

from .models import ChecklistItem, ChecklistTemplate, Finding


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item]


def codes(value: str) -> list[str]:
    return [code.strip() for code in (value or "").replace(";", ",").replace("\n", ",").split(",") if code.strip()]


class PlanForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.select_related("document"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=500)
    lead_agency = forms.CharField(label=_("Lead agency code"), max_length=40, help_text=_("e.g. BDTTG or SDTTG-15"))
    units = forms.CharField(
        label=_("Provinces and communes to inspect"),
        help_text=_("NSO codes separated by commas: 2 digits for a province, 5 for a commune, e.g. 15, 03037"),
    )
    period_start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class VisitForm(forms.Form):
    unit = forms.CharField(label=_("Visited unit (NSO code)"), max_length=10)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.CharField(label=_("Team members"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    template = forms.ModelChoiceField(
        label=_("Checklist"), queryset=ChecklistTemplate.objects.filter(active=True), required=False
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FindingForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices)
    item = forms.ModelChoiceField(label=_("Checklist item"), queryset=ChecklistItem.objects.none(), required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("Evidence (PDF, DOCX, XLSX, PNG, JPEG …; 10 MB each)"))

    def __init__(self, *args, visit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visit is not None and visit.template_id:
            self.fields["item"].queryset = visit.template.items.all()


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"))


class CorrectiveTaskForm(forms.Form):
    due_date = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Task title (optional)"), max_length=500, required=False)
    content_area = forms.ModelChoiceField(
        label=_("Content area (default: the last one)"), queryset=ContentArea.objects.none(), required=False
    )

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        if programme is not None:
            self.fields["content_area"].queryset = programme.content_areas.all()
