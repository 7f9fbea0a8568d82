"""Idempotent bulk upsert used by the reference-data loaders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, models, router

BATCH = 2000
# Fields whose Python value is what the DB-API driver takes (sqlite3 and psycopg alike): no conversion.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
    models.ForeignKey,
)


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.created + other.created, self.updated + other.updated, self.unchanged + other.unchanged
        )


def upsert(model: type[models.Model], key_fields: tuple[str, ...], rows: Iterable[dict]) -> UpsertResult:
    """Create missing rows and update changed ones, matching on ``key_fields``.

    Rows are plain dicts of field attnames. Running it twice with the same rows changes nothing.
    """
    rows = list(rows)
    if not rows:
        return UpsertResult()
    fields = sorted({name for row in rows for name in row} - set(key_fields))
    # Read back only the part of the table these rows can match: key fields with few distinct values
    # (structure, level) narrow it, so five loads into one table do not each read all of it.
    narrow = {}
    for key_field in key_fields:
        distinct = {row[key_field] for row in rows}
        if len(distinct) <= 10 and None not in distinct:
            narrow[f"{key_field}__in"] = sorted(distinct)
    existing = {
        tuple(values[: len(key_fields)]): values
        for values in model.objects.filter(**narrow).values_list(*key_fields, "pk", *fields)
    }
    to_create, to_update = [], []
    unchanged = 0
    for row in rows:
        key = tuple(row[k] for k in key_fields)
        current = existing.get(key)
        if current is None:
            to_create.append(row)
            continue
        stored = dict(zip(fields, current[len(key_fields) + 1 :], strict=True))
        if all(stored.get(f) == row.get(f) for f in fields if f in row):
            unchanged += 1
            continue
        obj = model(pk=current[len(key_fields)], **row)
        to_update.append(obj)
    if to_create and not _insert_rows(model, to_create):
        model.objects.bulk_create([model(**row) for row in to_create], batch_size=BATCH)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=BATCH)
    return UpsertResult(len(to_create), len(to_update), unchanged)


def _insert_rows(model: type[models.Model], rows: list[dict]) -> bool:
    """Insert plain rows with one prepared statement (``executemany``) on SQLite, ``COPY … FROM
    STDIN`` on PostgreSQL, skipping the ORM's per-value SQL compilation, which is most of the cost
    of loading 30,000 reference rows (issue 7.12).

    Columns missing from the rows get what the ORM would insert (``Field.get_default()``); a model with
    a callable default or auto_now among them returns False and the caller uses
    ``bulk_create``. Values of plain fields go to the driver as they are, the others through
    ``get_db_prep_save`` (once per distinct value).
    """
    connection = connections[router.db_for_write(model)]
    given = {name for row in rows for name in row}
    columns, constant = [], {}
    for field in model._meta.concrete_fields:
        if field.primary_key and field.attname not in given:
            continue
        if field.attname in given:
            columns.append(field)
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return False
        elif field.has_default() and callable(field.default):
            return False
        else:  # what the ORM would insert: the constant default, "" for a string column, else NULL
            columns.append(field)
            constant[field.attname] = field.get_db_prep_save(field.get_default(), connection)
    pairs = [(field.attname, constant.get(field.attname)) for field in columns]
    values = [[row.get(name, default) for name, default in pairs] for row in rows]
    for index, field in enumerate(columns):
        if field.attname in constant or isinstance(field, _PLAIN_FIELDS):
            continue
        prepared: dict = {}  # dates repeat: prepare each distinct value once
        for out in values:
            value = out[index]
            if value is None:
                continue
            try:
                key = (type(value), value)
                out[index] = prepared[key]
            except KeyError:
                out[index] = prepared[key] = field.get_db_prep_save(value, connection)
            except TypeError:  # unhashable (a JSON list)
                out[index] = field.get_db_prep_save(value, connection)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(field.column) for field in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams all rows in one statement: no per-row round trip or statement execution.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for out in values:
                    copy.write_row(out)
        else:
            sql = "INSERT INTO {} ({}) VALUES ({})".format(table, names, ", ".join(["%s"] * len(columns)))
            for start in range(0, len(values), BATCH):
                cursor.executemany(sql, values[start : start + BATCH])
    return True
