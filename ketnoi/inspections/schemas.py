import datetime as dt

from ninja import Schema
from pydantic import Field


class UnitRef(Schema):
    level: str
    code: str
    name: str


class PlanOut(Schema):
    id: int
    programme: str
    year: int
    title: str
    lead_agency: str
    period_start: dt.date
    period_end: dt.date
    notes: str
    units: list[UnitRef] = Field(description="Planned units within your area")


class PlanIn(Schema):
    programme: str = Field(description="Programme code")
    year: int
    title: str = Field(min_length=1, max_length=500)
    lead_agency: str = Field(description="Agency code, e.g. BDTTG or SDTTG-15")
    units: list[str] = Field(description="NSO codes: 2 digits for a province, 5 for a commune")
    period_start: dt.date
    period_end: dt.date
    notes: str = ""


class ResultOut(Schema):
    item: str
    text: str
    result: str
    note: str


class VisitOut(Schema):
    id: int
    plan_id: int
    unit: UnitRef
    date: dt.date
    team: str
    summary: str
    checklist: str | None
    results: list[ResultOut]


class VisitIn(Schema):
    plan_id: int
    unit: str = Field(description="NSO code of the visited province or commune")
    date: dt.date
    team: str = ""
    checklist: str | None = Field(None, description="Checklist template code (default: 'default')")
    summary: str = ""


class ResultIn(Schema):
    item: str
    result: str = Field(description="compliant, not_compliant or not_applicable")
    note: str = ""


class ChecklistIn(Schema):
    results: list[ResultIn]


class CorrectiveTaskOut(Schema):
    code: str
    title: str
    due_date: dt.date | None
    status: str
    overdue: bool
    assigned_to: UnitRef | None


class FindingOut(Schema):
    id: int
    visit_id: int
    unit: UnitRef
    item: str | None
    severity: str
    description: str
    state: str
    closed_at: dt.datetime | None
    corrective_task: CorrectiveTaskOut | None
    evidence: list[dict]


class FindingIn(Schema):
    visit_id: int
    severity: str = Field(description="low, medium, high or critical")
    description: str = Field(min_length=1)
    item: str | None = Field(None, description="Checklist item code")


class CorrectiveTaskIn(Schema):
    due_date: dt.date
    title: str = ""
    content_area: str | None = Field(None, description="Content area code (default: the programme's last)")
