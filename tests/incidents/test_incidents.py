"""The register of network-information-security incidents (issue 10.6): scoped by the affected unit,
a report due by the severity's (editable) rule, a timeline, statuses in order, and indicators."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ketnoi.incidents import selectors, services
from ketnoi.incidents.models import Incident, ReportingRule
from ketnoi.orgs.services import token_create

NOW = timezone.now()


def _register(users, unit, *, who="tinh.laocai", severity="high", hours_ago=30, title="Cổng TTĐT tỉnh bị tấn công"):
    return services.incident_create(
        user=users[who], title=title, severity=severity, detected_at=NOW - dt.timedelta(hours=hours_ago), unit=unit
    )


def test_the_report_falls_due_by_the_rule_and_the_rule_is_data(users, unit):
    incident = _register(users, unit("15"))
    assert incident.code.startswith(f"SC-{incident.detected_at.year}-") and incident.code.endswith("0001")
    rule = ReportingRule.objects.get(severity="high")
    assert incident.report_due_at == incident.detected_at + dt.timedelta(hours=rule.hours_to_report)
    assert incident.report_overdue()  # 30 hours ago, due within 24
    rule.hours_to_report = 48
    rule.save()
    later = _register(users, unit("03037"), who="xa.tavan", title="Máy chủ loa thông minh mất kết nối")
    assert later.report_due_at == later.detected_at + dt.timedelta(hours=48) and not later.report_overdue()
    assert later.code.endswith("0002")


def test_scope_follows_the_affected_unit(users, unit):
    laocai = _register(users, unit("15"))
    commune = _register(users, unit("03037"), who="xa.tavan", title="Tài khoản mạng xã hội của xã bị chiếm")
    with pytest.raises(PermissionDenied):
        _register(users, unit("15"), who="tinh.tuyenquang")
    with pytest.raises(PermissionDenied):
        _register(users, None, who="tinh.laocai")  # central systems: country-wide staff only
    assert set(selectors.incidents_for_user(user=users["tinh.laocai"])) == {laocai, commune}
    assert set(selectors.incidents_for_user(user=users["xa.tavan"])) == {commune}
    assert not selectors.incidents_for_user(user=users["tinh.tuyenquang"]).exists()
    assert set(selectors.incidents_for_user(user=users["kiemtoan"])) >= {laocai, commune}  # auditors read


def test_bad_input_is_named_and_nothing_is_written(users, unit):
    before = Incident.objects.count()
    with pytest.raises(ValidationError) as info:
        services.incident_create(
            user=users["tinh.laocai"],
            title="x",
            severity="dreadful",
            detected_at=NOW + dt.timedelta(days=1),
            unit=unit("15"),
        )
    assert {"severity", "detected_at"} <= set(info.value.message_dict)
    with pytest.raises(ValidationError) as info:
        services.incident_create(user=users["tinh.laocai"], title=" ", severity="low", detected_at=NOW, unit=unit("15"))
    assert "title" in info.value.message_dict
    assert Incident.objects.count() == before


def test_timeline_report_and_statuses_in_order(users, unit):
    incident = _register(users, unit("15"))
    officer = users["tinh.laocai"]
    services.incident_event_add(user=officer, incident=incident, kind="containment", text="Cô lập máy chủ web")
    with pytest.raises(ValidationError):
        services.incident_set_status(user=officer, incident=incident, status="closed")  # not reported yet
    services.incident_report(user=officer, incident=incident, reference="123/BC-SKHCN")
    with pytest.raises(ValidationError):
        services.incident_report(user=officer, incident=incident, reference="again")
    services.incident_set_status(user=officer, incident=incident, status="resolved", note="Khôi phục từ bản sao lưu")
    with pytest.raises(ValidationError):
        services.incident_set_status(user=officer, incident=incident, status="contained")  # no going back
    incident = services.incident_set_status(user=officer, incident=incident, status="closed")
    kinds = list(incident.events.values_list("kind", flat=True))
    assert kinds == ["note", "containment", "report", "status", "status"]
    stats = selectors.incident_stats(user=officer, year=incident.detected_at.year)
    assert stats.total == 1 and stats.reported_late == 1 and stats.on_time_rate == 0.0
    assert stats.median_hours_to_resolve is not None and stats.median_hours_to_resolve >= 29


def test_pages_journey_with_a_wrong_entry_first(login, users, unit):
    client = login("tinh.laocai")
    form = client.get("/incidents/new/").content.decode()
    assert "Lào Cai" in form and "Xã Tả Van" in form and "Tuyên Quang" not in form  # units by name, own area
    laocai = str(unit("15").pk)
    response = client.post(
        "/incidents/new/", {"title": "Lộ dữ liệu", "severity": "", "unit": laocai, "detected_at": ""}
    )
    page = response.content.decode()
    assert response.status_code == 422 and 'value="Lộ dữ liệu"' in page  # nothing typed is lost
    response = client.post(
        "/incidents/new/",
        {"title": "Lộ dữ liệu", "severity": "critical", "unit": laocai, "detected_at": "2026-12-01T08:30"},
    )
    assert response.status_code == 302
    incident = Incident.objects.get(title="Lộ dữ liệu")
    detail = client.get(response["Location"]).content.decode()
    assert incident.code in detail and "overdue" in detail
    response = client.post(f"/incidents/{incident.pk}/action/", {"action": "event", "kind": "response", "text": ""})
    assert response.status_code == 422
    client.post(f"/incidents/{incident.pk}/action/", {"action": "report", "reference": "45/BC"})
    listing = client.get("/incidents/?year=2026").content.decode()
    assert incident.code in listing
    assert login("tinh.tuyenquang").get(f"/incidents/{incident.pk}/").status_code == 404
    assert login("tinh.tuyenquang").post(f"/incidents/{incident.pk}/action/", {"action": "report"}).status_code == 404


def test_api_is_scoped_and_refuses_other_units(client, users, unit):
    incident = _register(users, unit("15"))

    def bearer(name):
        return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users[name], name='t')[1]}"}

    own = client.get("/api/v1/incidents", **bearer("tinh.laocai")).json()
    assert [row["code"] for row in own["items"]] == [incident.code]
    assert client.get("/api/v1/incidents", **bearer("tinh.tuyenquang")).json()["items"] == []
    assert client.get(f"/api/v1/incidents/{incident.pk}", **bearer("tinh.tuyenquang")).status_code == 404
    body = {"title": "DDoS", "severity": "medium", "detected_at": NOW.isoformat(), "unit": "15"}
    refused = client.post("/api/v1/incidents", body, content_type="application/json", **bearer("tinh.tuyenquang"))
    assert refused.status_code == 403 and refused["Content-Type"].startswith("application/problem+json")
    created = client.post("/api/v1/incidents", body, content_type="application/json", **bearer("tinh.laocai"))
    assert created.status_code == 201 and created.json()["severity"] == "medium"
    bad = client.post(
        "/api/v1/incidents", {**body, "unit": "99"}, content_type="application/json", **bearer("tinh.laocai")
    )
    assert bad.status_code == 422
    stats = client.get(f"/api/v1/incidents/stats?year={NOW.year}", **bearer("tinh.laocai")).json()
    assert stats["total"] == 2
