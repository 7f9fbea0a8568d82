"""Subject and body of each kind of notification, in the recipient's interface language.

Each text is an English msgid passed through gettext while the recipient's language is active
(``translation.override(user.preferred_language)``), so one job writes Vietnamese for one user
and English for the next. Dates are dd/mm/yyyy (Buddhist Era years for Thai), as on the pages.
"""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from ketnoi.core.text import format_date

from .models import Kind


def _localized(values: dict, field: str, language: str) -> str:
    """``title_en`` for English readers when it exists, the Vietnamese ``title_vi`` otherwise."""
    return values.get(f"{field}_{language[:2]}") or values.get(f"{field}_vi") or values.get(field) or ""


def _unit(values: dict) -> str:
    return values.get("unit") or _("central level")


def _texts(kind: str, values: dict, language: str) -> tuple[str, str]:
    day = values.get("due")
    params = {
        "code": values.get("code", ""),
        "title": _localized(values, "title", language),
        "programme": values.get("programme", ""),
        "period": values.get("period", ""),
        "unit": _unit(values),
        "due": format_date(day, language) if isinstance(day, dt.date) else "",
        "actor": values.get("actor", ""),
        "reason": values.get("reason", ""),
        "sender": values.get("sender", ""),
        "count": values.get("count", ""),
        "address": values.get("address", ""),
        "language": _localized(values, "language", language),
        "role": _("translator") if values.get("role") == "translator" else _("reviewer"),
    }
    if kind == Kind.TASK_DUE_SOON:
        subject = _("Task %(code)s is due on %(due)s") % params
        body = _("The task “%(title)s” of programme %(programme)s is due on %(due)s.") % params
    elif kind == Kind.TASK_OVERDUE:
        subject = _("Task %(code)s is overdue (due %(due)s)") % params
        body = _("The task “%(title)s” of programme %(programme)s was due on %(due)s and is not done.") % params
    elif kind == Kind.REPORT_DUE_SOON:
        subject = _("Report %(period)s of %(unit)s is due on %(due)s") % params
        body = _("The %(period)s progress report of %(unit)s for programme %(programme)s is due on %(due)s.") % params
    elif kind == Kind.REPORT_OVERDUE:
        subject = _("Report %(period)s of %(unit)s is overdue (due %(due)s)") % params
        body = _("The %(period)s progress report of %(unit)s for programme %(programme)s was due on %(due)s.") % params
    elif kind == Kind.REPORT_SUBMITTED:
        subject = _("Report %(period)s of %(unit)s was submitted") % params
        body = _("%(actor)s submitted the %(period)s progress report of %(unit)s for approval.") % params
    elif kind == Kind.REPORT_APPROVED:
        subject = _("Report %(period)s of %(unit)s was approved") % params
        body = _("%(actor)s approved the %(period)s progress report of %(unit)s.") % params
    elif kind == Kind.REPORT_RETURNED:
        subject = _("Report %(period)s of %(unit)s was returned for changes") % params
        body = _("%(actor)s returned the %(period)s progress report of %(unit)s: %(reason)s") % params
    elif kind == Kind.REPORT_UNAPPROVED:
        subject = _("Approval of report %(period)s of %(unit)s was withdrawn") % params
        body = _("%(actor)s withdrew the approval of the %(period)s progress report of %(unit)s: %(reason)s") % params
    elif kind == Kind.REQUEST_RECEIVED:
        subject = _("New request: %(title)s") % params
        body = _("%(sender)s sent a request: “%(title)s”. Reply by %(due)s.") % params
    elif kind == Kind.REQUEST_OVERDUE:
        subject = _("Request overdue: %(title)s") % params
        body = _("The reply to the request “%(title)s” was due on %(due)s.") % params
    elif kind == Kind.SIGN_IN_FAILURES:
        subject = _("Failed sign-ins to your account")
        body = (
            _(
                "%(count)s wrong passwords were typed for your account from address %(address)s, so sign-in from "
                "there now waits longer after each attempt. You can still sign in from your usual browser. If this "
                "was not you, change your password."
            )
            % params
        )
    elif kind == Kind.CONTENT_SUBMITTED:
        subject = _("Article submitted for appraisal: %(title)s") % params
        body = _("%(actor)s submitted “%(title)s” for appraisal.") % params
    elif kind == Kind.CONTENT_APPRAISED:
        subject = _("Article awaiting your approval: %(title)s") % params
        body = _("%(actor)s appraised “%(title)s”; it awaits approval.") % params
    elif kind == Kind.CONTENT_RETURNED:
        subject = _("Article returned to draft: %(title)s") % params
        body = _("%(actor)s returned “%(title)s” to draft: %(reason)s") % params
    elif kind == Kind.CONTENT_APPROVED:
        subject = _("Article approved: %(title)s") % params
        body = _("%(actor)s approved “%(title)s” for publication.") % params
    elif kind == Kind.TRANSLATION_ASSIGNED:
        subject = _("Translation assigned: %(title)s (%(language)s)") % params
        if params["due"]:
            body = _("%(actor)s named you %(role)s of the %(language)s translation of “%(title)s”, due on %(due)s.")
        else:
            body = _("%(actor)s named you %(role)s of the %(language)s translation of “%(title)s”.")
        body = body % params
    elif kind == Kind.TRANSLATION_SUBMITTED:
        subject = _("Translation ready for review: %(title)s (%(language)s)") % params
        body = (
            _("Every segment of the %(language)s translation of “%(title)s” is translated; it awaits review.") % params
        )
    elif kind == Kind.TRANSLATION_APPROVED:
        subject = _("Translation approved: %(title)s (%(language)s)") % params
        body = _("%(actor)s approved the %(language)s translation of “%(title)s”.") % params
    elif kind == Kind.TRANSLATION_RETURNED:
        subject = _("Translation reopened: %(title)s (%(language)s)") % params
        body = _("%(actor)s reopened the %(language)s translation of “%(title)s”: %(reason)s") % params
    elif kind == Kind.DEVICE_OFFLINE:
        subject = _("Devices offline in %(unit)s") % params
        body = (
            _(
                "%(count)s loudspeaker clusters or bulletin boards of %(unit)s stopped sending heartbeats: "
                "%(title)s. Check their power and connection; emergencies cannot reach them."
            )
            % params
        )
    else:
        raise ValueError(f"unknown notification kind {kind!r}")
    return subject, body


def render(kind: str, values: dict, language: str) -> tuple[str, str]:
    """(subject, body) of a notification for a reader of ``language``."""
    language = language or "vi"
    with translation.override(language):
        return _texts(kind, values, language)
