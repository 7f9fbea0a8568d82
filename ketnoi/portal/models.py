"""Citizens' feedback on the public portal (Decree 49/2024: grassroots information must receive
citizens' feedback and answer it). The message and its answer may become public; the sender's
name and contact never do and are kept apart, in a table that is not copied into the audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.fields import EncryptedTextField
from ketnoi.core.models import TimeStampedModel

# What a message becomes when its sender asked for erasure or its retention period ended.
ERASED_MESSAGE = "[erased at the sender's request]"


class Feedback(Audited, TimeStampedModel):
    """A question, comment or report sent by a citizen through the portal, and what was done with it."""

    SCOPE_UNIT_PATH = "unit"
    # A citizen's own words; the answer is the administration's and is kept in full.
    audit_personal_fields = {"message"}

    class State(models.TextChoices):
        RECEIVED = "received", _("received")
        PUBLISHED = "published", _("answered and published")
        REJECTED = "rejected", _("rejected")

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

    class Meta:
        verbose_name = _("citizen feedback")
        verbose_name_plural = _("citizen feedback")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "language"], name="portal_feedback_state_lang")]

    def __str__(self):
        return f"feedback #{self.pk}"

    @property
    def reference(self) -> str:
        """The number the citizen is given to quote when asking about their message: GY-2026-000123."""
        return f"GY-{self.created_at:%Y}-{self.pk:06d}"


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
