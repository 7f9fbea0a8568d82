import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketnoi.core import roles
from ketnoi.core.audit import Audited
from ketnoi.core.fields import EncryptedTextField
from ketnoi.core.models import TimeStampedModel, ValidityMixin
from ketnoi.core.scoping import COMMUNE, COUNTRY, NOWHERE, PROVINCE, Scope


class Agency(Audited, ValidityMixin):
    """A ministry, department, provincial department, commune committee, press agency …

    Agencies are data with validity and succession: the programme's parties are followed through
    the 2025 reorganisation instead of being fixed in code.
    """

    SCOPE_UNIT_PATH = "unit"

    class Kind(models.TextChoices):
        GOVERNMENT_BODY = "government_body", _("Government body")
        MINISTRY = "ministry", _("Ministry or ministry-level body")
        DEPARTMENT = "department", _("Department of a ministry")
        PRESS_AGENCY = "press_agency", _("Press agency")
        PROVINCIAL_COMMITTEE = "provincial_committee", _("Provincial people's committee")
        PROVINCIAL_DEPARTMENT = "provincial_department", _("Provincial department")
        COMMUNE_COMMITTEE = "commune_committee", _("Commune people's committee")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    unit = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
        verbose_name=_("administrative unit"),
        help_text=_("Empty for central agencies."),
    )
    successors = models.ManyToManyField(
        "self", through="AgencySuccession", symmetrical=False, related_name="predecessors", blank=True
    )
    source = models.CharField(_("source"), max_length=500, blank=True)
    search_key = models.CharField(max_length=600, db_index=True, editable=False)
    sort_key = models.CharField(max_length=800, editable=False)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["sort_key"]

    def __str__(self):
        return self.name_vi

    def is_active_on(self, day=None) -> bool:
        return self.is_valid_on(day or timezone.localdate())

    def current_successors(self, day=None) -> list["Agency"]:
        """Follow succession until agencies valid on ``day`` are reached (cycle-safe)."""
        day = day or timezone.localdate()
        if self.is_valid_on(day):
            return [self]
        found, seen, frontier = [], {self.pk}, list(self.successors.all())
        while frontier:
            agency = frontier.pop(0)
            if agency.pk in seen:
                continue
            seen.add(agency.pk)
            if agency.is_valid_on(day):
                found.append(agency)
            else:
                frontier.extend(agency.successors.all())
        return found


class AgencySuccession(Audited, models.Model):
    SCOPE_UNIT_PATH = "predecessor__unit"

    predecessor = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="succession_links")
    successor = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="predecession_links")
    effective = models.DateField(_("effective from"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="orgs_succession_unique"),
            models.CheckConstraint(condition=~models.Q(predecessor=models.F("successor")), name="orgs_no_self_succ"),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor}"


class User(Audited, AbstractUser):
    SCOPE_UNIT_PATH = "agency__unit"
    # The username is an account identifier and stays in the audit log; names and contact do not.
    audit_personal_fields = {"first_name", "last_name", "full_name", "email", "phone"}

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("agency")
    )
    phone = EncryptedTextField(_("phone"), max_length=30, blank=True)
    preferred_language = models.CharField(
        _("interface language"),
        max_length=5,
        default="vi",
        choices=[("vi", "Tiếng Việt"), ("en", "English"), ("th", "ภาษาไทย")],
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    def active_grants(self) -> list["RoleGrant"]:
        cached = getattr(self, "_active_grants", None)
        if cached is None:
            today = timezone.localdate()
            cached = [g for g in self.role_grants.select_related("unit").all() if g.is_valid_on(today)]
            self._active_grants = cached
        return cached

    def roles(self) -> set[str]:
        return {g.role for g in self.active_grants()}

    def has_capability(self, capability: str) -> bool:
        return self.is_superuser or any(roles.role_allows(g.role, capability) for g in self.active_grants())

    def scope_for(self, capability: str) -> Scope:
        scope = NOWHERE
        for grant in self.active_grants():
            if roles.role_allows(grant.role, capability):
                scope = scope.merge(grant.scope())
        return scope


class RoleGrant(Audited, ValidityMixin):
    """A role held by a user over an area: the country, one current province or one commune."""

    SCOPE_UNIT_PATH = "unit"

    class ScopeLevel(models.TextChoices):
        COUNTRY = COUNTRY, _("whole country")
        PROVINCE = PROVINCE, _("province")
        COMMUNE = COMMUNE, _("commune")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=30, choices=roles.ROLE_CHOICES)
    scope_level = models.CharField(_("scope"), max_length=10, choices=ScopeLevel.choices)
    unit = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"structure": "current"},
        verbose_name=_("area"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(scope_level=COUNTRY, unit__isnull=True)
                    | (~models.Q(scope_level=COUNTRY) & models.Q(unit__isnull=False))
                ),
                name="orgs_grant_scope_has_unit",
            ),
        ]

    def __str__(self):
        where = self.unit.name if self.unit_id else _("whole country")
        return f"{self.user} · {self.get_role_display()} · {where}"

    def scope(self) -> Scope:
        if self.scope_level == COUNTRY:
            return Scope(everywhere=True)
        if self.scope_level == PROVINCE:
            return Scope(province_ids=frozenset({self.unit_id}))
        return Scope(commune_ids=frozenset({self.unit_id}))


class ApiToken(Audited, TimeStampedModel):
    """A bearer token for integrations. Only a SHA-256 hash is stored; the key is shown once."""

    SCOPE_UNIT_PATH = "user__agency__unit"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def usable(self) -> bool:
        return not self.revoked and (self.expires_at is None or self.expires_at > timezone.now())


class SignedInSession(models.Model):
    """A browser session a user signed in with, so they can see where they are signed in and end a
    session remotely (issue 10.3). The address and browser are personal data kept only while the
    session lives: the row goes with the session (sign-out, remote sign-out, expiry sweep)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"


class OfficeHolder(Audited, ValidityMixin):
    """Who holds an office of an agency (its head or a deputy), with the dates: the signature block of
    the agency's documents names the holder of the day, never one of a body that no longer exists."""

    SCOPE_UNIT_PATH = "agency__unit"

    class Role(models.TextChoices):
        HEAD = "head", _("head of the agency")
        DEPUTY = "deputy", _("deputy head")

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="office_holders", verbose_name=_("agency")
    )
    role = models.CharField(_("office"), max_length=10, choices=Role.choices, default=Role.HEAD)
    title = models.CharField(
        _("title"), max_length=120, help_text=_("As written above the signature, e.g. Bộ trưởng, Phó Chủ tịch.")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    signs_reports = models.BooleanField(
        _("signs reports"),
        default=False,
        help_text=_("Signs the agency's reports (reviews, progress reports); when nobody does, the head signs."),
    )

    class Meta:
        verbose_name = _("office holder")
        verbose_name_plural = _("office holders")
        ordering = ["agency", "role", "-valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="orgs_office_holder_dates",
            ),
        ]

    def __str__(self):
        return f"{self.agency.code} · {self.title}"
