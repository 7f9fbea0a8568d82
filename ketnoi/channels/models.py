"""The channels that reach a commune's people, as data (issue 8.1): commune radio stations and their
loudspeaker clusters (Circular 39/2020/TT-BTTTT), electronic bulletin boards, and the SMS and
messaging or social accounts that a unit publishes through. Each belongs to a current commune and
is scoped like everything else; devices carry the identifiers that delivery (issue 8.4) addresses."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.fields import EncryptedTextField
from ketnoi.core.models import TimeStampedModel

LATITUDE = [MinValueValidator(8), MaxValueValidator(24)]  # Vietnam lies within 8°–24° N
LONGITUDE = [MinValueValidator(102), MaxValueValidator(110)]  # and 102°–110° E (the mainland)


class Device(Audited, TimeStampedModel):
    """What a station, a cluster and a board share: an identifier, a model, an address, a place and
    the dates it served."""

    device_id = models.CharField(_("device id"), max_length=64, null=True, blank=True, unique=True)
    model = models.CharField(_("model"), max_length=120, blank=True)
    sim_or_ip = models.CharField(_("SIM or IP"), max_length=64, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE
    )
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        abstract = True

    @property
    def in_service(self) -> bool:
        return self.retired_on is None


class RadioStation(Device):
    """A commune's radio station (đài truyền thanh cấp xã)."""

    SCOPE_UNIT_PATH = "commune"

    class Technology(models.TextChoices):
        WIRED = "wired", _("wired")
        FM = "fm", _("FM radio")
        IP = "ip", _("IT and telecommunications (IP)")

    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="radio_stations", verbose_name=_("commune")
    )
    name = models.CharField(_("name"), max_length=200)
    technology = models.CharField(_("technology"), max_length=10, choices=Technology.choices, default=Technology.IP)

    class Meta:
        verbose_name = _("radio station")
        verbose_name_plural = _("radio stations")
        constraints = [models.UniqueConstraint(fields=["commune", "name"], name="channels_station_name_per_commune")]
        ordering = ["commune__sort_key", "name"]

    def __str__(self):
        return self.name


class LoudspeakerCluster(Device):
    """A cluster of loudspeakers (cụm loa) of a station, serving a village."""

    SCOPE_UNIT_PATH = "station__commune"

    station = models.ForeignKey(
        RadioStation, on_delete=models.CASCADE, related_name="clusters", verbose_name=_("station")
    )
    name = models.CharField(_("name"), max_length=200)
    village = models.ForeignKey(
        "geo.Village", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    speakers = models.PositiveIntegerField(_("loudspeakers"), default=0)

    class Meta:
        verbose_name = _("loudspeaker cluster")
        verbose_name_plural = _("loudspeaker clusters")
        constraints = [models.UniqueConstraint(fields=["station", "name"], name="channels_cluster_name_per_station")]
        ordering = ["station__name", "name"]

    def __str__(self):
        return f"{self.station.name} — {self.name}"


class BulletinBoard(Device):
    """An electronic public bulletin board (bảng tin điện tử công cộng)."""

    SCOPE_UNIT_PATH = "commune"

    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="bulletin_boards", verbose_name=_("commune")
    )
    name = models.CharField(_("name"), max_length=200)
    village = models.ForeignKey(
        "geo.Village", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("village")
    )

    class Meta:
        verbose_name = _("electronic bulletin board")
        verbose_name_plural = _("electronic bulletin boards")
        constraints = [models.UniqueConstraint(fields=["commune", "name"], name="channels_board_name_per_commune")]
        ordering = ["commune__sort_key", "name"]

    def __str__(self):
        return self.name


