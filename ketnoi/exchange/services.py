"""Write use-cases of the information exchange: send a request, answer it, attach files, close it.

A user acts for their own agency (or its predecessor/successor). A user holding EXCHANGE_SEND over
A programme coordinator (PROGRAMMES_MANAGE over the whole country) may act on behalf of another
agency, e.g. to enter a letter or an answer that arrived on paper.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnoi.core.files import check_upload, check_uploads
from ketnoi.core.roles import EXCHANGE_SEND, PROGRAMMES_MANAGE
from ketnoi.core.scoping import require, user_scope
from ketnoi.core.text import normalize_text
from ketnoi.orgs.models import Agency

from .models import Attachment, OfficialRequest, Recipient, Response
from .selectors import agency_family

NUMBER_SYMBOL = re.compile(r"^\d{1,6}(/\d{4})?/[^\s/]+$")
BODY_MAX_CHARS = 20000
MAX_ATTACHMENTS = 10


def _text(value: str | None) -> str:
    return normalize_text(value or "").strip()


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- files --------------------------------------------------------------------------------


def _check_uploads(uploads) -> list[tuple[object, str, str]]:
    return check_uploads(uploads, max_files=MAX_ATTACHMENTS)


def store_upload(upload, name: str, folder: str) -> str:
    """Save the file under MEDIA_ROOT/<folder>/<yyyy>/<mm>/ and return its storage path."""
    today = timezone.localdate()
    return default_storage.save(f"{folder}/{today:%Y}/{today:%m}/{name}", upload)


def _save_attachments(request: OfficialRequest, checked, *, user, response: Response | None = None) -> list:
    return [
        Attachment.objects.create(
            request=request,
            response=response,
            uploaded_by=user,
            file_path=store_upload(upload, name, "exchange"),
            original_name=name,
            content_type=kind,
            size=upload.size,
        )
        for upload, name, kind in checked
    ]


# --- acting agency ------------------------------------------------------------------------


def acting_agency(*, user, agency: Agency | None = None) -> Agency:
    """The agency ``user`` acts for: their own (or its predecessor/successor), or any agency for a
    programme coordinator. The user needs EXCHANGE_SEND over the agency's unit (the whole country
    for a central agency). Raises PermissionDenied otherwise."""
    own = getattr(user, "agency", None)
    if agency is None:
        if own is None:
            raise PermissionDenied(_("Your account belongs to no agency, so you cannot send or answer requests."))
        agency = own
    elif agency.pk not in agency_family(own) and not user_scope(user, PROGRAMMES_MANAGE).everywhere:
        raise PermissionDenied(EXCHANGE_SEND)
    require(user, EXCHANGE_SEND, agency.unit)
    return agency


def _party_recipient(request: OfficialRequest, agency: Agency) -> Recipient | None:
    family = agency_family(agency)
    return next((r for r in request.recipients.all() if r.agency_id in family), None)


def _is_sender(request: OfficialRequest, agency: Agency) -> bool:
    return request.sender_id in agency_family(agency)


# --- requests -----------------------------------------------------------------------------


def _resolve_recipients(recipients, sender: Agency, today: dt.date, errors: dict) -> list[Agency]:
    found: list[Agency] = []
    messages = []
    for item in recipients or ():
        if isinstance(item, Agency):
            agency = item
        else:
            code = _text(str(item))
            if not code:
                continue
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                messages.append(_("Unknown agency code %(code)s.") % {"code": code})
                continue
        if not agency.is_active_on(today):
            successors = ", ".join(a.name_vi for a in agency.current_successors(today))
            if successors:
                messages.append(
                    _("%(agency)s no longer exists; send to its successor: %(successors)s.")
                    % {"agency": agency.name_vi, "successors": successors}
                )
            else:
                messages.append(_("%(agency)s is not active today.") % {"agency": agency.name_vi})
            continue
        if agency.pk == sender.pk:
            messages.append(_("%(agency)s is the sender; it cannot also be a recipient.") % {"agency": agency.name_vi})
            continue
        if agency not in found:
            found.append(agency)
    if messages:
        errors["recipients"] = messages
    elif not found:
        errors["recipients"] = [_("Choose at least one recipient agency.")]
    return found


@transaction.atomic
def request_create(
    *,
    user,
    number_symbol: str,
    subject: str,
    body: str,
    due_date: dt.date | None,
    recipients,
    sender: Agency | None = None,
    programme=None,
    task=None,
    attachments=(),
    today: dt.date | None = None,
) -> OfficialRequest:
    """Send a request to several agencies. Every problem is reported at once; nothing is written."""
    sender = acting_agency(user=user, agency=sender)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    number_symbol = _text(number_symbol)
    subject = _text(subject)
    body = _text(body)
    if not NUMBER_SYMBOL.match(number_symbol):
        errors["number_symbol"] = [_("Write the number and symbol like 123/BDTTG-TT.")]
    elif OfficialRequest.objects.filter(sender=sender, number_symbol=number_symbol).exists():
        errors["number_symbol"] = [
            _("%(agency)s has already sent %(number)s.") % {"agency": sender.name_vi, "number": number_symbol}
        ]
    if not subject:
        errors["subject"] = [_("Write the subject.")]
    elif len(subject) > 500:
        errors["subject"] = [_("The subject has at most 500 characters.")]
    if not body:
        errors["body"] = [_("Write the text of the request.")]
    elif len(body) > BODY_MAX_CHARS:
        errors["body"] = [_("The text has at most %(n)s characters.") % {"n": BODY_MAX_CHARS}]
    if due_date is None:
        errors["due_date"] = [_("Give the date by which answers are due.")]
    elif due_date < today:
        errors["due_date"] = [
            _("The due date %(day)s is in the past; it must be today or later.") % {"day": _fmt(due_date)}
        ]
    if not sender.is_active_on(today):
        errors["sender"] = [_("%(agency)s is not active today.") % {"agency": sender.name_vi}]
    found = _resolve_recipients(recipients, sender, today, errors)
    if task is not None:
        if programme is None:
            programme = task.programme
        elif task.programme_id != programme.pk:
            errors["task"] = [_("The task belongs to another programme.")]
    try:
        checked = _check_uploads(attachments)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    request = OfficialRequest.objects.create(
        number_symbol=number_symbol,
        sender=sender,
        subject=subject,
        body=body,
        due_date=due_date,
        programme=programme,
        task=task,
        created_by=user,
    )
    for agency in found:
        Recipient.objects.create(request=request, agency=agency)
    _save_attachments(request, checked, user=user)
    return request


def _require_open(request: OfficialRequest) -> None:
    if request.state == OfficialRequest.State.CLOSED:
        raise ValidationError(_("Request %(number)s is closed.") % {"number": request.number_symbol})


@transaction.atomic
def request_respond(
    *,
    user,
    request: OfficialRequest,
    body: str,
    closes_part: bool = False,
    agency: Agency | None = None,
    attachments=(),
) -> Response:
    """Add a message to the thread: a recipient's answer (``closes_part`` marks its part done) or the
    sender's follow-up."""
    agency = acting_agency(user=user, agency=agency)
    recipient = _party_recipient(request, agency)
    if recipient is None and not _is_sender(request, agency):
        raise PermissionDenied(_("%(agency)s is neither the sender nor a recipient.") % {"agency": agency.name_vi})
    _require_open(request)
    errors: dict[str, list[str]] = {}
    body = _text(body)
    if not body:
        errors["body"] = [_("Write the answer.")]
    elif len(body) > BODY_MAX_CHARS:
        errors["body"] = [_("The text has at most %(n)s characters.") % {"n": BODY_MAX_CHARS}]
    if closes_part and recipient is None:
        errors["closes_part"] = [_("Only a recipient's answer can complete its part; the sender closes the request.")]
    try:
        checked = _check_uploads(attachments)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    response = Response.objects.create(
        request=request,
        recipient=recipient,
        agency=recipient.agency if recipient else request.sender,
        author=user,
        body=body,
        closes_part=bool(closes_part),
    )
    if recipient is not None:
        now = timezone.now()
        recipient.answered_at = recipient.answered_at or now
        if closes_part:
            recipient.state = Recipient.State.CLOSED
            recipient.closed_at = now
        elif recipient.state == Recipient.State.PENDING:
            recipient.state = Recipient.State.ANSWERED
        recipient.save()
    _save_attachments(request, checked, user=user, response=response)
    return response


