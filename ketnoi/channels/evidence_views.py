"""The rows behind a value computed from the logs (issue 8.10): "from 12 play logs" opens this list,
scoped like the value (a value of a commune outside the user's area answers 404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import ngettext

from ketnoi.core.paging import paginate
from ketnoi.core.roles import CHANNELS_VIEW
from ketnoi.core.scoping import require_capability, restrict
from ketnoi.indicators import provenance as registry
from ketnoi.indicators.models import DataValue
from ketnoi.indicators.periods import period_label

from . import evidence


def register_provenance() -> None:
    """Tell the indicators app how to name and list the rows of the sources this app computes from."""
    labels = {
        evidence.PLAYLOG: lambda n: ngettext("from %(n)s play log", "from %(n)s play logs", n) % {"n": n},
        evidence.HEARTBEAT: lambda n: ngettext("from %(n)s heartbeat", "from %(n)s heartbeats", n) % {"n": n},
        evidence.BOARD: lambda n: ngettext("from %(n)s board", "from %(n)s boards", n) % {"n": n},
        evidence.DELIVERY: lambda n: ngettext("from %(n)s SMS receipt", "from %(n)s SMS receipts", n) % {"n": n},
        evidence.FEEDBACK: lambda n: ngettext("from %(n)s feedback item", "from %(n)s feedback items", n) % {"n": n},
    }
    for name, label in labels.items():
        registry.register(name, label=label, url_name="evidence-rows")


@login_required
def evidence_rows(request, pk):
    require_capability(request.user, CHANNELS_VIEW)
    values = restrict(
        DataValue.objects.select_related("element", "unit", "language", "provenance"), request.user, CHANNELS_VIEW
    )
    value = values.filter(pk=pk, provenance__isnull=False).first()
    if value is None:
        raise Http404
    provenance = value.provenance
    rows = evidence.provenance_rows(provenance)
    page = paginate(request, rows, per_page=100)
    return render(
        request,
        "channels/evidence_rows.html",
        {
            "value": value,
            "provenance": provenance,
            "described": registry.describe(provenance),
            "period_label": period_label(value.period),
            "page": page,
            "now_count": page.paginator.count,
            "source": provenance.source.split(".")[-1],
        },
    )
