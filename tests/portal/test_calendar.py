"""The event calendar: a server-rendered month table and an RFC 5545 iCalendar export."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import timezone

from ketnoi.portal import ical

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def parse_ics(data: bytes) -> list[dict]:
    """A small RFC 5545 reader: checks CRLF line ends, 75-octet lines and BEGIN/END nesting, and
    returns the components with their unfolded properties."""
    assert data.endswith(b"\r\n")
    physical = data.split(b"\r\n")[:-1]
    for line in physical:
        assert b"\n" not in line and b"\r" not in line
        assert len(line) <= 75, line
    logical: list[str] = []
    for line in physical:
        text = line.decode("utf-8")  # a fold never splits a UTF-8 character
        if text.startswith(" "):
            logical[-1] += text[1:]
        else:
            logical.append(text)
    stack, components = [], []
    for line in logical:
        name, _, value = line.partition(":")
        if name == "BEGIN":
            stack.append({"type": value})
        elif name == "END":
            component = stack.pop()
            assert component["type"] == value
            components.append(component)
        else:
            key = name.split(";")[0]
            stack[-1][key] = value
    assert not stack
    return components


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_escaping_and_folding():
    assert ical.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "Lễ hội Lồng Tồng của đồng bào Tày, Nùng ở xã Tả Van " * 4
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts) and len(parts) > 2
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0]] + [p[1:] for p in parts[1:]]) == line


@pytest.fixture
def festival(make_item):
    start = timezone.make_aware(dt.datetime(2025, 7, 14, 8, 0), HCM)
    return make_item(
        "le-hoi",
        {
            "vi": ("Lễ hội xuống đồng, bản Lao Chải; có múa, hát", "Dòng 1\nDòng 2; có dấu, phẩy", "<p>x</p>"),
            "th": ("เทศกาลลงนา", "สรุป", "<p>x</p>"),
        },
        event_start=start,
        event_end=start + dt.timedelta(days=2, hours=9),
        event_place="Xã Tả Van, Lào Cai",
    )


def test_ical_export_is_valid_rfc5545(client, festival, make_item, frozen_now):
    make_item(
        "nhap",
        {"vi": ("Sự kiện nháp", "", "<p>y</p>")},
        state="draft",
        event_start=frozen_now + dt.timedelta(days=1),
    )
    response = client.get("/p/vi/lich.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    components = parse_ics(response.content)
    calendar = components[-1]
    assert calendar["type"] == "VCALENDAR" and calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = [c for c in components if c["type"] == "VEVENT"]
    assert len(events) == 1
    event = events[0]
    assert event["DTSTART"] == "20250714T010000Z"  # 08:00 in Hanoi is 01:00 UTC
    assert event["DTEND"] == "20250716T100000Z"
    assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])
    assert event["UID"].startswith("le-hoi-vi@")
    assert unescape(event["SUMMARY"]) == "Lễ hội xuống đồng, bản Lao Chải; có múa, hát"
    assert unescape(event["DESCRIPTION"]) == "Dòng 1\nDòng 2; có dấu, phẩy"
    assert unescape(event["LOCATION"]) == "Xã Tả Van, Lào Cai"
    assert event["URL"] == "http://testserver/p/vi/tin-tuc/le-hoi/"


@pytest.fixture
def frozen_now(monkeypatch):
    """'Now' is 10 July 2025 for the iCalendar window."""
    moment = timezone.make_aware(dt.datetime(2025, 7, 10, 9, 0), HCM)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def test_ical_window_and_thai_export(client, festival, frozen_now, make_item):
    make_item(
        "qua-xa",
        {"th": ("งานในอดีต", "", "<p>z</p>")},
        event_start=frozen_now - dt.timedelta(days=200),
    )
    thai = parse_ics(client.get("/p/th/lich.ics").content)
    events = [c for c in thai if c["type"] == "VEVENT"]
    assert [unescape(e["SUMMARY"]) for e in events] == ["เทศกาลลงนา"]  # not the event 200 days ago


def test_month_view_is_a_table_with_the_events(client, festival, make_item):
    make_item(
        "nhap",
        {"vi": ("Sự kiện nháp", "", "<p>y</p>")},
        state="draft",
        event_start=timezone.make_aware(dt.datetime(2025, 7, 20, 8), HCM),
    )
    page = client.get("/p/vi/lich/2025/7/").content.decode()
    assert "<table" in page and "<caption>" in page and "<script" not in page
    assert page.count("/p/vi/tin-tuc/le-hoi/") >= 3  # 14, 15 and 16 July, and the list below
    assert "Sự kiện nháp" not in page
    assert "/p/vi/lich/2025/6/" in page and "/p/vi/lich/2025/8/" in page
    assert "le-hoi" not in client.get("/p/vi/lich/2025/8/").content.decode()
    assert client.get("/p/vi/lich/2025/13/").status_code == 404


def test_thai_calendar_shows_buddhist_era_years(client, festival):
    page = client.get("/p/th/lich/2025/7/").content.decode()
    assert "2568" in page  # 2025 + 543
    assert "14 ก.ค. 2568" in page
    assert "2568" not in client.get("/p/vi/lich/2025/7/").content.decode()
    article = client.get("/p/th/tin-tuc/le-hoi/").content.decode()
    assert "14 ก.ค. 2568 08:00" in article
    assert "14/07/2025 08:00" in client.get("/p/vi/tin-tuc/le-hoi/").content.decode()
