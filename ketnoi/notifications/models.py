"""In-app notifications with e-mail, delivered exactly once per event and recipient.

A ``NotificationEvent`` row is the delivery ledger: its (event_key, recipient) pair is unique, and it
is inserted before the ``Notification`` in the same transaction, so a retried job or a restarted
worker that meets the same event again gets an IntegrityError and skips it. E-mail is a separate
step after commit that claims the notification with a conditional UPDATE (see services).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited


class Kind(models.TextChoices):
    TASK_DUE_SOON = "task_due_soon", _("task due soon")
    TASK_OVERDUE = "task_overdue", _("task overdue")
    REPORT_DUE_SOON = "report_due_soon", _("report due soon")
    REPORT_OVERDUE = "report_overdue", _("report overdue")
    REPORT_SUBMITTED = "report_submitted", _("report submitted")
    REPORT_APPROVED = "report_approved", _("report approved")
    REPORT_RETURNED = "report_returned", _("report returned")
    REPORT_UNAPPROVED = "report_unapproved", _("report approval withdrawn")
    REQUEST_RECEIVED = "request_received", _("request received")
    REQUEST_OVERDUE = "request_overdue", _("request overdue")
    SIGN_IN_FAILURES = "sign_in_failures", _("failed sign-ins to your account")
    CONTENT_SUBMITTED = "content_submitted", _("article submitted for appraisal")
    CONTENT_APPRAISED = "content_appraised", _("article awaiting approval")
    CONTENT_RETURNED = "content_returned", _("article returned to draft")
    CONTENT_APPROVED = "content_approved", _("article approved")
    TRANSLATION_ASSIGNED = "translation_assigned", _("translation assigned")
    TRANSLATION_SUBMITTED = "translation_submitted", _("translation ready for review")
    TRANSLATION_APPROVED = "translation_approved", _("translation approved")
    TRANSLATION_RETURNED = "translation_returned", _("translation reopened")
    DEVICE_OFFLINE = "device_offline", _("loudspeakers or boards offline")


class NotificationEvent(models.Model):
    """One event delivered to one recipient: the row that makes delivery happen at most once."""

    event_key = models.CharField(max_length=200)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_key", "recipient"], name="notif_event_once"),
        ]

    def __str__(self):
        return f"{self.event_key} → {self.recipient_id}"


class Notification(Audited, models.Model):
    """A message to one user, written in that user's interface language when it was created."""

    SCOPE_UNIT_PATH = "recipient__agency__unit"
    # The text names people (who submitted, approved, sent) and sign-in addresses.
    audit_personal_fields = {"body"}

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    event = models.OneToOneField(NotificationEvent, on_delete=models.CASCADE, related_name="notification")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True, help_text=_("A path on this site."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # E-mail bookkeeping: claimed by one sender at a time (a lease), marked once sent.
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread"),
            models.Index(fields=["emailed_at", "created_at"], name="notif_email_pending"),
        ]

    def __str__(self):
        return self.subject

    @property
    def unread(self) -> bool:
        return self.read_at is None