@transaction.atomic
def attachment_add(*, user, request: OfficialRequest, upload, agency: Agency | None = None) -> Attachment:
    """Attach a file to an open request (sender or recipient)."""
    agency = acting_agency(user=user, agency=agency)
    if _party_recipient(request, agency) is None and not _is_sender(request, agency):
        raise PermissionDenied(_("%(agency)s is neither the sender nor a recipient.") % {"agency": agency.name_vi})
    _require_open(request)
    if not upload:
        raise ValidationError({"file": _("Choose a file.")})
    name, kind = check_upload(upload)
    return _save_attachments(request, [(upload, name, kind)], user=user)[0]


@transaction.atomic
def request_close(*, user, request: OfficialRequest, note: str = "", agency: Agency | None = None) -> OfficialRequest:
    """The sender closes the request: normally once every recipient has answered; earlier only with a reason."""
    if agency is None:
        own = getattr(user, "agency", None)
        # a coordinator from another agency closes on the sender's behalf
        agency = own if own is not None and _is_sender(request, own) else request.sender
    agency = acting_agency(user=user, agency=agency)
    if not _is_sender(request, agency):
        raise PermissionDenied(_("Only the sender closes a request."))
    _require_open(request)
    note = _text(note)
    if len(note) > 1000:
        raise ValidationError({"note": _("The note has at most 1000 characters.")})
    waiting = [r.agency.name_vi for r in request.recipients.select_related("agency") if r.state == "pending"]
    if waiting and not note:
        raise ValidationError(
            {
                "note": _("Not every recipient has answered (%(names)s); give the reason for closing now.")
                % {"names": ", ".join(waiting)}
            }
        )
    request.state = OfficialRequest.State.CLOSED
    request.closed_at = timezone.now()
    request.closed_by = user
    request.closing_note = note
    request.save()
    return request
