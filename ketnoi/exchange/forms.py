from django import forms
from django.utils.translation import gettext_lazy as _

from ketnoi.programmes.models import Programme


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks size and type of each."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item]


class RequestForm(forms.Form):
    number_symbol = forms.CharField(label=_("Number and symbol"), max_length=60, help_text=_("e.g. 123/BDTTG-TT"))
    subject = forms.CharField(label=_("Subject"), max_length=500)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    recipients = forms.CharField(
        label=_("Recipient agencies"),
        help_text=_("Agency codes separated by commas, e.g. BVHTTDL, SDTTG-15, UBNDX-03037 (see the agency list)."),
    )
    due_date = forms.DateField(label=_("Answers due"), widget=forms.DateInput(attrs={"type": "date"}))
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.select_related("document"), required=False
    )
    task_code = forms.CharField(label=_("Task code in the programme"), max_length=20, required=False)
    files = MultipleFileField(label=_("Attachments (PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPEG; 10 MB each)"))

    def recipient_codes(self) -> list[str]:
        raw = self.cleaned_data.get("recipients", "")
        return [code.strip() for code in raw.replace(";", ",").replace("\n", ",").split(",") if code.strip()]


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}))
    closes_part = forms.BooleanField(label=_("This answer completes our part"), required=False)
    files = MultipleFileField(label=_("Attachments"))


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Closing note (required if some recipients have not answered)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
