from django import forms
from django.utils.translation import gettext_lazy as _

from ketnoi.programmes.models import Programme


class TmxImportForm(forms.Form):
    file = forms.FileField(label=_("TMX file"))
    programme = forms.ModelChoiceField(
        Programme.objects.order_by("code"),
        required=False,
        to_field_name="code",
        label=_("Programme"),
        empty_label=_("Shared by all programmes"),
    )


class TbxImportForm(forms.Form):
    file = forms.FileField(label=_("TBX file"))
