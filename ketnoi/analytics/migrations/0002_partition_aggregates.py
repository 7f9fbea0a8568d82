"""On PostgreSQL, analytics_aggregate becomes a table partitioned by year (RANGE on ``year``), one
partition a year from 2015 to 2040 and a DEFAULT partition for any other year (ketnoi.analytics.
partitions adds later years). SQLite keeps the plain table. The Django state does not change:
the primary key is (id, year) and the unique key has ``year`` appended in the database only (the
period code already fixes the year, so both mean the same), as PostgreSQL requires of a
partitioned table. Existing rows are copied; the reverse operation makes the plain table again."""

import re

from django.db import migrations

TABLE = "analytics_aggregate"
FIRST_YEAR, LAST_YEAR = 2015, 2040
UNIQUE = ("element_id", "period", "level", "unit_key", "disaggregation")


def _definitions(cursor, table):
    """The table's secondary indexes and foreign keys, as SQL, to recreate them on the new table."""
    cursor.execute(
        """SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN (
               SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))""",
        [table, table],
    )
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    return indexes, cursor.fetchall()


def _rebuild(cursor, *, partitioned: bool):
    old = f"{TABLE}_old"
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {old}")
    indexes, foreign_keys = _definitions(cursor, old)
    tail = " PARTITION BY RANGE (year)" if partitioned else ""
    cursor.execute(
        f"CREATE TABLE {TABLE} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY){tail}"
    )
    if partitioned:
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            cursor.execute(f"CREATE TABLE {TABLE}_y{year} PARTITION OF {TABLE} FOR VALUES FROM ({year}) TO ({year + 1})")
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {old}")
    cursor.execute(f"DROP TABLE {old}")
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), COALESCE((SELECT MAX(id) FROM {TABLE}), 0) + 1, false)"
    )
    key = ", year" if partitioned else ""
    cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id{key})")
    cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT analytics_aggregate_unique UNIQUE ({', '.join(UNIQUE)}{key})")
    for definition in indexes:
        cursor.execute(re.sub(rf" ON (ONLY )?(public\.)?{old} ", f" ON {TABLE} ", definition))
    for name, definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        _rebuild(cursor, partitioned=True)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        _rebuild(cursor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
