"""Counts reported by `ketnoi stats --json`."""

from ketnoi.geo.selectors import reference_counts
from ketnoi.indicators.models import Indicator
from ketnoi.orgs.models import Agency, User
from ketnoi.people.models import EthnicGroup, Language
from ketnoi.programmes.models import Programme, ProgressReport, Task


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
        "programmes": Programme.objects.count(),
        "tasks": Task.objects.count(),
        "indicators": Indicator.objects.count(),
        "reports": ProgressReport.objects.count(),
    }
