"""How an agency's head signs (Decree 30/2020/NĐ-CP): the title by kind of agency, and the
"on behalf of" line of a collegial body. Shared by the reviews and the progress-report print view."""

from __future__ import annotations

from .models import Agency

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


def head_title(agency: Agency) -> str:
    return HEAD_TITLES.get(agency.kind, DEFAULT_HEAD_TITLE)


def signer_lines(agency: Agency) -> list[str]:
    """The lines above the signature: ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"] or ["GIÁM ĐỐC"]."""
    body = COLLEGIAL_KINDS.get(agency.kind)
    return [f"TM. {body}", head_title(agency)] if body else [head_title(agency)]
