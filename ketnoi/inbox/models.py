"""The citizen feedback inbox (issue 8.9; Decree 49/2024: receive citizens' feedback and return the
competent answer). The feedback itself is ``portal.Feedback``, extended with its channel, topic,
agency and due date: one record whatever the channel. Here are the data that route it: topics
with their answer periods ([M]: editable data, not periods fixed by law) and explicit routing rules,
and the history of each feedback."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.models import TimeStampedModel


class Topic(TimeStampedModel):
    """What a feedback is about, the kind of agency that answers it, and in how many days ([M])."""

    class Level(models.TextChoices):
        COMMUNE = "commune", _("the commune itself")
        PROVINCE = "province", _("the commune's province")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    agency_kind = models.CharField(
        _("answered by an agency of kind"), max_length=30, default="commune_committee"
    )  # an orgs.Agency.Kind value
    agency_level = models.CharField(_("at the level of"), max_length=10, choices=Level.choices, default=Level.COMMUNE)
    due_days = models.PositiveSmallIntegerField(
        _("days to answer"),
        default=15,
        help_text=_("Calendar days from receipt. A default chosen for the platform, not a period fixed by law."),
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("feedback topic")
        verbose_name_plural = _("feedback topics")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


class RoutingRule(TimeStampedModel):
    """An explicit agency for a topic in one province or commune; wins over the topic's agency kind."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="rules", verbose_name=_("topic"))
    unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("province or commune")
    )
    agency = models.ForeignKey("orgs.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency"))

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [models.UniqueConstraint(fields=["topic", "unit"], name="inbox_rule_per_topic_unit")]

    def __str__(self):
        return f"{self.topic} in {self.unit}: {self.agency}"


class FeedbackEvent(models.Model):
    """One step in a feedback's life, shown as its history on the staff detail page. ``note`` never
    holds the sender's words or contact (those stay on the feedback and its sender)."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("received")
        NOTED = "noted", _("noted by staff")
        ROUTED = "routed", _("routed")
        ANSWERED = "answered", _("answered")
        ANSWER_SENT = "answer_sent", _("answer sent")
        ANSWER_DELIVERED = "answer_delivered", _("answer delivered")
        ANSWER_FAILED = "answer_failed", _("answer not delivered")
        READ_OUT = "read_out", _("answer read out")
        CLOSED = "closed", _("closed")
        REJECTED = "rejected", _("rejected")

    feedback = models.ForeignKey("portal.Feedback", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("feedback event")
        verbose_name_plural = _("feedback events")

    def __str__(self):
        return f"{self.action} of feedback #{self.feedback_id}"
