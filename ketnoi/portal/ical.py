"""iCalendar (RFC 5545) for the public event calendar: escaping, UTC times, 75-octet line folding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

CRLF = "\r\n"
MAX_OCTETS = 75


def escape(value: str) -> str:
    """TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and new lines."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets (UTF-8), never inside a character;
    continuation lines start with one space (RFC 5545 §3.1)."""
    parts: list[str] = []
    current, size, limit = [], 0, MAX_OCTETS
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1  # the leading space counts
        current.append(ch)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass
class Event:
    uid: str
    start: dt.datetime
    end: dt.datetime | None
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    last_modified: dt.datetime | None = None


def calendar(events: Iterable[Event], *, name: str, language: str, stamp: dt.datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//Ket Noi//Public portal//{language.upper()}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
    ]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{utc(stamp)}", f"DTSTART:{utc(event.start)}"]
        if event.end and event.end > event.start:
            lines.append(f"DTEND:{utc(event.end)}")
        lines.append(f"SUMMARY;LANGUAGE={language}:{escape(event.summary)}")
        if event.description:
            lines.append(f"DESCRIPTION;LANGUAGE={language}:{escape(event.description)}")
        if event.location:
            lines.append(f"LOCATION:{escape(event.location)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        if event.last_modified:
            lines.append(f"LAST-MODIFIED:{utc(event.last_modified)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
