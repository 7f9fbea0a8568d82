from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MESSAGE_MAX


class FeedbackForm(forms.Form):
    message = forms.CharField(
        label=_("Your question or comment"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("It may be published with the answer, without your name or contact."),
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    contact = forms.CharField(
        label=_("Phone or e-mail (optional)"),
        max_length=200,
        required=False,
        help_text=_("Only the officers answering you see it."),
    )
    commune = forms.CharField(
        label=_("Commune (optional)"),
        max_length=200,
        required=False,
        help_text=_("The commune or ward your message is about, by name, e.g. Tả Van or Tả Van, Lào Cai."),
    )
    # Set by choosing among communes of the same name (or by links that know the code).
    commune_code = forms.CharField(max_length=5, required=False, widget=forms.HiddenInput)
    # Honeypot: hidden from people (CSS and aria-hidden); robots that fill every field give themselves away.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    item = forms.CharField(required=False, widget=forms.HiddenInput)

    def full_clean(self):
        super().full_clean()
        self.describe_fields()

    def describe_fields(self):
        """Tie each input to its help text and its error message for screen readers (aria-describedby)."""
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.HiddenInput) or name == "website":
                continue
            ids = []
            if field.help_text:
                ids.append(f"id_{name}-help")
            if self.is_bound and self.errors.get(name):
                ids.append(f"id_{name}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.describe_fields()
