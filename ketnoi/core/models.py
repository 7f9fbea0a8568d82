from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ValidityMixin(models.Model):
    """Everything that changes over time carries the dates it is valid for (inclusive)."""

    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        abstract = True

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class AuditEntry(models.Model):
    """Append-only record of every create, update and delete.

    Rows are never changed or removed: save() refuses updates, delete() refuses, and database
    triggers (migration 0002) refuse UPDATE and DELETE for anything that bypasses the ORM.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        IMPORT = "import", _("imported")
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("login failed")
        # Someone was shown a person's decrypted personal data (Decree 13/2023): who saw whom.
        VIEW = "view", _("viewed personal data")
        # A data subject's request: everything held about them exported, or their data erased.
        SUBJECT_EXPORT = "subject_export", _("exported personal data")
        SUBJECT_ERASE = "subject_erase", _("erased personal data")

    SCOPE_PROVINCE_FIELD = "scope_province_id"
    SCOPE_COMMUNE_FIELD = "scope_commune_id"

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    model = models.CharField(_("object type"), max_length=100, db_index=True)
    object_pk = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    # Scope of the object (current province / commune ids) so auditors see only their area.
    scope_province_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    scope_commune_id = models.BigIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    source = models.CharField(_("source"), max_length=40, blank=True)  # web, api, cli, job

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["model", "object_pk"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.model} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")

    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AuditSeal(models.Model):
    """One link of the hash chain over the audit log (issue 10.7): the entry's keyed hash, chained to
    the previous link. Written in ``seq`` order by ``core.audit_chain.seal_pending`` (a job), never
    changed (save() refuses updates, and database triggers refuse UPDATE and DELETE)."""

    entry = models.OneToOneField(
        AuditEntry, on_delete=models.DO_NOTHING, db_constraint=False, related_name="seal", verbose_name=_("entry")
    )
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")

    def __str__(self):
        return f"#{self.seq} {self.hash[:12]}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit seals are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit seals are append-only")


class JobRecord(models.Model):
    """One enqueued job, written in the same transaction as the change that asked for it (a
    transactional outbox). The queue (huey on SQLite or Redis) only carries the record's id: a job
    lost with a Redis restart, or left half-run by a killed worker, is found here and enqueued again
    by core.resume_jobs; the claim below makes sure no two workers run one record at once."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("job"), max_length=120)
    args = models.JSONField(_("arguments"), default=list)
    kwargs = models.JSONField(_("keyword arguments"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("job record")
        verbose_name_plural = _("job records")
        indexes = [models.Index(fields=["state", "enqueued_at"], name="core_job_state_idx")]

    def __str__(self):
        return f"{self.name} #{self.pk} ({self.state})"
