"""Load the legal-document register and programme definitions (programmes/data/)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.db import transaction

from ketnoi.core.csvdata import as_date, read_rows
from ketnoi.core.loading import UpsertResult, upsert
from ketnoi.core.text import normalize_text
from ketnoi.indicators.models import Indicator
from ketnoi.orgs.models import Agency

from .models import ContentArea, LegalDocument, Programme, ProgrammeParty, ReportingSchedule, Task

DATA_DIR = Path(__file__).resolve().parent / "data"


@transaction.atomic
def load_legal_documents(csv_path: Path = DATA_DIR / "legal_documents.csv") -> UpsertResult:
    rows = read_rows(csv_path)
    result = upsert(
        LegalDocument,
        ("number_symbol",),
        (
            {
                "number_symbol": r["number_symbol"],
                "doc_type": r["doc_type"],
                "issuer": r["issuer"][:300],
                "issued_on": as_date(r.get("issued_on", "")),
                "title": r["title"][:600],
                "title_en": r.get("title_en", "")[:600],
                "status": r.get("status") or "in_force",
                "valid_from": as_date(r.get("valid_from", "")),
                "valid_to": as_date(r.get("valid_to", "")),
                "source": r.get("source", "")[:500],
            }
            for r in rows
        ),
    )
    # Links resolved in memory from one read of the register; only the rows whose link differs are
    # written (none on a rerun).
    current = {
        symbol: (pk, replaced_by_id)
        for symbol, pk, replaced_by_id in LegalDocument.objects.values_list("number_symbol", "id", "replaced_by_id")
    }
    for r in rows:
        replaced_by = r.get("replaced_by", "")
        if replaced_by and replaced_by not in current:
            raise ValueError(f"legal_documents.csv, {r['number_symbol']}: unknown replaced_by {replaced_by}")
        target = current[replaced_by][0] if replaced_by else None
        pk, stored = current[r["number_symbol"]]
        if stored != target:
            LegalDocument.objects.filter(pk=pk).update(replaced_by_id=target)
    return result


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def _agency(code: str) -> Agency:
    try:
        return Agency.objects.get(code=code)
    except Agency.DoesNotExist:
        raise ValueError(f"programme file: unknown agency code {code!r}") from None


@transaction.atomic
def load_programme(json_path: Path = DATA_DIR / "programme_922.json") -> Programme:
    """Create or refresh a programme from its definition file. Idempotent: existing rows are updated in
    place and nothing added by users (extra areas, tasks, assignments) is removed."""
    spec = json.loads(Path(json_path).read_text(encoding="utf-8"))
    text = lambda value: normalize_text(value or "")  # noqa: E731
    document = LegalDocument.objects.get(number_symbol=spec["document"])
    programme, _created = Programme.objects.update_or_create(
        code=spec["code"],
        defaults={
            "document": document,
            "name_vi": text(spec["name_vi"]),
            "name_en": text(spec.get("name_en")),
            "place": text(spec.get("place")),
            "signed_on": _date(spec.get("signed_on")),
            "period_start": _date(spec["period_start"]),
            "period_end": _date(spec["period_end"]),
            "objectives": text(spec.get("objectives")),
            "principles": text(spec.get("principles")),
            "scope": text(spec.get("scope")),
        },
    )
    programme.legal_bases.set(LegalDocument.objects.filter(number_symbol__in=spec.get("legal_bases", [])))
    for order, party in enumerate(spec.get("parties", [])):
        ProgrammeParty.objects.update_or_create(
            programme=programme,
            agency=_agency(party["agency"]),
            defaults={
                "signer_name": text(party.get("signer_name")),
                "signer_title": text(party.get("signer_title")),
                "order": order,
            },
        )
    for schedule in spec.get("schedules", []):
        ReportingSchedule.objects.update_or_create(
            programme=programme,
            frequency=schedule["frequency"],
            defaults={
                "cutoff_day": schedule.get("cutoff_day", 14),
                "due_days_after_period": schedule.get("due_days_after_period", 5),
                "source": schedule.get("source", "")[:300],
            },
        )
    indicators = {i.code: i for i in Indicator.objects.all()}
    dependencies: list[tuple[Task, list[str]]] = []
    for order, area_spec in enumerate(spec.get("content_areas", []), start=1):
        area, _ = ContentArea.objects.update_or_create(
            programme=programme,
            code=area_spec["code"],
            defaults={
                "name_vi": text(area_spec["name_vi"]),
                "name_en": text(area_spec.get("name_en")),
                "description": text(area_spec.get("description")),
                "order": order,
            },
        )
        for task_spec in area_spec.get("tasks", []):
            start, due = _date(task_spec.get("start_date")), _date(task_spec.get("due_date"))
            if start and due and due < start:
                raise ValueError(f"programme file, task {task_spec['code']}: due date before start date")
            task, _ = Task.objects.update_or_create(
                programme=programme,
                code=task_spec["code"],
                defaults={
                    "content_area": area,
                    "title_vi": text(task_spec["title_vi"]),
                    "title_en": text(task_spec.get("title_en")),
                    "description": text(task_spec.get("description")),
                    "lead_agency": _agency(task_spec["lead"]),
                    "start_date": start,
                    "due_date": due,
                    "recurrence": task_spec.get("recurrence") or "",
                    "deliverable": text(task_spec.get("deliverable")),
                    "requires_dual_signoff": bool(task_spec.get("requires_dual_signoff")),
                },
            )
            task.co_agencies.set([_agency(code) for code in task_spec.get("co", [])])
            unknown = [code for code in task_spec.get("indicators", []) if code not in indicators]
            if unknown:
                raise ValueError(f"programme file, task {task_spec['code']}: unknown indicators {unknown}")
            task.indicators.set([indicators[code] for code in task_spec.get("indicators", [])])
            dependencies.append((task, task_spec.get("depends_on", [])))
    tasks = {t.code: t for t in programme.tasks.all()}
    for task, codes in dependencies:
        missing = [code for code in codes if code not in tasks]
        if missing:
            raise ValueError(f"programme file, task {task.code}: unknown dependencies {missing}")
        task.depends_on.set([tasks[code] for code in codes])
    _check_acyclic(programme)
    return programme


def _check_acyclic(programme: Programme) -> None:
    edges: dict[int, list[int]] = {}
    for source, target in Task.depends_on.through.objects.filter(from_task__programme=programme).values_list(
        "from_task_id", "to_task_id"
    ):
        edges.setdefault(source, []).append(target)
    state: dict[int, int] = {}

    def visit(node: int) -> None:
        state[node] = 1
        for following in edges.get(node, []):
            if state.get(following) == 1:
                raise ValueError("programme file: task dependencies form a cycle")
            if following not in state:
                visit(following)
        state[node] = 2

    for node in list(edges):
        if node not in state:
            visit(node)