class MessagingAccount(Audited, TimeStampedModel):
    """An SMS brand name, or an account on a messaging or social platform, that a commune publishes
    through."""

    SCOPE_UNIT_PATH = "commune"

    class Platform(models.TextChoices):
        SMS = "sms", _("SMS brand name")
        ZALO = "zalo", _("Zalo official account")
        FACEBOOK = "facebook", _("Facebook page")
        YOUTUBE = "youtube", _("YouTube channel")
        TIKTOK = "tiktok", _("TikTok account")
        OTHER = "other", _("other")

    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="messaging_accounts", verbose_name=_("commune")
    )
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    handle = models.CharField(_("name or sender"), max_length=120)
    url = models.URLField(_("address"), blank=True)
    followers = models.PositiveIntegerField(_("followers or recipients"), null=True, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("messaging account")
        verbose_name_plural = _("messaging accounts")
        constraints = [
            models.UniqueConstraint(fields=["commune", "platform", "handle"], name="channels_account_per_commune")
        ]
        ordering = ["commune__sort_key", "platform", "handle"]

    def __str__(self):
        return f"{self.get_platform_display()}: {self.handle}"


class Propagandist(Audited, TimeStampedModel):
    """A grassroots propagandist (tuyên truyền viên cơ sở): a person, so personal data (Decree
    13/2023, docs/personal-data.md). The phone number is encrypted at rest and shown only to those
    who manage the commune's channels; each view of it is logged."""

    SCOPE_UNIT_PATH = "commune"

    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="propagandists", verbose_name=_("commune")
    )
    village = models.ForeignKey(
        "geo.Village", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    phone = EncryptedTextField(_("phone"), max_length=20, blank=True)
    ethnic_group = models.ForeignKey(
        "people.EthnicGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ethnic group"),
    )
    languages = models.CharField(_("languages spoken"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("grassroots propagandist")
        verbose_name_plural = _("grassroots propagandists")
        ordering = ["commune__sort_key", "full_name"]

    def __str__(self):
        return self.full_name


# ---- bulletins (issue 8.2) ----------------------------------------------------------------------


class Bulletin(Audited, TimeStampedModel):
    """A bulletin (bản tin): what the channels carry, written directly or made from an approved
    content item, appraised by the editorial board before it is sent. Its priority has Circular
    39/2020's meaning: a normal bulletin is played if and when the commune chooses; a priority one
    goes first in the programme (the commune orders collisions); an emergency one plays at once,
    interrupting whatever is playing."""

    SCOPE_UNIT_PATH = "owner_unit"

    class Priority(models.TextChoices):
        NORMAL = "normal", _("normal")
        PRIORITY = "priority", _("priority")
        EMERGENCY = "emergency", _("emergency")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPRAISED = "appraised", _("appraised by the editorial board")
        APPROVED = "approved", _("approved for sending")
        WITHDRAWN = "withdrawn", _("withdrawn")

    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    owner_unit = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("The province or commune whose editorial board owns the bulletin; empty for central."),
    )
    content = models.ForeignKey(
        "content.ContentItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bulletins",
        verbose_name=_("made from"),
    )
    author = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    target_units = models.ManyToManyField(
        "geo.AdminUnit", blank=True, related_name="+", verbose_name=_("provinces and communes")
    )
    target_villages = models.ManyToManyField("geo.Village", blank=True, related_name="+", verbose_name=_("villages"))
    target_groups = models.ManyToManyField(
        "people.EthnicGroup", blank=True, related_name="+", verbose_name=_("ethnic groups")
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # raised by every write; a stale save is refused

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Rendition(Audited, TimeStampedModel):
    """The bulletin in one language for one channel: a loudspeaker script with its audio, an
    e-board text, an SMS text or a social post. It remembers the checksums of the source sentences
    it was made from; when the source changes it is flagged stale until someone revises it."""

    SCOPE_UNIT_PATH = "bulletin__owner_unit"

    class Channel(models.TextChoices):
        LOUDSPEAKER = "loudspeaker", _("loudspeakers")
        BOARD = "board", _("electronic bulletin board")
        SMS = "sms", _("SMS")
        SOCIAL = "social", _("social networks and messaging")

    class AudioOrigin(models.TextChoices):
        NONE = "", _("no audio")
        SYNTHETIC = "synthetic", _("speech synthesis")
        RECORDING = "recording", _("human recording")

    class AudioStatus(models.TextChoices):
        NONE = "", _("no audio")
        PENDING = "pending", _("being made")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="renditions")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    language = models.ForeignKey(
        "people.Language", on_delete=models.PROTECT, related_name="+", verbose_name=_("language")
    )
    text = models.TextField(_("text"))
    source_checksums = models.JSONField(default=list, editable=False)
    stale = models.BooleanField(_("source changed"), default=False)
    reading_seconds = models.PositiveIntegerField(_("reading time (seconds)"), default=0)
    sms_encoding = models.CharField(max_length=5, blank=True)
    sms_segments = models.PositiveSmallIntegerField(default=0)
    audio = models.FileField(_("audio"), upload_to="bulletins/%Y/%m/", blank=True)
    audio_origin = models.CharField(max_length=10, choices=AudioOrigin.choices, default="", blank=True)
    audio_status = models.CharField(max_length=10, choices=AudioStatus.choices, default="", blank=True)
    audio_error = models.CharField(max_length=500, blank=True)
    audio_seconds = models.FloatField(_("audio length (seconds)"), null=True, blank=True)
    audio_sha256 = models.CharField(max_length=64, blank=True)
    audio_text_checksum = models.CharField(max_length=64, blank=True)  # the text the synthetic audio speaks
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        ordering = ["bulletin", "channel", "language__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "channel", "language"], name="channels_rendition_unique")
        ]

    def __str__(self):
        return f"{self.bulletin} [{self.channel}, {self.language.bcp47}]"


class BroadcastSchedule(Audited, TimeStampedModel):
    """When a bulletin goes on air: on the days from ``starts_on`` to ``ends_on`` (one day for a
    one-off slot) that are among ``weekdays``, at each of ``times``."""

    SCOPE_UNIT_PATH = "bulletin__owner_unit"

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="schedules")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    weekdays = models.CharField(_("days of the week"), max_length=7, default="1234567")  # ISO: 1 = Monday
    times = models.JSONField(_("times"), default=list)  # ["06:00", "17:30"]

    class Meta:
        verbose_name = _("broadcast schedule")
        verbose_name_plural = _("broadcast schedules")
        ordering = ["bulletin", "starts_on", "id"]

    def __str__(self):
        return f"{self.bulletin}: {self.starts_on}–{self.ends_on} {' '.join(self.times)}"


