"""Scoping proof: officers of Tuyên Quang (08) can neither see nor change Lào Cai's (15) scorecards,
adjustments and proposals, through pages or the API; Lào Cai's officers and the coordinator can.

The intruders include a Tuyên Quang user who *does* hold the scoring capability (a coordinator role for
province 08), so the refusals come from the area, not merely from a missing capability.
"""

import re

import pytest

from ketnoi.emulation import services
from ketnoi.emulation.models import AwardProposal, AwardTitle, BonusRule, ScoreAdjustment, Scorecard, ScoreSheet

from .conftest import D, agency, line_of
from .matrix_entries import MATRIX

INTRUDERS = ["xa.dongvan", "tinh.tuyenquang", "tq_scorer"]


@pytest.fixture
def lao_cai(cards, users):
    """Lào Cai's card with a self-score, an adjustment and a proposal."""
    card, coordinator = cards["15"], users["dieuphoi"]
    services.line_self_score(user=coordinator, line=line_of(card, "PT1"), points="4", evidence="Bằng chứng Lào Cai")
    adjustment = services.scorecard_adjust(
        user=coordinator,
        scorecard=card,
        kind="bonus",
        rule=BonusRule.objects.get(sheet=card.sheet, code="C1"),
        reason="Sáng kiến Lào Cai",
    )
    proposal = services.proposal_create(
        user=coordinator, scorecard=card, title=AwardTitle.objects.get(code="CO-BO"), justification="Lào Cai dẫn đầu"
    )
    card.refresh_from_db()
    return {"card": card, "commune": cards["03037"], "adjustment": adjustment, "proposal": proposal}


def _as(login, client, tq_scorer, who):
    if who == "tq_scorer":
        client.force_login(tq_scorer)
        return client
    return login(who)


def _unchanged(target):
    card = Scorecard.objects.get(pk=target["card"].pk)
    assert card.total_points == target["card"].total_points
    assert line_of(card, "PT1").self_score == D(4) and line_of(card, "NV2").self_score is None
    assert ScoreAdjustment.objects.filter(scorecard=card).count() == 1
    assert ScoreAdjustment.objects.get(pk=target["adjustment"].pk).withdrawn_at is None
    assert AwardProposal.objects.get(pk=target["proposal"].pk).state == "draft"
    assert AwardProposal.objects.count() == 1


@pytest.mark.parametrize("who", INTRUDERS)
def test_pages_hide_and_protect_lao_cai_scorecards(login, client, tq_scorer, who, lao_cai, sheet, cards):
    browser = _as(login, client, tq_scorer, who)
    card, commune, proposal = lao_cai["card"], lao_cai["commune"], lao_cai["proposal"]
    names = [card.subject_name, commune.subject_name]
    for path in (f"/emulation/sheets/{sheet.pk}/", f"/emulation/sheets/{sheet.pk}/ranking/", "/emulation/proposals/"):
        page = browser.get(path)
        assert page.status_code == 200
        assert not any(name in page.content.decode() for name in names), path
    own = cards["00721"].subject_name  # Đồng Văn, in every intruder's own area
    assert own in browser.get(f"/emulation/sheets/{sheet.pk}/ranking/").content.decode()
    for target in (card, commune):
        assert browser.get(f"/emulation/scorecards/{target.pk}/").status_code == 404
        assert browser.post(f"/emulation/scorecards/{target.pk}/recompute/").status_code == 404
        line = line_of(target, "NV2")
        response = browser.post(
            f"/emulation/scorecards/{target.pk}/lines/{line.pk}/", {"stage": "self", "points": "9", "evidence": "x"}
        )
        assert response.status_code == 404
        response = browser.post(
            f"/emulation/scorecards/{target.pk}/adjust/",
            {"kind": "line", "line": line.pk, "points": "1", "reason": "xâm nhập"},
        )
        assert response.status_code == 404
        title = AwardTitle.objects.get(code="TTLDXS")
        response = browser.post(
            f"/emulation/scorecards/{target.pk}/propose/", {"title": title.pk, "justification": "xâm nhập"}
        )
        assert response.status_code == 404
    assert (
        browser.post(f"/emulation/adjustments/{lao_cai['adjustment'].pk}/withdraw/", {"reason": "x"}).status_code == 404
    )
    assert browser.get(f"/emulation/proposals/{proposal.pk}/").status_code == 404
    assert browser.post(f"/emulation/proposals/{proposal.pk}/", {"action": "submit"}).status_code == 404
    other = ScoreSheet.objects.create(programme=sheet.programme, year=sheet.year, name="Khối khác", applies_to="units")
    assert browser.post(f"/emulation/sheets/{other.pk}/open/", {"subject": "15"}).status_code == 403
    assert not Scorecard.objects.filter(sheet=other).exists()
    _unchanged(lao_cai)


def test_the_intruder_can_score_in_their_own_area(client, tq_scorer, cards):
    """Control for tq_scorer: the same forms work on a Tuyên Quang commune."""
    client.force_login(tq_scorer)
    card = cards["00721"]
    line = line_of(card, "NV2")
    response = client.post(
        f"/emulation/scorecards/{card.pk}/lines/{line.pk}/", {"stage": "self", "points": "9", "evidence": "Báo cáo"}
    )
    assert response.status_code == 302
    assert line_of(card, "NV2").self_score == D(9)


