"""Read queries of emulation. Sheets and award titles are shared; scorecards and proposals are scoped by the
scored unit (a central agency's card is visible to country scope only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from ketnoi.core.roles import PROGRAMMES_VIEW
from ketnoi.core.scoping import restrict

from .models import AwardProposal, AwardTitle, CriteriaGroup, Criterion, Scorecard, ScoreSheet


def sheet_list(*, programme=None, year: int | None = None) -> QuerySet[ScoreSheet]:
    sheets = ScoreSheet.objects.select_related("programme__document")
    if programme is not None:
        sheets = sheets.filter(programme=programme)
    if year:
        sheets = sheets.filter(year=year)
    return sheets


def sheet_get(*, pk: int) -> ScoreSheet:
    groups = CriteriaGroup.objects.prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("order")))
    return sheet_list().prefetch_related(Prefetch("groups", queryset=groups), "bonusrules", "deductionrules").get(pk=pk)


def scorecard_list_for_user(*, user, sheet: ScoreSheet | None = None) -> QuerySet[Scorecard]:
    cards = restrict(
        Scorecard.objects.select_related("sheet__programme", "agency", "unit__province"), user, PROGRAMMES_VIEW
    )
    if sheet is not None:
        cards = cards.filter(sheet=sheet)
    return cards.order_by("-total_points", "subject_key")


def scorecard_get_for_user(*, user, pk: int) -> Scorecard:
    """Raises Scorecard.DoesNotExist for a card outside the user's area (pages and API answer 404)."""
    return scorecard_list_for_user(user=user).prefetch_related("lines__criterion__group").get(pk=pk)


@dataclass
class RankRow:
    rank: int
    scorecard: Scorecard


def ranking(*, user, sheet: ScoreSheet) -> list[RankRow]:
    """Cards of a sheet the user can see, best first; equal final scores share a rank (1, 2, 2, 4)."""
    rows: list[RankRow] = []
    previous = None
    for position, card in enumerate(scorecard_list_for_user(user=user, sheet=sheet), start=1):
        rank = rows[-1].rank if previous is not None and card.total_points == previous else position
        rows.append(RankRow(rank, card))
        previous = card.total_points
    return rows


def award_title_list(*, level: str | None = None) -> QuerySet[AwardTitle]:
    titles = AwardTitle.objects.all()
    if level:
        titles = titles.filter(level=level)
    return titles


def proposal_list_for_user(*, user, state: str | None = None, sheet=None) -> QuerySet[AwardProposal]:
    proposals = restrict(
        AwardProposal.objects.select_related(
            "scorecard__sheet", "scorecard__agency", "scorecard__unit", "title", "proposed_by"
        ),
        user,
        PROGRAMMES_VIEW,
    )
    if state:
        proposals = proposals.filter(state=state)
    if sheet is not None:
        proposals = proposals.filter(scorecard__sheet=sheet)
    return proposals


def proposal_get_for_user(*, user, pk: int) -> AwardProposal:
    return proposal_list_for_user(user=user).get(pk=pk)
