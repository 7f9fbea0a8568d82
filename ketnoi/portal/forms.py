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
    commune_code = forms.CharField(
        label=_("Commune code (optional)"),
        max_length=5,
        required=False,
        help_text=_("The five-digit code of the commune your message is about."),
    )
    # Honeypot: hidden from people (CSS and aria-hidden); robots that fill every field give themselves away.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    item = forms.CharField(required=False, widget=forms.HiddenInput)
