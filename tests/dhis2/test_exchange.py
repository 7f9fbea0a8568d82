"""DHIS2 dataValueSets and ADX: conversion of periods, import all-or-nothing, round trips, safe XML."""

import json
from decimal import Decimal

import pytest
from defusedxml import ElementTree

from ketnoi.core.importing import ImportFailed
from ketnoi.dhis2 import periods, services
from ketnoi.dhis2.mappings import mappings_import_csv
from ketnoi.indicators.models import DataValue
from ketnoi.indicators.periods import InvalidPeriod

from .conftest import payload

ADX = "{urn:ihe:qrph:adx:2015}"


def _values(unit_code="03037", period="2025Q3"):
    rows = DataValue.objects.filter(unit__code=unit_code, unit__structure="current", period=period)
    return {(v.element.code, v.disaggregation): (v.value, v.comment) for v in rows.select_related("element")}


@pytest.mark.parametrize(
    ("code", "dhis2", "adx"),
    [
        ("2025M07", "202507", "2025-07-01/P1M"),
        ("2025Q3", "2025Q3", "2025-07-01/P3M"),
        ("2025S2", "2025S2", "2025-07-01/P6M"),
        ("2025", "2025", "2025-01-01/P1Y"),
    ],
)
def test_periods_convert_both_ways(code, dhis2, adx):
    assert periods.to_dhis2(code) == dhis2 and periods.from_dhis2(dhis2) == code
    assert periods.to_adx(code) == adx and periods.from_adx(adx) == code


@pytest.mark.parametrize("text", ["2025W27", "202513", "2025M07", "25Q1", ""])
def test_dhis2_periods_kept_here_only(text):
    with pytest.raises(InvalidPeriod):
        periods.from_dhis2(text)


@pytest.mark.parametrize("text", ["2025-07-15/P1M", "2025-02-01/P3M", "2025-01-01/P2M", "2025-13-01/P1M", "2025-07-01"])
def test_adx_periods_that_are_no_kept_period_are_refused(text):
    with pytest.raises(InvalidPeriod):
        periods.from_adx(text)


@pytest.mark.parametrize(
    ("name", "content_type"), [("tavan_2025q3.json", "application/json"), ("tavan_2025q3.adx", "application/adx+xml")]
)
def test_sample_payload_imports_every_value(mapped, users, name, content_type):
    summary = services.import_payload(
        user=users["xa.tavan"], data=payload(name), content_type=content_type, filename=name
    )
    assert (summary.imported, summary.updated, summary.ignored) == (6, 0, 0)
    assert _values() == {
        ("ban_tin_dai_xa", ""): (Decimal(41), "Bản tin tiếng Việt"),
        ("ban_tin_dai_xa", "lang=hmn"): (Decimal(12), ""),
        ("phan_anh_tiep_nhan", ""): (Decimal(9), ""),
        ("phan_anh_da_tra_loi", ""): (Decimal(7), ""),
        ("nguoi_dan_tap_huan_ky_nang_so", "eg=08;sex=female"): (Decimal(15), ""),
    }
    assert _values(period="2025M07") == {("ban_tin_dai_xa", ""): (Decimal(14), "")}
    again = services.import_payload(
        user=users["xa.tavan"], data=payload(name), content_type=content_type, filename=name
    )
    assert (again.imported, again.updated, again.ignored) == (0, 0, 6)


def test_dry_run_counts_and_writes_nothing(mapped, users):
    summary = services.import_payload(
        user=users["xa.tavan"], data=payload("tavan_2025q3.json"), content_type="application/json", dry_run=True
    )
    assert summary.imported == 6 and _values() == {}


def test_every_mistake_is_named_and_nothing_is_written(mapped, users):
    before = DataValue.objects.count()
    with pytest.raises(ImportFailed) as caught:
        services.import_payload(
            user=users["xa.tavan"], data=payload("mistakes.json"), content_type="application/json", filename="m.json"
        )
    assert DataValue.objects.count() == before
    found = {e.field: e.message for e in caught.value.errors}
    assert "KN_NOPE" in found["dataValues[0]"] and "Unknown data element" in found["dataValues[0]"]
    assert "VN_NOWHERE" in found["dataValues[1]"]
    assert "2025W27" in found["dataValues[2]"]
    assert "NO_SUCH_COC" in found["dataValues[3]"]
    assert "whole numbers" in found["dataValues[4]"]
    assert "At least 0" in found["dataValues[5]"]
    assert "not a number" in found["dataValues[6]"]
    assert "dataValues[7]" in found["dataValues[8]"]  # the duplicate names the first one
    assert "outside your area" in found["dataValues[9]"]
    assert "not broken down by" in found["dataValues[10]"]
    assert "computed from the logs" in found["dataValues[11]"]
    assert "dataValues[7]" not in found
    assert len(found) == 11  # the last but one has two problems (sex and ethnic group)


