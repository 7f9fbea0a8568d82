"""Loading all reference data in dependency order (units → crosswalk → people → agencies)."""

from __future__ import annotations

import contextlib
import gc
import time

from django.db import transaction

from ketnoi.core import audit
from ketnoi.core.loading import UpsertResult
from ketnoi.geo.loaders import load_admin_units, load_classification_periods, load_crosswalk, source_version
from ketnoi.indicators.loaders import load_indicator_catalogue
from ketnoi.orgs.loaders import load_agencies
from ketnoi.people.loaders import load_people
from ketnoi.press.loaders import load_reference as load_press_reference
from ketnoi.programmes.loaders import load_legal_documents
from ketnoi.translation.loaders import load_termbase


def load_reference(log=print) -> dict:
    """Load or refresh every reference table. Idempotent: a second run changes nothing."""
    summary = {}
    started = time.perf_counter()
    with _collector_paused(), transaction.atomic(), audit.suppressed():
        for name, result in load_admin_units().items():
            summary[name] = result
        summary["crosswalk_links"] = load_crosswalk()
        summary["classification_periods"] = load_classification_periods()
        for name, result in load_people().items():
            summary[name] = result
        for name, result in load_agencies().items():
            summary[f"agencies_{name}"] = result
        summary["legal_documents"] = load_legal_documents()
        terms = load_termbase()
        summary["termbase_terms"] = UpsertResult(terms.terms_created, terms.terms_updated, terms.terms_unchanged)
        for name, result in load_indicator_catalogue().items():
            summary[name] = result
        summary |= load_press_reference()
    changed = {k: {"created": v.created, "updated": v.updated} for k, v in summary.items() if v.created or v.updated}
    if changed:
        audit.record(audit.AuditEntry.Action.IMPORT, model="reference", object_repr=source_version(), after=changed)
    for name, result in summary.items():
        log(f"  {name:<22} created {result.created:>6}  updated {result.updated:>6}  unchanged {result.unchanged:>6}")
    log(f"reference data loaded in {time.perf_counter() - started:.1f} s")
    return summary


@contextlib.contextmanager
def _collector_paused():
    """The load allocates ~100,000 short-lived dicts, tuples and strings and builds no reference
    cycles worth collecting: pausing the cyclic garbage collector while it runs saves about a fifth
    of its time (reference counting still frees everything). Restored afterwards, also on errors."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
