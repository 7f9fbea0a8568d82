from django.core.exceptions import ValidationError


def attach_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on a form: on its fields where they exist, else on the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
