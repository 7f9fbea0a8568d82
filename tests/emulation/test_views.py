"""Pages and API of emulation: what they show, and bad input refused with a clear message, nothing written."""

from ketnoi.emulation.models import AwardProposal, AwardTitle, BonusRule, ScoreAdjustment, Scorecard, ScoreSheet

from .conftest import D, line_of

# ---- pages ----------------------------------------------------------------------------------------


def test_sheet_pages_show_the_criteria_and_the_example_note(login, sheet, cards):
    client = login("dieuphoi")
    listing = client.get("/emulation/sheets/").content.decode()
    assert sheet.name in listing and "Load the default score sheet" in listing
    detail = client.get(f"/emulation/sheets/{sheet.pk}/").content.decode()
    assert "Gửi báo cáo định kỳ đúng hạn" in detail and "[M]" in detail
    assert cards["15"].subject_name in detail and "Open a scorecard" in detail
    assert "Load the default score sheet" not in login("tinh.laocai").get("/emulation/sheets/").content.decode()


def test_scorecard_page_shows_automatic_values_and_forms(login, cards):
    card = cards["15"]
    page = login("dieuphoi").get(f"/emulation/scorecards/{card.pk}/").content.decode()
    assert "3 of 4 tasks assigned to the unit are done" in page and "37.50" in page
    assert "Adjust a criterion" in page and "Add a deduction" in page and "Propose" in page
    readonly = login("bientap.laocai").get(f"/emulation/scorecards/{card.pk}/").content.decode()
    assert "37.50" in readonly and "Adjust a criterion" not in readonly and "Enter a score" not in readonly


def test_page_refuses_an_adjustment_without_a_reason(login, cards):
    card = cards["15"]
    line = line_of(card, "NV1")
    response = login("dieuphoi").post(
        f"/emulation/scorecards/{card.pk}/adjust/", {"kind": "line", "line": line.pk, "points": "45", "reason": " "}
    )
    assert response.status_code == 422
    assert "Give the reason for the adjustment." in response.content.decode()
    assert not ScoreAdjustment.objects.exists() and line_of(card, "NV1").points == D("37.50")


def test_page_refuses_points_above_the_maximum_naming_the_criterion(login, cards):
    card = cards["15"]
    line = line_of(card, "PT1")
    response = login("dieuphoi").post(
        f"/emulation/scorecards/{card.pk}/lines/{line.pk}/", {"stage": "self", "points": "6", "evidence": "Kế hoạch"}
    )
    assert response.status_code == 422
    assert "PT1: 6 is above the maximum of 5.00 points for PT1." in response.content.decode()
    assert line_of(card, "PT1").self_score is None


