"""Reading the rows of an import file that name places: every problem collected with its row and
field (core.importing.RowError), the user's area checked, a commune's villages read once. The
channels, skills and other importers build on ``UnitRows``."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from ketnoi.core.importing import RowError
from ketnoi.core.scoping import user_scope
from ketnoi.core.text import fold

from .models import Village


class UnitRows:
    """The typed values of one file's rows, for a user acting with ``capability``."""

    def __init__(self, filename: str, user, capability: str):
        self.filename = filename
        self.errors: list[RowError] = []
        self.scope = user_scope(user, capability)
        self._villages: dict[int, dict[str, Village]] = {}  # commune id → folded name → village

    def error(self, row, field, message) -> None:
        self.errors.append(RowError(self.filename, row.number, field, message))

    def village(self, row, commune):
        """The row's ``village`` in ``commune`` by name (diacritics and case ignored); one query per commune."""
        name = row.get("village")
        if not name or commune is None:
            return None
        if commune.id not in self._villages:
            self._villages[commune.id] = {fold(v.name): v for v in Village.objects.filter(commune=commune)}
        village = self._villages[commune.id].get(fold(name))
        if village is None:
            self.error(
                row,
                "village",
                _("no village %(name)r in commune %(commune)s") % {"name": name, "commune": commune.name},
            )
        return village

    def date(self, row, field):
        """dd/mm/yyyy (or ISO yyyy-mm-dd); None when empty or wrong (the error is noted)."""
        raw = row.get(field)
        if not raw:
            return None
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(raw, pattern).date()
            except ValueError:
                continue
        self.error(row, field, _("%(value)r is not a date (dd/mm/yyyy)") % {"value": raw})
        return None
