"""Scoring: automatic inputs equal what the data say, caps, manual scores, adjustments, ranking, proposals."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ketnoi.core.models import AuditEntry
from ketnoi.emulation import inputs, loaders, selectors, services
from ketnoi.emulation.models import (
    AwardProposal,
    AwardTitle,
    BonusRule,
    CriteriaGroup,
    Criterion,
    DeductionRule,
    ScoreAdjustment,
    Scorecard,
    ScoreSheet,
)
from ketnoi.orgs.models import Agency
from ketnoi.programmes.models import TaskAssignment

from .conftest import TODAY, YEAR, D, agency, line_of

# ---- data files -------------------------------------------------------------------------------


def test_default_sheet_is_loaded_from_the_file_and_marked_as_an_example(sheet):
    groups = {g.code: g.max_points for g in sheet.groups.all()}
    assert groups == {"NV": D(60), "BC": D(20), "KT": D(10), "PT": D(10)}
    assert sheet.base_max == D(100) and sheet.bonus_max == D(10)
    assert "[M]" in sheet.note and "VÍ DỤ" in sheet.note
    sources = set(Criterion.objects.filter(group__sheet=sheet, kind="automatic").values_list("source", flat=True))
    assert sources == {"task_completion", "reporting_timeliness", "inspection_findings"}
    assert sheet.valid_from == dt.date(YEAR, 1, 1) and sheet.valid_to == dt.date(YEAR, 12, 31)
    assert BonusRule.objects.filter(sheet=sheet).count() == 3 and DeductionRule.objects.filter(sheet=sheet).count() == 3


def test_loading_the_default_sheet_twice_changes_nothing(sheet, plan):
    counts = (CriteriaGroup.objects.count(), Criterion.objects.count(), BonusRule.objects.count())
    again = loaders.load_default_sheet(programme=plan, year=YEAR)
    assert again.pk == sheet.pk
    assert (CriteriaGroup.objects.count(), Criterion.objects.count(), BonusRule.objects.count()) == counts


def test_a_bad_sheet_file_is_refused_with_its_place(plan, tmp_path):
    spec = json.loads(loaders.DEFAULT_SHEET.read_text(encoding="utf-8"))
    spec["groups"][0]["criteria"][0]["max_points"] = 70  # above its group's 60
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="criterion NV1: 70 points exceed the group's 60"):
        loaders.load_default_sheet(programme=plan, year=YEAR, json_path=bad)
    assert not ScoreSheet.objects.filter(programme=plan).exists()


def test_award_titles_are_data_with_unverified_ones_marked(db):
    titles = {t.code: t for t in AwardTitle.objects.all()}
    assert titles["LDTT"].name_vi == "Lao động tiên tiến" and titles["LDTT"].level == "individual"
    assert "[M]" not in titles["LDTT"].source  # verified: Art. 24(1) of the Law
    assert titles["CO-CP"].name_vi == "Cờ thi đua của Chính phủ" and titles["CO-CP"].level == "collective"
    assert titles["HCLD3-TT"].kind == "form" and "[M]" in titles["HCLD3-TT"].source
    assert "Vì sự nghiệp phát triển các dân tộc" in titles["KNC-DT"].name_vi
    assert loaders.load_award_titles().created == 0  # the migration already loaded the file


def test_sheet_load_default_needs_country_scope(plan, users):
    with pytest.raises(PermissionDenied):
        services.sheet_load_default(user=users["tinh.laocai"], programme=plan, year=YEAR)
    with pytest.raises(ValidationError, match="outside the programme period"):
        services.sheet_load_default(user=users["dieuphoi"], programme=plan, year=2040)
    assert not ScoreSheet.objects.exists()


# ---- automatic inputs ---------------------------------------------------------------------------


def test_unit_task_completion_and_reporting_equal_the_data(cards):
    lao_cai = cards["15"]
    tasks = line_of(lao_cai, "NV1")
    assert (tasks.auto_numerator, tasks.auto_denominator) == (3, 4)
    assert tasks.auto_points == D("37.50") and tasks.points == D("37.50") and tasks.basis == "automatic"
    reports = line_of(lao_cai, "BC1")
    assert (reports.auto_numerator, reports.auto_denominator) == (1, 3)
    assert reports.auto_points == D("6.67")
    assert "1 late" in reports.auto_detail and "1 not submitted" in reports.auto_detail
    ta_van = line_of(cards["03037"], "NV1")
    assert (ta_van.auto_numerator, ta_van.auto_denominator, ta_van.auto_points) == (1, 2, D("25.00"))


def test_the_counts_follow_the_data_when_they_change(cards, users):
    lao_cai = cards["15"]
    TaskAssignment.objects.filter(unit=lao_cai.unit, status="in_progress").update(status="done")
    services.scorecard_recompute(user=users["dieuphoi"], scorecard=lao_cai, today=TODAY)
    line = line_of(lao_cai, "NV1")
    assert (line.auto_numerator, line.auto_denominator, line.points) == (4, 4, D("50.00"))
    lao_cai.refresh_from_db()
    assert lao_cai.base_points == D("66.67")  # 50 + 6.67 + 10 (no open findings) + nothing manual yet


def test_agency_task_completion_counts_led_and_coordinated_tasks(agency_sheet, users):
    card = services.scorecard_open(user=users["dieuphoi"], sheet=agency_sheet, agency=agency("BVHTTDL"), today=TODAY)
    assert card.unit is None  # a central agency: visible to country scope only
    line = line_of(card, "NV1")
    assert (line.auto_numerator, line.auto_denominator, line.auto_points) == (1, 3, D("16.67"))
    reports = line_of(card, "BC1")
    assert (reports.auto_numerator, reports.auto_denominator, reports.auto_points) == (2, 2, D("20.00"))


def test_a_successor_is_credited_with_its_predecessors_tasks(agency_sheet, users):
    card = services.scorecard_open(user=users["dieuphoi"], sheet=agency_sheet, agency=agency("BDTTG"), today=TODAY)
    line = line_of(card, "NV1")
    assert (line.auto_numerator, line.auto_denominator) == (1, 1)  # T4 was led by UBDT


def test_without_data_an_automatic_line_falls_back_to_manual_scoring(cards, users):
    card = cards["00721"]  # Đồng Văn has one task assignment but no reports
    line = line_of(card, "BC1")
    assert not line.auto_available and "score this line manually" in line.auto_detail
    services.line_self_score(user=users["dieuphoi"], line=line, points="15", evidence="Sổ theo dõi báo cáo")
    assert line_of(card, "BC1").points == D("15")


def test_the_guard_uses_the_inspections_function_when_it_exists():
    import importlib

    real = getattr(importlib.import_module("ketnoi.inspections.selectors"), "finding_counts", None)
    importlib.reload(inputs)
    try:
        assert inputs.finding_counts is real
    finally:
        importlib.reload(inputs)


def test_inspection_findings_without_the_inspections_function_are_scored_manually(cards, users, monkeypatch):
    monkeypatch.setattr(inputs, "finding_counts", None)
    card = services.scorecard_recompute(user=users["dieuphoi"], scorecard=cards["15"], today=TODAY)
    line = line_of(card, "KT1")
    assert not line.auto_available and "finding_counts" in line.auto_detail
    services.line_self_score(user=users["dieuphoi"], line=line, points="8", evidence="Biên bản kiểm tra")
    assert line_of(card, "KT1").points == D(8) and line_of(card, "KT1").basis == "self"


def test_inspection_findings_deduct_per_open_finding_of_the_unit_by_severity(cards, users, findings):
    findings.open.update({"15": {"high": 1, "low": 2}, "03037": {"critical": 1}})
    card = services.scorecard_recompute(user=users["dieuphoi"], scorecard=cards["15"], today=TODAY)
    line = line_of(card, "KT1")
    assert findings.calls[-1] == (card.sheet.programme_id, YEAR, "15")
    assert line.auto_available and line.auto_points == D("3.00")  # 10 − 5 (high) − 2 × 1 (low); communes not
    assert line_of(cards["08"], "KT1").points == D("10.00")  # no open findings
    findings.open["15"] = {"high": 4}
    services.scorecard_recompute(user=users["dieuphoi"], scorecard=card, today=TODAY)
    assert line_of(card, "KT1").points == D("0.00")  # never below zero


# ---- manual scores, caps, adjustments ----------------------------------------------------------------


def _two_line_sheet(programme, *, name="Khối thử", group_max=10):
    sheet = ScoreSheet.objects.create(programme=programme, year=YEAR, name=name, applies_to="units")
    group = CriteriaGroup.objects.create(sheet=sheet, code="G", name="Nhóm", max_points=group_max)
    Criterion.objects.create(group=group, code="C1", name="Tiêu chí 1", max_points=8)
    Criterion.objects.create(group=group, code="C2", name="Tiêu chí 2", max_points=8)
    return sheet


def test_group_totals_are_capped_at_the_group_maximum(plan, users, unit):
    sheet = _two_line_sheet(plan)
    card = services.scorecard_open(user=users["dieuphoi"], sheet=sheet, unit=unit("15"), today=TODAY)
    for code in ("C1", "C2"):
        services.line_self_score(user=users["dieuphoi"], line=line_of(card, code), points="8", evidence="Báo cáo")
    card.refresh_from_db()
    assert [line_of(card, c).points for c in ("C1", "C2")] == [D(8), D(8)]
    assert card.base_points == D(10) and card.total_points == D(10)


def test_bonus_is_capped_per_rule_and_by_the_sheet_and_deductions_subtract(cards, users):
    card, coordinator = cards["15"], users["dieuphoi"]
    rules = {r.code: r for r in BonusRule.objects.filter(sheet=card.sheet)}
    late = DeductionRule.objects.get(sheet=card.sheet, code="T1")
    services.scorecard_adjust(
        user=coordinator, scorecard=card, kind="bonus", rule=rules["C1"], count=5, reason="5 sáng kiến"
    )
    card.refresh_from_db()
    assert card.bonus_points == D(6)  # 5 × 2 = 10, capped at the rule's 6
    services.scorecard_adjust(user=coordinator, scorecard=card, kind="bonus", rule=rules["C2"], count=2, reason="x")
    services.scorecard_adjust(user=coordinator, scorecard=card, kind="bonus", rule=rules["C3"], count=3, reason="y")
    services.scorecard_adjust(user=coordinator, scorecard=card, kind="deduction", rule=late, count=2, reason="Q2, Q3")
    card.refresh_from_db()
    assert card.bonus_points == D(10)  # 6 + 4 + 3 = 13, capped at the sheet's 10
    assert card.deduction_points == D(2)
    assert card.total_points == card.base_points + D(10) - D(2)


def test_an_adjustment_without_a_reason_is_refused_and_nothing_is_written(cards, users):
    card = cards["15"]
    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="Give the reason"):
            services.scorecard_adjust(
                user=users["dieuphoi"],
                scorecard=card,
                kind="line",
                line=line_of(card, "NV1"),
                points="40",
                reason=reason,
            )
    assert not ScoreAdjustment.objects.exists()
    assert line_of(card, "NV1").points == D("37.50")


def test_a_line_adjustment_overrides_the_automatic_value_and_is_audited(cards, users):
    card = cards["15"]
    line = line_of(card, "NV1")
    adjustment = services.scorecard_adjust(
        user=users["dieuphoi"], scorecard=card, kind="line", line=line, points="45", reason="Nhiệm vụ L3 đã xong"
    )
    line = line_of(card, "NV1")
    assert line.points == D(45) and line.basis == "adjusted" and line.auto_points == D("37.50")
    entry = AuditEntry.objects.get(model="emulation.scoreadjustment", object_pk=str(adjustment.pk))
    assert entry.action == "create" and entry.after["reason"] == "Nhiệm vụ L3 đã xong"
    services.adjustment_withdraw(user=users["dieuphoi"], adjustment=adjustment, reason="Nhầm")
    assert line_of(card, "NV1").points == D("37.50")
    assert AuditEntry.objects.filter(model="emulation.scoreline", action="update").exists()


@pytest.mark.parametrize(
    ("points", "message"),
    [("11", "above the maximum of 10"), ("-1", "cannot be negative"), ("abc", "is not a number"), ("2.555", "two")],
)
def test_bad_points_are_refused(cards, users, points, message):
    line = line_of(cards["15"], "PT1")  # max 5
    pt2 = line_of(cards["15"], "NV2")  # max 10
    target = pt2 if message.startswith("above") else line
    with pytest.raises(ValidationError, match=message):
        services.line_self_score(user=users["dieuphoi"], line=target, points=points, evidence="Kế hoạch")
    with pytest.raises(ValidationError, match=message):
        services.scorecard_adjust(
            user=users["dieuphoi"], scorecard=cards["15"], kind="line", line=target, points=points, reason="r"
        )
    target.refresh_from_db()
    assert target.self_score is None and not ScoreAdjustment.objects.exists()


def test_manual_scores_need_evidence_and_cannot_replace_an_automatic_value(cards, users):
    card = cards["15"]
    with pytest.raises(ValidationError, match="evidence"):
        services.line_self_score(user=users["dieuphoi"], line=line_of(card, "PT1"), points="4", evidence=" ")
    with pytest.raises(ValidationError, match="computed from the data"):
        services.line_self_score(user=users["dieuphoi"], line=line_of(card, "NV1"), points="50", evidence="x")
    assert line_of(card, "NV1").self_score is None


def test_self_score_then_bloc_score(cards, users, tq_scorer):
    card = cards["00721"]  # a Tuyên Quang commune: the provincial scorer is the level above
    line = line_of(card, "PT1")
    services.line_self_score(user=tq_scorer, line=line, points="5", evidence="Kế hoạch phát động số 12")
    assert line_of(card, "PT1").points == D(5) and line_of(card, "PT1").basis == "self"
    with pytest.raises(ValidationError, match="say why"):
        services.line_bloc_score(user=tq_scorer, line=line_of(card, "PT1"), points="4")
    services.line_bloc_score(user=tq_scorer, line=line_of(card, "PT1"), points="4", note="Thiếu báo cáo tổng kết")
    line = line_of(card, "PT1")
    assert (line.self_score, line.bloc_score, line.points, line.basis) == (D(5), D(4), D(4), "bloc")
    # a province cannot bloc-score itself: that comes from the country level
    with pytest.raises(PermissionDenied):
        services.line_bloc_score(user=tq_scorer, line=line_of(cards["08"], "PT1"), points="4", note="n")


def test_officers_without_the_scoring_capability_cannot_score(cards, users):
    with pytest.raises(PermissionDenied):
        services.line_self_score(
            user=users["bientap.laocai"], line=line_of(cards["15"], "PT1"), points="4", evidence="x"
        )
    # A provincial officer scores their own province's self-assessment.
    services.line_self_score(user=users["tinh.laocai"], line=line_of(cards["15"], "PT1"), points="4", evidence="x")
    with pytest.raises(PermissionDenied):
        services.scorecard_recompute(user=users["xa.tavan"], scorecard=cards["03037"])


def test_a_subject_is_scored_once_per_sheet_and_must_match_the_sheet(sheet, cards, users, unit, agency_sheet):
    with pytest.raises(ValidationError, match="already exists"):
        services.scorecard_open(user=users["dieuphoi"], sheet=sheet, unit=unit("15"))
    with pytest.raises(ValidationError, match="scores agencies"):
        services.scorecard_open(user=users["dieuphoi"], sheet=agency_sheet, unit=unit("15"))
    gone = Agency.objects.create(
        code="CQ-CU", name_vi="Cơ quan đã giải thể", kind="ministry", valid_to=dt.date(2024, 12, 31), sort_key="x"
    )
    with pytest.raises(ValidationError, match="did not exist in 2025"):
        services.scorecard_open(user=users["dieuphoi"], sheet=agency_sheet, agency=gone)
    assert Scorecard.objects.count() == 4


# ---- ranking and proposals ----------------------------------------------------------------------------


def test_ranking_ties_share_a_rank(plan, users, unit):
    sheet = _two_line_sheet(plan, name="Xếp hạng")
    scores = {"15": "8", "08": "8", "51": "7"}
    for code, points in scores.items():
        card = services.scorecard_open(user=users["dieuphoi"], sheet=sheet, unit=unit(code))
        services.line_bloc_score(user=users["dieuphoi"], line=line_of(card, "C1"), points=points)
    rows = selectors.ranking(user=users["dieuphoi"], sheet=sheet)
    assert [(r.rank, r.scorecard.unit.code, r.scorecard.total_points) for r in rows][2] == (3, "51", D(7))
    assert sorted((r.rank, r.scorecard.unit.code) for r in rows[:2]) == [(1, "08"), (1, "15")]
    own = selectors.ranking(user=users["tinh.laocai"], sheet=sheet)
    assert [(r.rank, r.scorecard.unit.code) for r in own] == [(1, "15")]


def test_proposal_workflow_and_bad_input(cards, users):
    card, coordinator = cards["15"], users["dieuphoi"]
    individual = AwardTitle.objects.get(code="LDTT")
    flag = AwardTitle.objects.get(code="CO-BO")
    with pytest.raises(ValidationError, match="for individuals"):
        services.proposal_create(user=coordinator, scorecard=card, title=individual, justification="Xuất sắc")
    with pytest.raises(ValidationError, match="justification"):
        services.proposal_create(user=coordinator, scorecard=card, title=flag, justification="  ")
    assert not AwardProposal.objects.exists()
    proposal = services.proposal_create(user=coordinator, scorecard=card, title=flag, justification="Dẫn đầu khối")
    with pytest.raises(ValidationError, match="submitted"):
        services.proposal_decide(user=coordinator, proposal=proposal, approve=True)
    services.proposal_submit(user=coordinator, proposal=proposal)
    with pytest.raises(ValidationError, match="reason for rejecting"):
        services.proposal_decide(user=coordinator, proposal=proposal, approve=False)
    services.proposal_decide(user=coordinator, proposal=proposal, approve=True, note="Đồng ý")
    proposal.refresh_from_db()
    assert proposal.state == "approved" and proposal.decided_by == coordinator
    states = [e.after["state"] for e in AuditEntry.objects.filter(model="emulation.awardproposal").order_by("at", "id")]
    assert states == ["draft", "submitted", "approved"]