def test_page_bonus_and_ranking(login, cards, sheet):
    card = cards["15"]
    client = login("dieuphoi")
    rule = BonusRule.objects.get(sheet=sheet, code="C2")
    response = client.post(
        f"/emulation/scorecards/{card.pk}/adjust/",
        {"kind": "bonus", "rule": rule.pk, "count": "1", "reason": "Vượt chỉ tiêu phát thanh"},
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.bonus_points == D(2)
    ranking = client.get(f"/emulation/sheets/{sheet.pk}/ranking/").content.decode()
    assert ranking.index(card.subject_name) < ranking.index(cards["00721"].subject_name)


def test_page_proposal_workflow(login, cards):
    card = cards["15"]
    client = login("dieuphoi")
    title = AwardTitle.objects.get(code="TTLDXS")
    response = client.post(f"/emulation/scorecards/{card.pk}/propose/", {"title": title.pk, "justification": " "})
    assert response.status_code == 422 and not AwardProposal.objects.exists()
    response = client.post(
        f"/emulation/scorecards/{card.pk}/propose/", {"title": title.pk, "justification": "Hoàn thành xuất sắc"}
    )
    proposal = AwardProposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/emulation/proposals/{proposal.pk}/"
    assert client.post(f"/emulation/proposals/{proposal.pk}/", {"action": "submit"}).status_code == 302
    response = client.post(f"/emulation/proposals/{proposal.pk}/", {"action": "reject", "note": ""})
    assert response.status_code == 422 and "Give the reason for rejecting" in response.content.decode()
    assert client.post(f"/emulation/proposals/{proposal.pk}/", {"action": "approve"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "approved"
    assert "Tập thể lao động xuất sắc" in client.get("/emulation/proposals/", {"state": "approved"}).content.decode()


def test_open_scorecard_page_with_an_unknown_code(login, sheet):
    response = login("dieuphoi").post(f"/emulation/sheets/{sheet.pk}/open/", {"subject": "99999"})
    assert (
        response.status_code == 422 and "99999 is not a current province or commune code" in response.content.decode()
    )
    assert not Scorecard.objects.exists()


# ---- API --------------------------------------------------------------------------------------------


def test_api_sheets_titles_and_opening_a_scorecard(api, sheet, unit):
    call = api("dieuphoi")
    listed = call("get", "/api/v1/emulation/sheets").json()
    assert sheet.pk in {s["id"] for s in listed["items"]}
    detail = call("get", f"/api/v1/emulation/sheets/{sheet.pk}").json()
    assert [g["code"] for g in detail["groups"]] == ["NV", "BC", "KT", "PT"]
    assert {r["code"] for r in detail["deduction_rules"]} == {"T1", "T2", "T3"}
    titles = call("get", "/api/v1/emulation/award-titles", {"level": "collective"}).json()
    assert "CO-CP" in {t["code"] for t in titles} and "LDTT" not in {t["code"] for t in titles}
    created = call("post", "/api/v1/emulation/scorecards", {"sheet_id": sheet.pk, "unit": "15"})
    assert created.status_code == 201
    lines = {line["criterion"]: line for line in created.json()["lines"]}
    assert lines["NV1"]["auto_numerator"] == 3 and lines["NV1"]["auto_denominator"] == 4
    again = call("post", "/api/v1/emulation/scorecards", {"sheet_id": sheet.pk, "unit": "15"})
    assert again.status_code == 422 and "already exists" in again.json()["detail"]


def test_api_bad_points_and_missing_reason_are_problem_details(api, cards):
    card = cards["15"]
    call = api("dieuphoi")
    line = line_of(card, "PT1")
    base = f"/api/v1/emulation/scorecards/{card.pk}"
    for points, message in (("7", "above the maximum"), ("-2", "cannot be negative")):
        response = call("post", f"{base}/lines/{line.pk}", {"stage": "self", "points": points, "evidence": "x"})
        assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
        assert message in response.json()["detail"] and response.json()["errors"][0]["field"] == "points"
    response = call("post", f"{base}/adjust", {"kind": "line", "criterion_id": line.criterion_id, "points": "3"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    response = call("post", f"{base}/adjust", {"kind": "bonus", "rule": "NOPE", "reason": "x"})
    assert response.status_code == 422 and "rule of this score sheet" in response.json()["detail"]
    assert not ScoreAdjustment.objects.exists() and line_of(card, "PT1").self_score is None
    response = call("post", f"{base}/adjust", {"kind": "deduction", "rule": "T1", "count": 2, "reason": "Q2, Q3 chậm"})
    assert response.status_code == 201 and response.json()["points"] == "2.00"
    assert call("get", base).json()["deduction_points"] == "2.00"


def test_api_proposals(api, cards):
    call = api("dieuphoi")
    card = cards["15"]
    refused = call(
        "post", "/api/v1/emulation/proposals", {"scorecard_id": card.pk, "title": "LDTT", "justification": "x"}
    )
    assert refused.status_code == 422 and "for individuals" in refused.json()["detail"]
    created = call(
        "post", "/api/v1/emulation/proposals", {"scorecard_id": card.pk, "title": "CO-BO", "justification": "Dẫn đầu"}
    )
    assert created.status_code == 201 and created.json()["state"] == "draft"
    pk = created.json()["id"]
    assert call("post", f"/api/v1/emulation/proposals/{pk}/action", {"action": "submit"}).json()["state"] == "submitted"
    laocai = api("tinh.laocai")
    assert laocai("get", f"/api/v1/emulation/proposals/{pk}").json()["title"] == "CO-BO"
    assert laocai("post", f"/api/v1/emulation/proposals/{pk}/action", {"action": "approve"}).status_code == 403
    decided = call("post", f"/api/v1/emulation/proposals/{pk}/action", {"action": "reject", "note": "Chưa đủ"})
    assert decided.json()["state"] == "rejected"


def test_api_recompute(api, cards):
    card = cards["03037"]
    from ketnoi.programmes.models import TaskAssignment

    TaskAssignment.objects.filter(unit=card.unit).update(status="done")
    response = api("dieuphoi")("post", f"/api/v1/emulation/scorecards/{card.pk}/recompute")
    lines = {line["criterion"]: line for line in response.json()["lines"]}
    assert lines["NV1"]["points"] == "50.00" and lines["NV1"]["auto_numerator"] == 2
    assert api("bientap.laocai")("post", f"/api/v1/emulation/scorecards/{card.pk}/recompute").status_code == 403
    assert ScoreSheet.objects.count() == 1
