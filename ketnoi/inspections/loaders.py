"""Loading checklist templates from CSV (data/checklist_default.csv): idempotent, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from ketnoi.core.csvdata import read_rows

from .models import ChecklistItem, ChecklistTemplate

DEFAULT_CHECKLIST = Path(__file__).resolve().parent / "data" / "checklist_default.csv"
COLUMNS = {"template_code", "template_name", "item_code", "order", "item_text"}


@transaction.atomic
def load_checklist(path: Path = DEFAULT_CHECKLIST) -> dict[str, int]:
    """Create or update the templates and items in ``path``. Items missing from the file are kept (results
    recorded against them stay valid). Returns {"templates": n, "created": n, "updated": n}."""
    rows = read_rows(path)
    if rows and not COLUMNS <= set(rows[0]):
        raise ValidationError(f"{path.name}: columns must be {', '.join(sorted(COLUMNS))}")
    templates: dict[str, ChecklistTemplate] = {}
    created = updated = 0
    for number, row in enumerate(rows, start=2):
        if not row["template_code"] or not row["item_code"] or not row["item_text"]:
            raise ValidationError(f"{path.name}, row {number}: template_code, item_code and item_text are required")
        code = row["template_code"]
        if code not in templates:
            template, _ = ChecklistTemplate.objects.get_or_create(code=code, defaults={"name": row["template_name"]})
            if template.name != row["template_name"] and row["template_name"]:
                template.name = row["template_name"]
                template.save()
            templates[code] = template
        order = int(row["order"] or 0)
        item, was_created = ChecklistItem.objects.get_or_create(
            template=templates[code], code=row["item_code"], defaults={"text": row["item_text"], "order": order}
        )
        if was_created:
            created += 1
        elif (item.text, item.order) != (row["item_text"], order):
            item.text, item.order = row["item_text"], order
            item.save()
            updated += 1
    return {"templates": len(templates), "created": created, "updated": updated}


def load_default_checklist() -> ChecklistTemplate:
    """The default checklist ("default"), loaded from data/checklist_default.csv if needed. For the demo."""
    load_checklist(DEFAULT_CHECKLIST)
    return ChecklistTemplate.objects.get(code="default")
