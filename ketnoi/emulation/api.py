"""Emulation API: score sheets, scorecards (list, detail, open, recompute, score, adjust), ranking, proposals."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from ketnoi.core.api import Page
from ketnoi.geo.models import AdminUnit
from ketnoi.orgs.models import Agency

from . import selectors, services
from .models import AwardTitle, BonusRule, DeductionRule, ScoreAdjustment, ScoreSheet
from .schemas import (
    AdjustIn,
    AdjustmentOut,
    AwardTitleOut,
    LineOut,
    ProposalActionIn,
    ProposalIn,
    ProposalOut,
    RankOut,
    ScorecardDetailOut,
    ScorecardIn,
    ScorecardOut,
    ScoreIn,
    SheetDetailOut,
    SheetOut,
)

router = Router(tags=["Emulation and rewards"])


@router.get("/emulation/sheets", response=list[SheetOut])
@paginate(Page)
def list_sheets(request, year: int | None = None):
    return selectors.sheet_list(year=year)


@router.get("/emulation/sheets/{int:sheet_id}", response=SheetDetailOut)
def get_sheet(request, sheet_id: int):
    return selectors.sheet_get(pk=sheet_id)


@router.get("/emulation/sheets/{int:sheet_id}/ranking", response=list[RankOut])
def sheet_ranking(request, sheet_id: int):
    """Scorecards you can see, best first; equal final scores share a rank."""
    sheet = selectors.sheet_get(pk=sheet_id)
    return [{"rank": row.rank, "scorecard": row.scorecard} for row in selectors.ranking(user=request.user, sheet=sheet)]


@router.get("/emulation/scorecards", response=list[ScorecardOut])
@paginate(Page)
def list_scorecards(request, sheet: int | None = None):
    sheet_obj = get_object_or_404(ScoreSheet, pk=sheet) if sheet else None
    return selectors.scorecard_list_for_user(user=request.user, sheet=sheet_obj)


@router.post("/emulation/scorecards", response={201: ScorecardDetailOut})
def open_scorecard(request, payload: ScorecardIn):
    sheet = get_object_or_404(ScoreSheet, pk=payload.sheet_id)
    agency = get_object_or_404(Agency, code=payload.agency) if payload.agency else None
    unit = None
    if payload.unit:
        units = AdminUnit.objects.filter(structure="current", level__in=["province", "commune"])
        unit = units.filter(code=payload.unit).first()
        if unit is None:
            message = _("%(code)s is not a current province or commune code.") % {"code": payload.unit}
            raise ValidationError({"unit": message})
    return Status(201, services.scorecard_open(user=request.user, sheet=sheet, agency=agency, unit=unit))


@router.get("/emulation/scorecards/{int:scorecard_id}", response=ScorecardDetailOut)
def get_scorecard(request, scorecard_id: int):
    return selectors.scorecard_get_for_user(user=request.user, pk=scorecard_id)


@router.post("/emulation/scorecards/{int:scorecard_id}/recompute", response=ScorecardDetailOut)
def recompute_scorecard(request, scorecard_id: int):
    card = selectors.scorecard_get_for_user(user=request.user, pk=scorecard_id)
    return services.scorecard_recompute(user=request.user, scorecard=card)


@router.post("/emulation/scorecards/{int:scorecard_id}/lines/{int:line_id}", response=LineOut)
def score_line(request, scorecard_id: int, line_id: int, payload: ScoreIn):
    card = selectors.scorecard_get_for_user(user=request.user, pk=scorecard_id)
    line = card.lines.select_related("criterion__group").get(pk=line_id)
    if payload.stage == "self":
        return services.line_self_score(user=request.user, line=line, points=payload.points, evidence=payload.evidence)
    if payload.stage == "bloc":
        return services.line_bloc_score(user=request.user, line=line, points=payload.points, note=payload.note)
    raise ValidationError({"stage": _("The stage must be self or bloc.")})


@router.post("/emulation/scorecards/{int:scorecard_id}/adjust", response={201: AdjustmentOut})
def adjust_scorecard(request, scorecard_id: int, payload: AdjustIn):
    """kind=line: override a criterion's points; kind=bonus|deduction: apply a rule `count` times. A reason is
    required."""
    card = selectors.scorecard_get_for_user(user=request.user, pk=scorecard_id)
    line = rule = None
    if payload.kind == ScoreAdjustment.Kind.LINE and payload.criterion_id is not None:
        line = card.lines.filter(criterion_id=payload.criterion_id).first()
    if payload.kind == ScoreAdjustment.Kind.BONUS and payload.rule:
        rule = BonusRule.objects.filter(sheet=card.sheet, code=payload.rule).first()
    if payload.kind == ScoreAdjustment.Kind.DEDUCTION and payload.rule:
        rule = DeductionRule.objects.filter(sheet=card.sheet, code=payload.rule).first()
    adjustment = services.scorecard_adjust(
        user=request.user,
        scorecard=card,
        kind=payload.kind,
        reason=payload.reason,
        line=line,
        points=payload.points,
        rule=rule,
        count=payload.count,
    )
    return Status(201, adjustment)


@router.get("/emulation/award-titles", response=list[AwardTitleOut])
def list_award_titles(request, level: str | None = None):
    return selectors.award_title_list(level=level)


@router.get("/emulation/proposals", response=list[ProposalOut])
@paginate(Page)
def list_proposals(request, state: str | None = None):
    return selectors.proposal_list_for_user(user=request.user, state=state)


@router.post("/emulation/proposals", response={201: ProposalOut})
def create_proposal(request, payload: ProposalIn):
    card = selectors.scorecard_get_for_user(user=request.user, pk=payload.scorecard_id)
    title = AwardTitle.objects.filter(code=payload.title).first()
    if title is None:
        raise ValidationError({"title": _("Unknown award title %(code)s.") % {"code": payload.title}})
    proposal = services.proposal_create(
        user=request.user, scorecard=card, title=title, justification=payload.justification
    )
    return Status(201, proposal)


@router.get("/emulation/proposals/{int:proposal_id}", response=ProposalOut)
def get_proposal(request, proposal_id: int):
    return selectors.proposal_get_for_user(user=request.user, pk=proposal_id)


@router.post("/emulation/proposals/{int:proposal_id}/action", response=ProposalOut)
def act_on_proposal(request, proposal_id: int, payload: ProposalActionIn):
    """submit (draft → submitted); approve or reject (submitted → approved/rejected; a rejection needs a note)."""
    proposal = selectors.proposal_get_for_user(user=request.user, pk=proposal_id)
    if payload.action == "submit":
        return services.proposal_submit(user=request.user, proposal=proposal)
    if payload.action in ("approve", "reject"):
        return services.proposal_decide(
            user=request.user, proposal=proposal, approve=payload.action == "approve", note=payload.note
        )
    raise ValidationError({"action": _("The action must be submit, approve or reject.")})
