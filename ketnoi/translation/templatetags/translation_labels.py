"""Labels in the interface language for the codes the translation tools carry (QA severities, term
statuses, memory origins, segment fields), so no raw code is shown to a translator."""

from django import template
from django.utils.translation import gettext_lazy as _

from ketnoi.translation.models import Term, TMEntry

register = template.Library()

SEVERITY_LABELS = {"error": _("error"), "warning": _("warning"), "info": _("note")}
FIELD_LABELS = {"title": _("Title"), "summary": _("Summary"), "body": _("Body")}
TERM_STATUS_LABELS = dict(Term.Status.choices)
ORIGIN_LABELS = dict(TMEntry.Origin.choices)


@register.filter
def severity_label(code: str) -> str:
    return SEVERITY_LABELS.get(code, code)


@register.filter
def field_label(code: str) -> str:
    return FIELD_LABELS.get(code, code)


@register.filter
def term_status_label(code: str) -> str:
    return TERM_STATUS_LABELS.get(code, code)


@register.filter
def origin_label(code: str) -> str:
    return ORIGIN_LABELS.get(code, code)
