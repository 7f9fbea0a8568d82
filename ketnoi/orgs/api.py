import datetime as dt

from django.conf import settings
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from ketnoi.core.api import Page
from ketnoi.core.audit import record_personal_view
from ketnoi.core.roles import AUDIT_VIEW
from ketnoi.core.scoping import require

from . import selectors, services
from .models import ApiToken

router = Router(tags=["agencies, users and audit"])


class AgencyRef(Schema):
    code: str
    name_vi: str


class AgencyOut(Schema):
    code: str
    name_vi: str
    name_en: str
    short_name: str
    kind: str
    parent: AgencyRef | None = None
    unit_code: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successors: list[AgencyRef]
    predecessors: list[AgencyRef]

    @staticmethod
    def resolve_unit_code(obj):
        return obj.unit.code if obj.unit_id else None

    @staticmethod
    def resolve_successors(obj):
        return list(obj.successors.all())

    @staticmethod
    def resolve_predecessors(obj):
        return list(obj.predecessors.all())


class GrantOut(Schema):
    role: str
    scope_level: str
    unit_code: str | None

    @staticmethod
    def resolve_unit_code(obj):
        return obj.unit.code if obj.unit_id else None


class UserOut(Schema):
    username: str
    full_name: str
    email: str
    agency: AgencyRef | None = None
    is_active: bool
    grants: list[GrantOut]

    @staticmethod
    def resolve_email(obj, context):
        """A colleague's e-mail address is personal data: showing it is logged once per request."""
        record_personal_view(obj, fields=("email",), request=(context or {}).get("request"))
        return obj.email

    @staticmethod
    def resolve_grants(obj):
        return list(obj.role_grants.all())


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor_name: str
    action: str
    model: str
    object_pk: str
    object_repr: str
    before: dict | None
    after: dict | None
    source: str


class TokenIn(Schema):
    name: str = Field(max_length=100)
    days_valid: int = Field(365, ge=1, le=settings.API_TOKEN_MAX_DAYS, description="Every token expires")


class TokenOut(Schema):
    name: str
    prefix: str
    expires_at: dt.datetime | None
    key: str | None = None


@router.get("/agencies", response=list[AgencyOut])
@paginate(Page)
def list_agencies(request, q: str = "", kind: str | None = None, active: bool = False, province: str | None = None):
    return selectors.agency_search(query=q, kind=kind, active_only=active, province_code=province).prefetch_related(
        "successors", "predecessors"
    )


@router.get("/agencies/{code}", response=AgencyOut)
def get_agency(request, code: str):
    return selectors.agency_get(code=code)


@router.get("/me", response=UserOut)
def me(request):
    return request.user


@router.get("/users", response=list[UserOut])
@paginate(Page)
def list_users(request, q: str = ""):
    return selectors.user_list_for_user(user=request.user, query=q)


@router.get("/audit", response=list[AuditOut])
@paginate(Page)
def list_audit(request, model: str | None = None, action: str | None = None):
    if not request.user.has_capability(AUDIT_VIEW):
        require(request.user, AUDIT_VIEW, None)
    return selectors.audit_list_for_user(user=request.user, model=model, action=action)


@router.post("/tokens", response={201: TokenOut})
def create_token(request, payload: TokenIn):
    token, key = services.token_create(user=request.user, name=payload.name, days_valid=payload.days_valid)
    return Status(201, {"name": token.name, "prefix": token.prefix, "expires_at": token.expires_at, "key": key})


@router.delete("/tokens/{prefix}", response={204: None})
def revoke_token(request, prefix: str):
    token = get_object_or_404(ApiToken, user=request.user, prefix=prefix)
    services.token_revoke(user=request.user, token=token)
    return Status(204, None)
