"""Issue 7.6: the audit log as people read it — labels, readable before/after, filters, export."""

import io

from openpyxl import load_workbook

from ketnoi.programmes.models import ProgressReport


def test_changes_show_labels_and_readable_values_not_codes(login):
    page = login("kiemtoan").get("/audit/").content.decode()
    report = ProgressReport._meta
    assert str(report.verbose_name).capitalize() in page  # not "programmes.progressreport"
    assert "programmes.progressreport" not in page.split("<table")[1]
    submitted = dict(report.get_field("state").flatchoices)["submitted"]
    assert f"<ins>{submitted}</ins>" in page and "None" not in page and "+00:00" not in page


def test_filters_by_object_type_from_a_list_person_and_date_range(login):
    client = login("kiemtoan")
    page = client.get("/audit/").content.decode()
    assert '<select id="f-model" name="model">' in page and 'value="programmes.progressreport"' in page
    only = client.get("/audit/", {"model": "programmes.progressreport"}).content.decode()
    assert "programmes.progressreport" in only
    future = client.get("/audit/", {"from": "01/01/2099"}).content.decode()
    assert "<ins>" not in future  # nothing recorded after that day
    bad = client.get("/audit/", {"from": "2025-13-40x"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.content.decode()


def test_audit_export_is_a_spreadsheet_of_the_filtered_rows(login):
    response = login("kiemtoan").get("/audit/", {"model": "programmes.progressreport", "export": "xlsx"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    object_types = {row[3] for row in rows[1:]}
    assert object_types == {str(ProgressReport._meta.verbose_name).capitalize()}
    assert any(row[5] for row in rows[1:])  # one row per changed field, with its label


def test_a_json_value_is_shown_not_a_server_error(login):
    """A criterion's parameters are a JSON object: the audit page once answered 500 on the demo data."""
    from ketnoi.core.models import AuditEntry
    from ketnoi.orgs import audit_display

    entry = AuditEntry(model="emulation.criterion", before={}, after={"parameters": {"severity_points": {"high": 3}}})
    [change] = audit_display.changes(entry)
    assert change.after == "severity_points: {'high': 3}"
    assert audit_display.value_text(None, ["a", "b"]) == "a, b"
