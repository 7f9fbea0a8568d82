"""How an agency signs (Decree 30/2020/NĐ-CP): the signature block from the agency as it is on the
document's date and the holders of its offices then (``OfficeHolder``, data that an operator keeps).

- The head signs under their title: "BỘ TRƯỞNG", name.
- A deputy who signs the agency's reports signs "on behalf of" the head: "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", name.
- A people's committee is collegial: its chair signs "on behalf of" (thay mặt) the committee,
  "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH" (a vice-chair adds "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH").
- With no holder recorded, the head's title by kind of agency and an empty name line.

Shared by the reviews and the progress-report print view.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from .models import Agency, OfficeHolder

HEAD_TITLES = {
    Agency.Kind.MINISTRY: "BỘ TRƯỞNG",
    Agency.Kind.PROVINCIAL_COMMITTEE: "CHỦ TỊCH",
    Agency.Kind.COMMUNE_COMMITTEE: "CHỦ TỊCH",
    Agency.Kind.PROVINCIAL_DEPARTMENT: "GIÁM ĐỐC",
    Agency.Kind.DEPARTMENT: "CỤC TRƯỞNG",
}
DEFAULT_HEAD_TITLE = "THỦ TRƯỞNG CƠ QUAN"
# A people's committee is collegial: its chair signs "on behalf of" (thay mặt) the committee.
COLLEGIAL_KINDS = {
    Agency.Kind.PROVINCIAL_COMMITTEE: "ỦY BAN NHÂN DÂN",
    Agency.Kind.COMMUNE_COMMITTEE: "ỦY BAN NHÂN DÂN",
}


@dataclass(frozen=True)
class Signature:
    agency: Agency  # the agency that signs: the one asked for, or its successor on the day
    lines: list[str]  # the lines above the signature, in capitals
    name: str  # the signer's name; "" when no holder is recorded (a line to write it on)
    holder: OfficeHolder | None = None


def head_title(agency: Agency) -> str:
    return HEAD_TITLES.get(agency.kind, DEFAULT_HEAD_TITLE)


def current_agency(agency: Agency, day: dt.date | None = None) -> Agency:
    """The agency itself while it exists, else its (first) successor on ``day``."""
    return (agency.current_successors(day or timezone.localdate()) or [agency])[0]


def holders_on(agency: Agency, day: dt.date) -> list[OfficeHolder]:
    """The holders of ``agency``'s offices on ``day``, the latest appointed first."""
    holders = [h for h in agency.office_holders.all() if h.is_valid_on(day)]
    return sorted(holders, key=lambda h: (h.valid_from or dt.date.min, h.pk), reverse=True)


def signature(agency: Agency, day: dt.date | None = None) -> Signature:
    """The signature block of ``agency``'s documents dated ``day`` (today by default)."""
    day = day or timezone.localdate()
    agency = current_agency(agency, day)
    holders = holders_on(agency, day)
    head = next((h for h in holders if h.role == OfficeHolder.Role.HEAD), None)
    signer = next((h for h in holders if h.signs_reports), None) or head
    head_line = head.title.upper() if head else head_title(agency)
    body = COLLEGIAL_KINDS.get(agency.kind)
    lines = [f"TM. {body}"] if body else []
    if signer is None or signer.role == OfficeHolder.Role.HEAD:
        lines.append(signer.title.upper() if signer else head_line)
    else:
        lines += [f"KT. {head_line}", signer.title.upper()]
    return Signature(agency, lines, signer.full_name if signer else "", signer)


def signer_lines(agency: Agency, day: dt.date | None = None) -> list[str]:
    """The lines above the signature: ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"] or ["GIÁM ĐỐC"]."""
    return signature(agency, day).lines
