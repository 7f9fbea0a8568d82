"""Pages of emulation and rewards: thin views over selectors and services; plain forms, no JavaScript needed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketnoi.core.paging import paginate
from ketnoi.core.roles import EMULATION_SCORE
from ketnoi.core.scoping import allows, user_scope
from ketnoi.geo.models import AdminUnit
from ketnoi.orgs.models import Agency
from ketnoi.programmes.selectors import programme_list

from . import selectors, services
from .models import AwardProposal, AwardTitle, BonusRule, DeductionRule, ScoreAdjustment, ScoreSheet


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


def _sheet_or_404(pk) -> ScoreSheet:
    try:
        return selectors.sheet_get(pk=pk)
    except ScoreSheet.DoesNotExist:
        raise Http404 from None


def _card_or_404(user, pk):
    try:
        return selectors.scorecard_get_for_user(user=user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


def _can_score_anywhere(user) -> bool:
    return not user_scope(user, EMULATION_SCORE).empty


@login_required
def sheet_list(request):
    context = {
        "sheets": selectors.sheet_list(),
        "can_load": user_scope(request.user, EMULATION_SCORE).everywhere,
        "programmes": programme_list(),
        "applies_choices": ScoreSheet.AppliesTo.choices,
    }
    return render(request, "emulation/sheet_list.html", context)


@login_required
@require_POST
def sheet_load_default(request):
    programme = programme_list().filter(code=request.POST.get("programme", "")).first()
    if programme is None:
        messages.error(request, _("Choose a programme."))
        return redirect("emulation-sheet-list")
    try:
        sheet = services.sheet_load_default(
            user=request.user,
            programme=programme,
            year=request.POST.get("year"),
            applies_to=request.POST.get("applies_to", ScoreSheet.AppliesTo.UNITS),
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("emulation-sheet-list")
    messages.success(request, _("The default score sheet was loaded."))
    return redirect("emulation-sheet-detail", pk=sheet.pk)


def _sheet_page(request, sheet, errors=None, status=200):
    context = {
        "sheet": sheet,
        "cards": paginate(request, selectors.scorecard_list_for_user(user=request.user, sheet=sheet)),
        "can_open": _can_score_anywhere(request.user),
        "errors": errors or [],
        "subject": request.POST.get("subject", ""),
    }
    return render(request, "emulation/sheet_detail.html", context, status=status)


@login_required
def sheet_detail(request, pk):
    return _sheet_page(request, _sheet_or_404(pk))


@login_required
@require_POST
def scorecard_open(request, pk):
    sheet = _sheet_or_404(pk)
    code = request.POST.get("subject", "").strip()
    agency = unit = None
    if sheet.applies_to == ScoreSheet.AppliesTo.AGENCIES:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            return _sheet_page(request, sheet, [_("Unknown agency code %(code)s.") % {"code": code}], 422)
    else:
        unit = AdminUnit.objects.filter(structure="current", level__in=["province", "commune"], code=code).first()
        if unit is None:
            return _sheet_page(
                request, sheet, [_("%(code)s is not a current province or commune code.") % {"code": code}], 422
            )
    try:
        card = services.scorecard_open(user=request.user, sheet=sheet, agency=agency, unit=unit)
    except ValidationError as exc:
        return _sheet_page(request, sheet, _errors(exc), 422)
    messages.success(request, _("Scorecard opened; the automatic inputs were computed."))
    return redirect("emulation-scorecard-detail", pk=card.pk)


@login_required
def ranking(request, pk):
    sheet = _sheet_or_404(pk)
    return render(
        request, "emulation/ranking.html", {"sheet": sheet, "rows": selectors.ranking(user=request.user, sheet=sheet)}
    )


def _scorecard_page(request, card, errors=None, status=200):
    can_score = allows(request.user, EMULATION_SCORE, card)
    groups: dict[int, dict] = {}
    for line in card.lines.select_related("criterion__group"):
        group = line.criterion.group
        entry = groups.setdefault(group.pk, {"group": group, "lines": [], "sum": 0})
        entry["lines"].append(line)
        entry["sum"] += line.points
    for entry in groups.values():
        entry["capped"] = entry["sum"] > entry["group"].max_points
        entry["points"] = min(entry["sum"], entry["group"].max_points)
    context = {
        "card": card,
        "sheet": card.sheet,
        "groups": list(groups.values()),
        "adjustments": card.adjustments.select_related("line__criterion", "bonus_rule", "deduction_rule", "by"),
        "proposals": card.proposals.select_related("title"),
        "bonus_rules": BonusRule.objects.filter(sheet=card.sheet),
        "deduction_rules": DeductionRule.objects.filter(sheet=card.sheet),
        "titles": selectors.award_title_list(level=AwardTitle.Level.COLLECTIVE),
        "can_score": can_score,
        "can_bloc": can_score and services.can_score_from_above(request.user, card),
        "errors": errors or [],
        "posted": request.POST if request.method == "POST" else {},
    }
    return render(request, "emulation/scorecard_detail.html", context, status=status)


@login_required
def scorecard_detail(request, pk):
    return _scorecard_page(request, _card_or_404(request.user, pk))


@login_required
@require_POST
def scorecard_recompute(request, pk):
    card = _card_or_404(request.user, pk)
    services.scorecard_recompute(user=request.user, scorecard=card)
    messages.success(request, _("Automatic inputs recomputed."))
    return redirect("emulation-scorecard-detail", pk=card.pk)


@login_required
@require_POST
def line_score(request, pk, line_pk):
    card = _card_or_404(request.user, pk)
    line = card.lines.select_related("criterion").filter(pk=line_pk).first()
    if line is None:
        raise Http404
    try:
        if request.POST.get("stage") == "bloc":
            services.line_bloc_score(
                user=request.user, line=line, points=request.POST.get("points"), note=request.POST.get("note", "")
            )
        else:
            services.line_self_score(
                user=request.user,
                line=line,
                points=request.POST.get("points"),
                evidence=request.POST.get("evidence", ""),
            )
    except ValidationError as exc:
        errors = [f"{line.criterion.code}: {m}" for m in _errors(exc)]
        return _scorecard_page(request, card, errors, 422)
    messages.success(request, _("Score saved."))
    return redirect("emulation-scorecard-detail", pk=card.pk)


@login_required
@require_POST
def scorecard_adjust(request, pk):
    card = _card_or_404(request.user, pk)
    kind = request.POST.get("kind", "")
    line = rule = None
    if kind == ScoreAdjustment.Kind.LINE:
        line = card.lines.filter(pk=request.POST.get("line") or 0).first()
    elif kind == ScoreAdjustment.Kind.BONUS:
        rule = BonusRule.objects.filter(sheet=card.sheet, pk=request.POST.get("rule") or 0).first()
    elif kind == ScoreAdjustment.Kind.DEDUCTION:
        rule = DeductionRule.objects.filter(sheet=card.sheet, pk=request.POST.get("rule") or 0).first()
    try:
        services.scorecard_adjust(
            user=request.user,
            scorecard=card,
            kind=kind,
            reason=request.POST.get("reason", ""),
            line=line,
            points=request.POST.get("points"),
            rule=rule,
            count=request.POST.get("count") or 1,
        )
    except ValidationError as exc:
        return _scorecard_page(request, card, _errors(exc), 422)
    messages.success(request, _("Adjustment recorded."))
    return redirect("emulation-scorecard-detail", pk=card.pk)


@login_required
@require_POST
def adjustment_withdraw(request, pk):
    adjustment = ScoreAdjustment.objects.filter(pk=pk).first()
    if adjustment is None:
        raise Http404
    card = _card_or_404(request.user, adjustment.scorecard_id)
    try:
        services.adjustment_withdraw(user=request.user, adjustment=adjustment, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        return _scorecard_page(request, card, _errors(exc), 422)
    messages.success(request, _("Adjustment withdrawn."))
    return redirect("emulation-scorecard-detail", pk=card.pk)


@login_required
@require_POST
def proposal_create(request, pk):
    card = _card_or_404(request.user, pk)
    title = AwardTitle.objects.filter(pk=request.POST.get("title") or 0).first()
    if title is None:
        return _scorecard_page(request, card, [_("Choose an award title.")], 422)
    try:
        proposal = services.proposal_create(
            user=request.user, scorecard=card, title=title, justification=request.POST.get("justification", "")
        )
    except ValidationError as exc:
        return _scorecard_page(request, card, _errors(exc), 422)
    messages.success(request, _("Proposal saved as a draft."))
    return redirect("emulation-proposal-detail", pk=proposal.pk)


@login_required
def proposal_list(request):
    state = request.GET.get("state") or None
    if state not in AwardProposal.State.values:
        state = None
    context = {
        "page": paginate(request, selectors.proposal_list_for_user(user=request.user, state=state)),
        "state": state,
        "states": AwardProposal.State.choices,
    }
    return render(request, "emulation/proposal_list.html", context)


@login_required
def proposal_detail(request, pk):
    try:
        proposal = selectors.proposal_get_for_user(user=request.user, pk=pk)
    except AwardProposal.DoesNotExist:
        raise Http404 from None
    errors = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "submit":
                services.proposal_submit(user=request.user, proposal=proposal)
            elif action in ("approve", "reject"):
                services.proposal_decide(
                    user=request.user, proposal=proposal, approve=action == "approve", note=request.POST.get("note", "")
                )
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Proposal updated."))
            return redirect("emulation-proposal-detail", pk=proposal.pk)
    context = {
        "proposal": proposal,
        "card": proposal.scorecard,
        "can_submit": proposal.state == AwardProposal.State.DRAFT and allows(request.user, EMULATION_SCORE, proposal),
        "can_decide": proposal.state == AwardProposal.State.SUBMITTED
        and user_scope(request.user, EMULATION_SCORE).everywhere,
        "errors": errors,
    }
    return render(request, "emulation/proposal_detail.html", context, status=422 if errors else 200)
