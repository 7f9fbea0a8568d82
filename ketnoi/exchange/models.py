"""Information exchange between agencies: official requests (công văn), their recipients, the reply thread."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.models import TimeStampedModel


class OfficialRequest(Audited, TimeStampedModel):
    """A request from one agency to several, identified by its number and symbol (123/BDTTG-TT).

    Scoping is wider than one unit: the request is visible in the sender's area and in every
    recipient's area (see selectors.request_list_for_user). ``SCOPE_UNIT_PATH`` is the sender's side,
    which is also where the audit trail is filed.
    """

    SCOPE_UNIT_PATH = "sender__unit"

    class State(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    number_symbol = models.CharField(_("number and symbol"), max_length=60)
    sender = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="sent_requests", verbose_name=_("sender")
    )
    subject = models.CharField(_("subject"), max_length=500)
    body = models.TextField(_("text"))
    due_date = models.DateField(_("answer due"))
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("programme"),
    )
    task = models.ForeignKey(
        "programmes.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closing_note = models.CharField(_("closing note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("official request")
        verbose_name_plural = _("official requests")
        ordering = ["due_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "number_symbol"], name="exchange_request_number_unique"),
        ]

    def __str__(self):
        return f"{self.number_symbol} — {self.subject[:80]}"


class Recipient(Audited, TimeStampedModel):
    """One recipient agency's part of a request: pending until it answers, closed when its answer says so."""

    SCOPE_UNIT_PATH = "agency__unit"

    class State(models.TextChoices):
        PENDING = "pending", _("awaiting an answer")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("done")

    request = models.ForeignKey(OfficialRequest, on_delete=models.CASCADE, related_name="recipients")
    agency = models.ForeignKey(
        "orgs.Agency", on_delete=models.PROTECT, related_name="received_requests", verbose_name=_("agency")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["agency__sort_key"]
        constraints = [models.UniqueConstraint(fields=["request", "agency"], name="exchange_recipient_unique")]

    def __str__(self):
        return f"{self.request.number_symbol} → {self.agency}"

    def is_overdue(self, today) -> bool:
        """Past due and neither this part nor the whole request is closed."""
        return (
            self.request.state == OfficialRequest.State.OPEN
            and self.state != self.State.CLOSED
            and self.request.due_date < today
        )


class Response(Audited, TimeStampedModel):
    """A message in the thread: a recipient's answer (which may close its part) or the sender's follow-up."""

    SCOPE_UNIT_PATH = "agency__unit"

    request = models.ForeignKey(OfficialRequest, on_delete=models.CASCADE, related_name="responses")
    recipient = models.ForeignKey(
        Recipient, null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )  # empty for the sender's own messages
    agency = models.ForeignKey("orgs.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("text"))
    closes_part = models.BooleanField(_("this answer completes our part"), default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.request.number_symbol}: {self.agency} — {self.body[:40]}"


class Attachment(Audited, TimeStampedModel):
    """A file attached to a request or to one of its responses; type checked by its first bytes."""

    SCOPE_UNIT_PATH = "request__sender__unit"

    request = models.ForeignKey(OfficialRequest, on_delete=models.CASCADE, related_name="attachments")
    response = models.ForeignKey(Response, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A storage path rather than a FileField: the audit snapshot stores plain values (a FieldFile is not JSON).
    file_path = models.CharField(_("stored file"), max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.original_name
