"""Every change of a raw value leaves a dirty mark in its own transaction and asks for one refresh
when that transaction commits (connected from AnalyticsConfig.ready; indicators knows nothing of it).

Writes that bypass signals (QuerySet.update/bulk_create of values, a restore) are caught by
`ketnoi analytics rebuild`; `DataValue.locked` changes (the only bulk update today) do not change
any aggregate."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import engine


def _refresh_requested() -> None:
    """A marker among the transaction's on-commit callbacks: the refresh is already asked for."""


def _request_refresh() -> None:
    from ketnoi.core.jobs import enqueue_on_commit

    from .tasks import refresh

    connection = transaction.get_connection()
    if connection.in_atomic_block:
        if any(callback[1] is _refresh_requested for callback in connection.run_on_commit):
            return  # one job per transaction, however many values it saved
        transaction.on_commit(_refresh_requested)
    enqueue_on_commit(refresh)


def data_value_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures: `analytics rebuild` afterwards
    engine.mark(instance.element_id, instance.unit_id, instance.period)
    _request_refresh()


def legacy_value_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    from ketnoi.geo.models import UnitSuccession

    for current_id in UnitSuccession.objects.filter(legacy_id=instance.unit_id).values_list("current_id", flat=True):
        engine.mark(instance.element_id, current_id, instance.period)
    _request_refresh()


def connect() -> None:
    from ketnoi.indicators.models import DataValue

    from .models import LegacyValue

    for signal in (post_save, post_delete):
        signal.connect(data_value_changed, sender=DataValue, dispatch_uid="analytics.data_value")
        signal.connect(legacy_value_changed, sender=LegacyValue, dispatch_uid="analytics.legacy_value")