class BulletinEvent(models.Model):
    """A transition of a bulletin's editorial workflow, with its comment."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=10)
    to_state = models.CharField(max_length=10)
    user = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.bulletin}: {self.from_state} → {self.to_state}"


# ---- delivery (issue 8.4) -----------------------------------------------------------------------


class SmsRecipient(Audited, TimeStampedModel):
    """A person who asked the commune for its SMS bulletins: personal data (docs/personal-data.md).
    The number is encrypted at rest and found by its blind index; an opted-out recipient is never
    sent anything again, and the record keeps when and how the opt-out came."""

    SCOPE_UNIT_PATH = "commune"

    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="sms_recipients", verbose_name=_("commune")
    )
    village = models.ForeignKey(
        "geo.Village", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    phone = EncryptedTextField(_("phone"), max_length=20, blind_index="phone_index")
    phone_index = models.CharField(max_length=64, editable=False, db_index=True)
    language = models.ForeignKey(
        "people.Language", on_delete=models.PROTECT, related_name="+", verbose_name=_("language")
    )
    opted_out_at = models.DateTimeField(_("opted out"), null=True, blank=True)
    opt_out_source = models.CharField(_("opt-out received by"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("SMS recipient")
        verbose_name_plural = _("SMS recipients")
        constraints = [
            models.UniqueConstraint(fields=["commune", "phone_index"], name="channels_sms_recipient_per_commune")
        ]

    def __str__(self):
        return f"SMS recipient #{self.pk}"


class Delivery(TimeStampedModel):
    """One rendition to one endpoint — a loudspeaker cluster, an e-board, an SMS recipient or a
    messaging account — and how far it got: queued → sent → delivered → played (or displayed), or
    failed with its reason, or cancelled when the bulletin was withdrawn. ``key`` is unique: the
    same rendition is never queued twice for the same endpoint, and providers that accept an
    idempotency key get it, so a send retried after a crash is not a second message."""

    SCOPE_UNIT_PATH = "commune"

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        PLAYED = "played", _("played or displayed")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    class Endpoint(models.TextChoices):
        CLUSTER = "cluster", _("loudspeaker cluster")
        BOARD = "board", _("electronic bulletin board")
        SMS = "sms", _("SMS recipient")
        ACCOUNT = "account", _("messaging account")

    key = models.CharField(max_length=80, unique=True)
    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="deliveries")
    rendition = models.ForeignKey(Rendition, on_delete=models.CASCADE, related_name="deliveries")
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    endpoint = models.CharField(max_length=8, choices=Endpoint.choices)
    cluster = models.ForeignKey(LoudspeakerCluster, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    board = models.ForeignKey(BulletinBoard, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(SmsRecipient, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(MessagingAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=120, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    played_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["bulletin", "state"], name="channels_delivery_bulletin")]

    def __str__(self):
        return f"{self.key} [{self.state}]"


# ---- devices, play logs and the commune's programme (issues 8.5–8.7) ----------------------------


class DeviceCredential(Audited, TimeStampedModel):
    """The token a loudspeaker cluster or an e-board uses to talk to Kết Nối. Only its SHA-256 is
    stored; the token is shown once when issued. A revoked credential is refused at once."""

    SCOPE_UNIT_PATH = "commune"

    class State(models.TextChoices):
        UNKNOWN = "", _("never seen")
        ONLINE = "online", _("online")
        PLAYING = "playing", _("playing")
        OFFLINE = "offline", _("offline")

    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    cluster = models.ForeignKey(
        LoudspeakerCluster, null=True, blank=True, on_delete=models.CASCADE, related_name="credentials"
    )
    board = models.ForeignKey(
        BulletinBoard, null=True, blank=True, on_delete=models.CASCADE, related_name="credentials"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False)  # the token's first characters, to tell them apart
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_state = models.CharField(max_length=8, choices=State.choices, blank=True, default="")
    volume = models.PositiveSmallIntegerField(null=True, blank=True)  # 0–100
    signal = models.SmallIntegerField(null=True, blank=True)  # dBm, or 0–100 as the device reports it
    firmware = models.CharField(max_length=64, blank=True)
    offline_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("device credential")
        verbose_name_plural = _("device credentials")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cluster__isnull=False, board__isnull=True)
                | models.Q(cluster__isnull=True, board__isnull=False),
                name="channels_credential_one_device",
            )
        ]

    def __str__(self):
        return f"{self.prefix}… ({self.cluster or self.board})"


class Heartbeat(models.Model):
    """What a device said about itself, as it said it (the credential keeps the latest)."""

    credential = models.ForeignKey(DeviceCredential, on_delete=models.CASCADE, related_name="heartbeats")
    state = models.CharField(max_length=8)
    volume = models.PositiveSmallIntegerField(null=True, blank=True)
    signal = models.SmallIntegerField(null=True, blank=True)
    firmware = models.CharField(max_length=64, blank=True)
    reported_at = models.DateTimeField()  # the device's clock
    received_at = models.DateTimeField(auto_now_add=True)  # ours

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["credential", "-received_at"], name="channels_heartbeat_latest")]

    def __str__(self):
        return f"{self.credential_id}: {self.state} at {self.reported_at:%Y-%m-%d %H:%M:%S}"


class PlayLog(models.Model):
    """A device's report that it played (cluster) or displayed (board) a rendition. ``client_id``
    is the device's own id for the line: a batch sent again is recognised and changes nothing."""

    SCOPE_UNIT_PATH = "commune"

    credential = models.ForeignKey(DeviceCredential, on_delete=models.PROTECT, related_name="play_logs")
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, related_name="play_logs")
    rendition = models.ForeignKey(Rendition, on_delete=models.PROTECT, related_name="play_logs")
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="play_logs")
    client_id = models.CharField(max_length=64)
    started_at = models.DateTimeField()  # the device's clock, checked against ours on arrival
    seconds = models.PositiveIntegerField(default=0)
    completed = models.BooleanField(default=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["credential", "client_id"], name="channels_playlog_once"),
        ]
        indexes = [models.Index(fields=["commune", "started_at"], name="channels_playlog_commune")]

    def __str__(self):
        return f"{self.credential_id}/{self.client_id}"


class ProgrammeDecision(Audited, TimeStampedModel):
    """The commune's choice about a bulletin on one of its stations (Circular 39/2020): whether a
    normal bulletin is played, and where a normal or priority one goes among the day's items."""

    SCOPE_UNIT_PATH = "station__commune"

    station = models.ForeignKey(RadioStation, on_delete=models.CASCADE, related_name="decisions")
    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="decisions")
    accepted = models.BooleanField(_("played"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    decided_by = models.ForeignKey("orgs.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("programme decision")
        verbose_name_plural = _("programme decisions")
        constraints = [models.UniqueConstraint(fields=["station", "bulletin"], name="channels_decision_once")]

    def __str__(self):
        return f"{self.station} / {self.bulletin}: {'play' if self.accepted else 'skip'} #{self.position}"
