import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ketnoi.core.numbers import parse_number
from ketnoi.core.text import normalize_text
from ketnoi.indicators.models import DataElement
from ketnoi.indicators.periods import parse_period

from .render import MAX_CLASSES


class MapForm(forms.Form):
    """What to map; a GET form, so every map is a link and works without JavaScript."""

    element = forms.ModelChoiceField(
        label=_("Data element"), queryset=DataElement.objects.order_by("code"), to_field_name="code"
    )
    period = forms.CharField(label=_("Period (e.g. 2025Q3, 2025S1, 2025)"), max_length=8)
    level = forms.ChoiceField(label=_("Units"), choices=[("commune", _("communes")), ("province", _("provinces"))])
    within = forms.ModelChoiceField(
        label=_("Within province"), queryset=None, to_field_name="code", required=False, empty_label=_("whole area")
    )
    method = forms.ChoiceField(
        label=_("Classes by"),
        choices=[("quantile", _("quantiles")), ("equal", _("equal intervals")), ("fixed", _("fixed breaks"))],
    )
    classes = forms.IntegerField(label=_("Number of classes"), min_value=2, max_value=MAX_CLASSES)
    breaks = forms.CharField(
        label=_("Fixed breaks (separated by ;)"), required=False, max_length=200, help_text=_("e.g. 10; 50; 100")
    )

    def __init__(self, data, *, provinces):
        defaults = {"period": str(timezone.localdate().year), "level": "commune", "method": "quantile", "classes": 5}
        merged = {**defaults, **{k: v for k, v in data.items() if v != ""}}
        super().__init__(merged)
        self.fields["within"].queryset = provinces

    def clean_period(self):
        try:
            return parse_period(normalize_text(self.cleaned_data["period"]).strip()).code
        except ValueError:
            raise ValidationError(_("Not a period: use e.g. 2025, 2025Q3, 2025S1 or 2025-05.")) from None

    def clean_breaks(self):
        text = normalize_text(self.cleaned_data.get("breaks") or "").strip()
        if not text:
            return []
        numbers = []
        for part in [p for p in re.split(r"[;\s]+", text) if p]:
            try:
                numbers.append(parse_number(part, language=get_language() or "vi"))
            except ValueError:
                raise ValidationError(_("“%(part)s” is not a number.") % {"part": part}) from None
        if len(set(numbers)) + 1 > MAX_CLASSES:
            raise ValidationError(_("At most %(n)s breaks.") % {"n": MAX_CLASSES - 1})
        return sorted(set(numbers))

    def clean(self):
        data = super().clean()
        if data.get("method") == "fixed" and not data.get("breaks"):
            self.add_error("breaks", _("Fixed breaks need at least one number."))
        return data
