"""JSON API of the information exchange: list, send, read, answer, attach, close."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Router, Status, UploadedFile
from ninja.pagination import paginate

from ketnoi.core.api import Page
from ketnoi.orgs.models import Agency
from ketnoi.programmes.models import Programme, Task
from ketnoi.programmes.selectors import tasks_visible_to

from . import selectors, services
from .schemas import AttachmentOut, CloseIn, RequestDetailOut, RequestIn, RequestOut, ResponseIn, ResponseOut

router = Router(tags=["Information exchange"])


class _Mapped:
    """A queryset whose page is turned into dicts only for the rows on that page."""

    def __init__(self, queryset, convert):
        self.queryset, self.convert = queryset, convert

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, window):
        return [self.convert(obj) for obj in self.queryset[window]]


def _agency(agency):
    return {"code": agency.code, "name": agency.name_vi}


def _summary(obj, *, today=None) -> dict:
    today = today or timezone.localdate()
    rows = selectors.recipient_rows(obj, today=today)
    return {
        "id": obj.pk,
        "number_symbol": obj.number_symbol,
        "subject": obj.subject,
        "sender": _agency(obj.sender),
        "due_date": obj.due_date,
        "state": obj.state,
        "overdue": obj.overdue if hasattr(obj, "overdue") else any(r.overdue for r in rows),
        "recipients": [
            {
                "agency": _agency(r.agency),
                "state": r.state,
                "answered_at": r.answered_at,
                "closed_at": r.closed_at,
                "overdue": r.overdue,
            }
            for r in rows
        ],
        "programme": obj.programme.code if obj.programme_id else None,
        "task": obj.task.code if obj.task_id else None,
        "created_at": obj.created_at,
        "closed_at": obj.closed_at,
    }


def _response(m) -> dict:
    return {
        "id": m.pk,
        "agency": _agency(m.agency),
        "author": m.author.get_username(),
        "body": m.body,
        "closes_part": m.closes_part,
        "created_at": m.created_at,
    }


def _attachment(a) -> dict:
    return {
        "id": a.pk,
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "response_id": a.response_id,
        "url": reverse("exchange-attachment", args=[a.pk]),
    }


def _detail(obj) -> dict:
    return {
        **_summary(obj),
        "body": obj.body,
        "closing_note": obj.closing_note,
        "responses": [_response(m) for m in obj.responses.all()],
        "attachments": [_attachment(a) for a in obj.attachments.all()],
    }


def _agency_or_error(code: str | None, field: str):
    if not code:
        return None
    agency = Agency.objects.filter(code=code.strip()).first()
    if agency is None:
        raise ValidationError({field: _("Unknown agency code %(code)s.") % {"code": code}})
    return agency


@router.get("/exchange/requests", response=list[RequestOut])
@paginate(Page)
def list_requests(request, box: str = "all", state: str = "", q: str = ""):
    """Requests visible to you, overdue first. `box`: inbox, outbox or all; `state`: open, overdue, closed."""
    rows = selectors.request_list_for_user(user=request.user, box=box, state=state, query=q)
    return _Mapped(rows, _summary)


@router.post("/exchange/requests", response={201: RequestDetailOut})
def create_request(request, payload: RequestIn):
    """Send a request; attach files afterwards with POST /exchange/requests/{id}/attachments."""
    programme = task = None
    if payload.programme:
        programme = Programme.objects.filter(code=payload.programme).first()
        if programme is None:
            raise ValidationError({"programme": _("Unknown programme %(code)s.") % {"code": payload.programme}})
    if payload.task:
        tasks = Task.objects.filter(programme=programme, code=payload.task) if programme else Task.objects.none()
        task = tasks_visible_to(request.user, tasks).first()
        if task is None:
            raise ValidationError({"task": _("No task %(code)s in the programme.") % {"code": payload.task}})
    created = services.request_create(
        user=request.user,
        number_symbol=payload.number_symbol,
        subject=payload.subject,
        body=payload.body,
        due_date=payload.due_date,
        recipients=payload.recipients,
        sender=_agency_or_error(payload.sender, "sender"),
        programme=programme,
        task=task,
    )
    return Status(201, _detail(selectors.request_get_for_user(user=request.user, pk=created.pk)))


@router.get("/exchange/requests/{int:pk}", response=RequestDetailOut)
def get_request(request, pk: int):
    return _detail(selectors.request_get_for_user(user=request.user, pk=pk))


@router.post("/exchange/requests/{int:pk}/responses", response={201: ResponseOut})
def respond(request, pk: int, payload: ResponseIn):
    """Answer as a recipient (`closes_part` marks your part done) or add the sender's follow-up."""
    obj = selectors.request_get_for_user(user=request.user, pk=pk)
    response = services.request_respond(
        user=request.user,
        request=obj,
        body=payload.body,
        closes_part=payload.closes_part,
        agency=_agency_or_error(payload.agency, "agency"),
    )
    return Status(201, _response(response))


@router.post("/exchange/requests/{int:pk}/attachments", response={201: AttachmentOut})
def add_attachment(request, pk: int, file: UploadedFile = File(...)):
    """Attach a file (PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPEG; 10 MB) to an open request."""
    obj = selectors.request_get_for_user(user=request.user, pk=pk)
    return Status(201, _attachment(services.attachment_add(user=request.user, request=obj, upload=file)))


@router.post("/exchange/requests/{int:pk}/close", response=RequestDetailOut)
def close_request(request, pk: int, payload: CloseIn):
    """The sender closes the request; before every recipient has answered, `note` must give the reason."""
    obj = selectors.request_get_for_user(user=request.user, pk=pk)
    services.request_close(
        user=request.user, request=obj, note=payload.note, agency=_agency_or_error(payload.agency, "agency")
    )
    return _detail(selectors.request_get_for_user(user=request.user, pk=pk))
