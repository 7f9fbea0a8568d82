"""The yearly partitions of analytics_aggregate on PostgreSQL (migration 0002 makes 2015–2040 and a
DEFAULT partition). ``ensure_years`` adds the partition of a year that has none, moving that year's
rows out of the DEFAULT partition if some went there; SQLite has one plain table and nothing to do."""

from __future__ import annotations

import logging

from django.db import connection, transaction

log = logging.getLogger(__name__)
TABLE = "analytics_aggregate"
_known: set[int] = set()


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s AND relkind = 'p'", [TABLE])
        return cursor.fetchone() is not None


def partition_years() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    prefix = f"{TABLE}_y"
    return {int(name[len(prefix) :]) for name in names if name.startswith(prefix) and name[len(prefix) :].isdigit()}


def ensure_years(years) -> list[int]:
    """Create the missing yearly partitions; returns the years added."""
    wanted = {int(year) for year in years} - _known
    if not wanted or not is_partitioned():
        _known.update(wanted)
        return []
    existing = partition_years()
    added = []
    for year in sorted(wanted - existing):
        if not 1 <= year <= 9998:
            continue
        name = f"{TABLE}_y{year}"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")  # no writer meanwhile
            cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            cursor.execute(f"INSERT INTO {name} SELECT * FROM {TABLE}_default WHERE year = %s", [year])
            cursor.execute(f"DELETE FROM {TABLE}_default WHERE year = %s", [year])
            cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ({year}) TO ({year + 1})")
        log.info("analytics: partition %s added", name)
        added.append(year)
    _known.update(wanted)
    return added