def test_a_locked_period_refuses_the_whole_file(mapped, users):
    assert DataValue.objects.filter(unit__code="03037", period="2025Q2", locked=True).exists()
    body = {
        "dataValues": [
            {"dataElement": "KN_BULLETINS", "period": "2025Q3", "orgUnit": "VN_LC_TAVAN", "value": "3"},
            {"dataElement": "KN_BULLETINS", "period": "2025Q2", "orgUnit": "VN_LC_TAVAN", "value": "99"},
        ]
    }
    with pytest.raises(ImportFailed) as caught:
        services.import_payload(user=users["xa.tavan"], data=json.dumps(body).encode(), content_type="application/json")
    assert "approved and locked" in caught.value.errors[0].message and caught.value.errors[0].field == "dataValues[1]"
    assert _values() == {}


def test_a_rule_of_the_service_rolls_back_everything(mapped, users):
    """Answered feedback above the received ones breaks an indicator's rule at the second batch: the
    first batch (another period) is rolled back too."""
    body = {
        "dataValues": [
            {"dataElement": "KN_BULLETINS", "period": "202508", "orgUnit": "VN_LC_TAVAN", "value": "3"},
            {"dataElement": "KN_FEEDBACK_RECEIVED", "period": "2025Q3", "orgUnit": "VN_LC_TAVAN", "value": "2"},
            {"dataElement": "KN_FEEDBACK_ANSWERED", "period": "2025Q3", "orgUnit": "VN_LC_TAVAN", "value": "5"},
        ]
    }
    with pytest.raises(ImportFailed) as caught:
        services.import_payload(user=users["xa.tavan"], data=json.dumps(body).encode(), content_type="application/json")
    assert "nothing was written" in caught.value.errors[0].message
    assert _values() == {} and _values(period="2025M08") == {}


def test_round_trip_json_and_adx_into_an_empty_period(mapped, users):
    """Export Tả Van's 2025Q1, move the period to the empty 2025Q4 and import: the same values."""
    export = services.export_values(user=users["tinh.laocai"], periods_=["2025Q1"], units=["VN_LC_TAVAN"])
    original = _values(period="2025Q1")
    assert export.values and len(export.values) == len(original)
    body = json.loads(services.as_json(export).replace('"2025Q1"', '"2025Q4"'))
    services.import_payload(user=users["xa.tavan"], data=json.dumps(body).encode(), content_type="application/json")
    assert _values(period="2025Q4") == original
    adx = services.as_adx(export, data_set="KETNOI").replace(b"2025-01-01/P3M", b"2025-04-01/P3M")
    DataValue.objects.filter(unit__code="03037", period="2025Q2").update(locked=False)
    DataValue.objects.filter(unit__code="03037", period="2025Q2").delete()
    services.import_payload(user=users["xa.tavan"], data=adx, content_type="application/adx+xml")
    assert _values(period="2025Q2") == original


def test_export_is_scoped_and_leaves_out_unmapped(mapped, users):
    lao_cai = services.export_values(user=users["tinh.laocai"], periods_=["2025Q1"])
    assert {v["orgUnit"] for v in lao_cai.values} == {"VN_LC_TAVAN"}
    dong_van = services.export_values(user=users["xa.dongvan"], periods_=["2025Q1"])
    assert {v["orgUnit"] for v in dong_van.values} == {"VN_TQ_DONGVAN"}
    everything = services.export_values(user=mapped, periods_=["2025Q1"])
    assert everything.unmapped > 0  # Tu Mơ Rông (23425) has no mapping
    root = ElementTree.fromstring(services.as_adx(lao_cai, data_set="DS1"))
    groups = root.findall(f"{ADX}group")
    assert groups and all(g.get("period") == "2025-01-01/P3M" and g.get("dataSet") == "DS1" for g in groups)


