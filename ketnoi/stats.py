"""Counts reported by `ketnoi stats --json`."""

from ketnoi.geo.selectors import reference_counts
from ketnoi.orgs.models import Agency, User
from ketnoi.people.models import EthnicGroup, Language


def collect_stats() -> dict[str, int]:
    counts = reference_counts()
    return {
        "provinces": counts["provinces"],
        "communes": counts["communes"],
        "legacy_provinces": counts["legacy_provinces"],
        "legacy_districts": counts["legacy_districts"],
        "legacy_communes": counts["legacy_communes"],
        "crosswalk_links": counts["crosswalk_links"],
        "villages": counts["villages"],
        "ethnic_groups": EthnicGroup.objects.count(),
        "languages": Language.objects.count(),
        "agencies": Agency.objects.count(),
        "users": User.objects.count(),
    }
