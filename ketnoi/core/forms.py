from django import forms
from django.core.exceptions import ValidationError


def attach_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on a form: on its fields where they exist, else on the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class LocalIntegerField(forms.IntegerField):
    """A whole number typed the way the page's language writes it: "1.250" in Vietnamese, "1,250"
    in English and Thai (core.numbers.parse_number)."""

    def to_python(self, value):
        from django.utils.translation import get_language

        from .numbers import parse_number

        if value in self.empty_values:
            return None
        try:
            number = parse_number(value, language=get_language() or "vi")
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if number != number.to_integral_value():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(number)
