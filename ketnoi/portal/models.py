"""Citizens' feedback on the public portal (Decree 49/2024: grassroots information must receive
citizens' feedback and answer it). The message and its answer may become public; the sender's
name and contact never do and are kept apart, in a table that is not copied into the audit log."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.fields import EncryptedTextField
from ketnoi.core.models import TimeStampedModel

# The check code of a reference number: no 0/O, 1/I/L, 2/Z, 5/S, 8/B — nothing to misread or mishear.
CHECK_ALPHABET = "3469ACDEFGHJKMNPQRTUVWXY"
CHECK_LENGTH = 3


def new_check_code() -> str:
    return "".join(secrets.choice(CHECK_ALPHABET) for _i in range(CHECK_LENGTH))


# What a message becomes when its sender asked for erasure or its retention period ended.
ERASED_MESSAGE = "[erased at the sender's request]"


class Feedback(Audited, TimeStampedModel):
    """A question, comment or report sent by a citizen through the portal, and what was done with it."""

    SCOPE_UNIT_PATH = "unit"
    # A citizen's own words; the answer is the administration's and is kept in full.
    audit_personal_fields = {"message"}

    class State(models.TextChoices):
        RECEIVED = "received", _("received")
        ROUTED = "routed", _("routed")
        # "published" for every channel: answered (a portal answer is then public; others are sent back)
        PUBLISHED = "published", _("answered")
        CLOSED = "closed", _("closed")
        REJECTED = "rejected", _("rejected")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("portal form")
        SMS = "sms", _("SMS")
        ZALO = "zalo", _("Zalo")
        MESSAGING = "webhook", _("other messaging")
        MEETING = "meeting", _("meeting")
        CALL_IN = "callin", _("loudspeaker call-in")
        OTHER = "other", _("other")

    class AnswerDelivery(models.TextChoices):
        NONE = "", _("not yet")
        PUBLISHED = "published", _("published on the portal")
        PENDING = "pending", _("to be sent")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("not delivered")
        TO_READ_OUT = "to_read_out", _("to be read out")
        READ_OUT = "read_out", _("read out")
        NO_ADDRESS = "no_address", _("no way back to the sender")

    language = models.ForeignKey(
        "people.Language", on_delete=models.PROTECT, related_name="+", verbose_name=_("language")
    )
    item = models.ForeignKey(
        "content.ContentItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("about the article"),
    )
    unit = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("about the commune"),
        help_text=_("The commune the feedback is about, or the unit owning the article; empty for central."),
    )
    message = models.TextField(_("message"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RECEIVED)
    answer = models.TextField(_("answer"), blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # ---- the inbox (issue 8.9) ----
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    village = models.ForeignKey(
        "geo.Village", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("village")
    )
    topic = models.ForeignKey(
        "inbox.Topic", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("topic")
    )
    bulletin = models.ForeignKey(
        "channels.Bulletin",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("in reply to the bulletin"),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    check_code = models.CharField(max_length=CHECK_LENGTH, default=new_check_code, editable=False)
    # The provider's id of an inbound message: the same message posted twice is one feedback.
    provider_id = models.CharField(max_length=100, blank=True, editable=False)
    agency = models.ForeignKey(
        "orgs.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible agency"),
    )
    due_on = models.DateField(_("answer due on"), null=True, blank=True, db_index=True)
    routed_at = models.DateTimeField(_("routed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("noted by"),
    )
    answer_delivery = models.CharField(
        _("answer delivery"), max_length=12, choices=AnswerDelivery.choices, default="", blank=True
    )
    answer_provider_id = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    answer_delivery_reason = models.CharField(_("delivery problem"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("citizen feedback")
        verbose_name_plural = _("citizen feedback")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "language"], name="portal_feedback_state_lang"),
            models.Index(fields=["state", "due_on"], name="portal_feedback_state_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_id"],
                condition=~models.Q(provider_id=""),
                name="portal_feedback_one_per_inbound_message",
            )
        ]

    def __str__(self):
        return f"feedback #{self.pk}"

    @property
    def reference(self) -> str:
        """The number the citizen is given to quote and to look their answer up with: GY-2026-000123-K7M.
        The number alone is sequential; the check code makes a reference impossible to guess (and a
        mistyped one is refused rather than showing someone else's answer)."""
        return f"GY-{self.created_at:%Y}-{self.pk:06d}-{self.check_code}"

    @property
    def open(self) -> bool:
        return self.state in (self.State.RECEIVED, self.State.ROUTED)

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.open and self.due_on is not None and self.due_on < today


class FeedbackSender(models.Model):
    """The sender's optional name and contact: personal data (Decree 13/2023), shown only to moderators."""

    feedback = models.OneToOneField(Feedback, on_delete=models.CASCADE, related_name="sender")
    name = EncryptedTextField(_("name"), max_length=200, blank=True)
    contact = EncryptedTextField(_("phone or e-mail"), max_length=200, blank=True, blind_index="contact_index")
    # Keyed HMAC of the normalised contact (core.crypto.blind_index): finds a person's feedback.
    contact_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("feedback sender")
        verbose_name_plural = _("feedback senders")

    def __str__(self):
        return f"sender of #{self.feedback_id}"
