from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ketnoi.core.text import normalize_text


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)

    def clean_username(self):
        return normalize_text(self.cleaned_data["username"], collapse_spaces=True)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    days_valid = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        initial=min(365, settings.API_TOKEN_MAX_DAYS),
    )