def test_owners_see_what_intruders_cannot(login, lao_cai, agency_sheet, users):
    card, commune, proposal = lao_cai["card"], lao_cai["commune"], lao_cai["proposal"]
    province_officer = login("tinh.laocai")
    page = province_officer.get(f"/emulation/scorecards/{card.pk}/")
    assert page.status_code == 200 and "Bằng chứng Lào Cai" in page.content.decode()
    assert province_officer.get(f"/emulation/scorecards/{commune.pk}/").status_code == 200
    assert "Lào Cai dẫn đầu" in province_officer.get(f"/emulation/proposals/{proposal.pk}/").content.decode()
    commune_officer = login("xa.tavan")
    assert commune_officer.get(f"/emulation/scorecards/{commune.pk}/").status_code == 200
    assert commune_officer.get(f"/emulation/scorecards/{card.pk}/").status_code == 404  # the province is above
    coordinator = login("dieuphoi")
    line = line_of(card, "NV2")
    response = coordinator.post(
        f"/emulation/scorecards/{card.pk}/lines/{line.pk}/", {"stage": "self", "points": "9", "evidence": "Báo cáo"}
    )
    assert response.status_code == 302 and line_of(card, "NV2").self_score == D(9)


def test_central_agency_cards_are_visible_to_country_scope_only(login, agency_sheet, users):
    card = services.scorecard_open(user=users["dieuphoi"], sheet=agency_sheet, agency=agency("BVHTTDL"))
    assert login("tinh.laocai").get(f"/emulation/scorecards/{card.pk}/").status_code == 404
    assert login("dieuphoi").get(f"/emulation/scorecards/{card.pk}/").status_code == 200
    assert login("canbo.bvhttdl").get(f"/emulation/scorecards/{card.pk}/").status_code == 200  # country-wide view


def test_only_country_scope_loads_sheets(login, plan):
    response = login("tinh.laocai").post(
        "/emulation/sheets/load-default/", {"programme": plan.code, "year": "2025", "applies_to": "units"}
    )
    assert response.status_code == 403 and not ScoreSheet.objects.exists()
    response = login("dieuphoi").post(
        "/emulation/sheets/load-default/", {"programme": plan.code, "year": "2025", "applies_to": "units"}
    )
    assert response.status_code == 302 and ScoreSheet.objects.filter(programme=plan, year=2025).count() == 1


# ---- API ----------------------------------------------------------------------------------------


def _caller(api, tq_scorer, who):
    return api(tq_scorer if who == "tq_scorer" else who)


@pytest.mark.parametrize("who", INTRUDERS)
def test_api_hides_and_protects_lao_cai_scorecards(api, tq_scorer, who, lao_cai, sheet):
    call = _caller(api, tq_scorer, who)
    card, commune, proposal = lao_cai["card"], lao_cai["commune"], lao_cai["proposal"]
    ids = {card.pk, commune.pk}
    listed = call("get", "/api/v1/emulation/scorecards", {"sheet": sheet.pk}).json()["items"]
    assert not ids & {c["id"] for c in listed}
    ranked = call("get", f"/api/v1/emulation/sheets/{sheet.pk}/ranking").json()
    assert not ids & {row["scorecard"]["id"] for row in ranked}
    assert proposal.pk not in {p["id"] for p in call("get", "/api/v1/emulation/proposals").json()["items"]}
    for target in (card, commune):
        base = f"/api/v1/emulation/scorecards/{target.pk}"
        line = line_of(target, "NV2")
        assert call("get", base).status_code == 404
        assert call("post", f"{base}/recompute").status_code == 404
        assert (
            call("post", f"{base}/lines/{line.pk}", {"stage": "self", "points": "9", "evidence": "x"}).status_code
            == 404
        )
        response = call(
            "post", f"{base}/adjust", {"kind": "line", "criterion_id": line.criterion_id, "points": "1", "reason": "x"}
        )
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
        response = call(
            "post", "/api/v1/emulation/proposals", {"scorecard_id": target.pk, "title": "TTLDXS", "justification": "x"}
        )
        assert response.status_code == 404
    assert call("get", f"/api/v1/emulation/proposals/{proposal.pk}").status_code == 404
    assert call("post", f"/api/v1/emulation/proposals/{proposal.pk}/action", {"action": "submit"}).status_code == 404
    other = ScoreSheet.objects.create(programme=sheet.programme, year=sheet.year, name="Khối khác", applies_to="units")
    assert call("post", "/api/v1/emulation/scorecards", {"sheet_id": other.pk, "unit": "15"}).status_code == 403
    assert not Scorecard.objects.filter(sheet=other).exists()
    _unchanged(lao_cai)


def test_api_owner_positive_control(api, lao_cai, sheet):
    card = lao_cai["card"]
    call = api("tinh.laocai")
    detail = call("get", f"/api/v1/emulation/scorecards/{card.pk}").json()
    assert detail["unit"] == "15" and {line["criterion"] for line in detail["lines"]} >= {"NV1", "BC1", "PT1"}
    assert card.pk in {
        row["scorecard"]["id"] for row in call("get", f"/api/v1/emulation/sheets/{sheet.pk}/ranking").json()
    }
    coordinator = api("dieuphoi")
    line = line_of(card, "NV2")
    scored = coordinator(
        "post",
        f"/api/v1/emulation/scorecards/{card.pk}/lines/{line.pk}",
        {"stage": "self", "points": "9", "evidence": "Báo cáo"},
    )
    assert scored.status_code == 200 and scored.json()["points"] == "9.00"


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_every_emulation_url_needs_sign_in(client, route):
    """Anonymous requests never reach the data (the site-wide matrix cannot yet fill in two-id routes)."""
    path = "/" + re.sub(r"<int:\w+>", "1", route)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if response.status_code == 405:
            continue
        if route.startswith("api/"):
            assert response.status_code == 401, (method, path)
        else:
            assert response.status_code == 302 and response["Location"].startswith("/login/"), (method, path)
