"""Load the award titles of the 2022 Law on Emulation and Commendation from data/award_titles.csv.

The file stays the source: `ketnoi.emulation.loaders.load_award_titles()` refreshes the table after
an edit (idempotent).
"""

import csv
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "award_titles.csv"


def load(apps, schema_editor):
    from ketnoi.core.text import normalize_text

    AwardTitle = apps.get_model("emulation", "AwardTitle")
    with open(CSV, encoding="utf-8-sig", newline="") as handle:
        for order, row in enumerate(csv.DictReader(handle), start=2):
            row = {k: normalize_text(v or "", collapse_spaces=True) for k, v in row.items()}
            AwardTitle.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_vi": row["name_vi"][:300],
                    "name_en": row.get("name_en", "")[:300],
                    "level": row["level"],
                    "kind": row["kind"],
                    "source": row.get("source", "")[:500],
                    "order": order,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("emulation", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