@pytest.mark.parametrize("name", ["billion_laughs.adx", "external_entity.adx"])
def test_entities_and_dtds_are_refused(mapped, users, name):
    with pytest.raises(ImportFailed) as caught:
        services.import_payload(user=users["xa.tavan"], data=payload(name), content_type="application/adx+xml")
    assert "DTD or XML entities" in caught.value.errors[0].message
    assert _values() == {}


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (b"{not json", "application/json", "Not valid JSON"),
        (b"[]", "application/json", "dataValues"),
        (b'{"dataValues": [1]}', "application/json", "is an object"),
        (b'{"idScheme": "NAME", "dataValues": []}', "application/json", "not supported"),
        (b"<adx xmlns='urn:ihe:qrph:adx:2015'><group>", "application/adx+xml", "Not well-formed"),
        (b"<dataValueSet/>", "application/adx+xml", "root element"),
        (
            b"<adx xmlns='urn:ihe:qrph:adx:2015'><group orgUnit='VN_LC_TAVAN' period='2025-07-01/P3M'>"
            b"<dataValue dataElement='KN_BULLETINS' SEX='F' value='1'/></group></adx>",
            "application/adx+xml",
            "SEX",
        ),
        (b"a,b", "text/csv", "application/json"),
        (b"  ", "application/json", "empty"),
    ],
)
def test_malformed_payloads_say_what_is_wrong(mapped, users, data, content_type, expected):
    with pytest.raises(ImportFailed) as caught:
        services.import_payload(user=users["xa.tavan"], data=data, content_type=content_type)
    assert expected in str(caught.value)


def test_size_limit(mapped, users, settings):
    settings.DHIS2_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFailed, match="limit of 100 bytes"):
        services.import_payload(
            user=users["xa.tavan"], data=payload("tavan_2025q3.json"), content_type="application/json"
        )


def test_mapping_csv_errors_name_the_row(mapped):
    with pytest.raises(ImportFailed) as caught:
        mappings_import_csv(user=mapped, kind="orgunits", data=b"ketnoi,dhis2\n99999,X\n03037,Y\n03037,Z\n")
    rows = {(e.row, e.field) for e in caught.value.errors}
    assert (2, "ketnoi") in rows and (4, "ketnoi") in rows


def test_mapping_csv_needs_national_reference_rights(mapped, users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        mappings_import_csv(user=users["tinh.laocai"], kind="orgunits", data=b"ketnoi,dhis2\n03037,Y\n")


def test_adx_errors_name_group_value_and_line(mapped, users):
    adx = (
        b"<?xml version='1.0'?>\n<adx xmlns='urn:ihe:qrph:adx:2015'>\n"
        b"<group orgUnit='VN_LC_TAVAN' period='2025-07-01/P3M' dataSet='KETNOI'>\n"
        b"<dataValue dataElement='KN_BULLETINS' value='1'/>\n"
        b"<dataValue dataElement='KN_UNKNOWN' value='1'/>\n"
        b"</group>\n<group orgUnit='VN_LC_TAVAN' period='2025-07-01/P2M'/>\n</adx>"
    )
    with pytest.raises(ImportFailed) as caught:
        services.import_payload(user=users["xa.tavan"], data=adx, content_type="application/adx+xml", filename="x.adx")
    errors = {(e.row, e.field): e.message for e in caught.value.errors}
    assert "P2M" in errors[(7, "group 2")]  # the bad period names its group and line
    assert "KN_UNKNOWN" in errors[(5, "group 1, dataValue 2")]
    assert len(errors) == 2
    assert _values() == {}


def test_adx_unknown_code_names_its_line(mapped, users):
    adx = (
        b"<adx xmlns='urn:ihe:qrph:adx:2015'>\n<group orgUnit='VN_LC_TAVAN' period='2025-07-01/P3M'>\n"
        b"<dataValue dataElement='KN_BULLETINS' value='1'/>\n<dataValue dataElement='KN_UNKNOWN' value='1'/>\n"
        b"</group></adx>"
    )
    with pytest.raises(ImportFailed) as caught:
        services.import_payload(user=users["xa.tavan"], data=adx, content_type="application/adx+xml", filename="x.adx")
    [error] = caught.value.errors
    assert (error.row, error.field) == (4, "group 1, dataValue 2") and "KN_UNKNOWN" in error.message
    assert "x.adx, row 4, field group 1, dataValue 2" in str(error)


def test_a_dtd_alone_is_refused(mapped, users):
    adx = b"<?xml version='1.0'?><!DOCTYPE adx SYSTEM 'adx.dtd'><adx xmlns='urn:ihe:qrph:adx:2015'/>"
    with pytest.raises(ImportFailed, match="DTD"):
        services.import_payload(user=users["xa.tavan"], data=adx, content_type="application/adx+xml")
