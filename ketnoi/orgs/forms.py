from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader
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


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form (no answer tells whether an address has an account), with the mail sent by
    a worker and written in the recipient's interface language."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        from django.utils import translation

        from .services import password_reset_mail_queue

        with translation.override(getattr(context.get("user"), "preferred_language", None) or "vi"):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
        password_reset_mail_queue(subject=subject, body=body, to=to_email)
