from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class CriterionOut(Schema):
    id: int
    code: str
    name: str
    max_points: Decimal
    kind: str
    source: str
    evidence_required: str


class GroupOut(Schema):
    id: int
    code: str
    name: str
    max_points: Decimal
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_criteria(obj):
        return list(obj.criteria.all())


class RuleOut(Schema):
    id: int
    code: str
    name: str
    points: Decimal
    max_points: Decimal | None
    condition: str


class SheetOut(Schema):
    id: int
    programme: str = Field(..., alias="programme.code")
    year: int
    name: str
    applies_to: str
    bonus_max: Decimal
    deduction_max: Decimal | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    note: str


class SheetDetailOut(SheetOut):
    groups: list[GroupOut]
    bonus_rules: list[RuleOut]
    deduction_rules: list[RuleOut]

    @staticmethod
    def resolve_groups(obj):
        return list(obj.groups.all())

    @staticmethod
    def resolve_bonus_rules(obj):
        return list(obj.bonusrules.all())

    @staticmethod
    def resolve_deduction_rules(obj):
        return list(obj.deductionrules.all())


class ScorecardOut(Schema):
    id: int
    sheet_id: int
    year: int
    subject: str
    agency: str | None
    unit: str | None
    base_points: Decimal
    bonus_points: Decimal
    deduction_points: Decimal
    total_points: Decimal
    computed_at: dt.datetime | None

    @staticmethod
    def resolve_subject(obj):
        return obj.subject_name

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.code if obj.agency_id else None

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code if obj.unit_id else None


class LineOut(Schema):
    id: int
    criterion_id: int
    criterion: str = Field(..., alias="criterion.code")
    group: str = Field(..., alias="criterion.group.code")
    max_points: Decimal = Field(..., alias="criterion.max_points")
    kind: str = Field(..., alias="criterion.kind")
    auto_available: bool
    auto_numerator: int | None
    auto_denominator: int | None
    auto_points: Decimal | None
    auto_detail: str
    self_score: Decimal | None
    self_evidence: str
    bloc_score: Decimal | None
    bloc_note: str
    adjusted_points: Decimal | None
    points: Decimal
    basis: str


class AdjustmentOut(Schema):
    id: int
    kind: str
    criterion: str | None
    rule: str | None
    count: int
    points: Decimal
    reason: str
    by: str = Field(..., alias="by.username")
    at: dt.datetime
    withdrawn_at: dt.datetime | None
    withdrawn_reason: str

    @staticmethod
    def resolve_criterion(obj):
        return obj.line.criterion.code if obj.line_id else None

    @staticmethod
    def resolve_rule(obj):
        return obj.rule.code if obj.rule else None


class ScorecardDetailOut(ScorecardOut):
    lines: list[LineOut]
    adjustments: list[AdjustmentOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("criterion__group"))

    @staticmethod
    def resolve_adjustments(obj):
        return list(obj.adjustments.select_related("line__criterion", "bonus_rule", "deduction_rule", "by"))


class ScorecardIn(Schema):
    sheet_id: int
    agency: str | None = None
    unit: str | None = None


class ScoreIn(Schema):
    """Self-score (with evidence) or bloc score (with a note when it differs from the self-score)."""

    stage: str = Field(..., description="self | bloc")
    points: str
    evidence: str = ""
    note: str = ""


class AdjustIn(Schema):
    kind: str = Field(..., description="line | bonus | deduction")
    reason: str = ""
    criterion_id: int | None = None
    points: str | None = None
    rule: str | None = Field(None, description="code of a bonus or deduction rule of the sheet")
    count: int = 1


class RankOut(Schema):
    rank: int
    scorecard: ScorecardOut


class AwardTitleOut(Schema):
    code: str
    name_vi: str
    name_en: str
    level: str
    kind: str
    source: str


class ProposalOut(Schema):
    id: int
    scorecard_id: int
    subject: str
    title: str = Field(..., alias="title.code")
    title_name: str = Field(..., alias="title.name_vi")
    justification: str
    state: str
    proposed_by: str = Field(..., alias="proposed_by.username")
    decided_at: dt.datetime | None
    decision_note: str

    @staticmethod
    def resolve_subject(obj):
        return obj.scorecard.subject_name


class ProposalIn(Schema):
    scorecard_id: int
    title: str
    justification: str = ""


class ProposalActionIn(Schema):
    action: str = Field(..., description="submit | approve | reject")
    note: str = ""
