"""Idempotent bulk upsert used by the reference-data loaders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter, methodcaller

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
    given = set().union(*rows)
    fields = sorted(given - set(key_fields))
    # Read back only the part of the table these rows can match: key fields with few distinct values
    # (structure, level) narrow it, so five loads into one table do not each read all of it.
    narrow = {}
    for key_field in key_fields:
        distinct = set(map(itemgetter(key_field), rows))
        if len(distinct) <= 10 and None not in distinct:
            narrow[f"{key_field}__in"] = sorted(distinct)
    n = len(key_fields)
    existing = {values[:n]: values for values in model.objects.filter(**narrow).values_list(*key_fields, "pk", *fields)}
    to_create, to_update = [], []
    unchanged = 0
    keys = zip(*(map(itemgetter(k), rows) for k in key_fields), strict=True)
    values_of = _tuple_getter(fields)
    width = n + len(fields)
    for key, row in zip(keys, rows, strict=True):
        current = existing.get(key)
        if current is None:
            to_create.append(row)
            continue
        if len(row) == width:  # a row with every field: one tuple comparison with the stored values
            same = values_of(row) == current[n + 1 :]
        else:
            stored = dict(zip(fields, current[n + 1 :], strict=True))
            same = all(stored[f] == row[f] for f in fields if f in row)
        if same:
            unchanged += 1
            continue
        obj = model(pk=current[n], **row)
        to_update.append(obj)
    if to_create and not _insert_rows(model, to_create):
        model.objects.bulk_create([model(**row) for row in to_create], batch_size=BATCH)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=BATCH)
    return UpsertResult(len(to_create), len(to_update), unchanged)


def _tuple_getter(names: list[str]):
    """``row -> tuple(row[name] for name in names)``, at C speed."""
    if not names:
        return lambda row: ()
    if len(names) == 1:
        name = names[0]
        return lambda row: (row[name],)
    return itemgetter(*names)


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
    given = set().union(*rows)
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
    # Column by column (C-level gets), each non-plain value prepared once per distinct value.
    table_columns = []
    for field in columns:
        if field.attname in constant:
            table_columns.append([constant[field.attname]] * len(rows))
            continue
        column = list(map(methodcaller("get", field.attname), rows))
        if not isinstance(field, _PLAIN_FIELDS):
            column = _prepared(field, column, connection)
        table_columns.append(column)
    values = list(zip(*table_columns, strict=True))
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


def _prepared(field, column: list, connection) -> list:
    """``field.get_db_prep_save`` of each value (None stays None), once per distinct value (dates repeat)."""
    prepared: dict = {}
    out = []
    for value in column:
        if value is None:
            out.append(None)
            continue
        try:
            key = (type(value), value)
            out.append(prepared[key])
        except KeyError:
            out.append(prepared.setdefault(key, field.get_db_prep_save(value, connection)))
        except TypeError:  # unhashable (a JSON list)
            out.append(field.get_db_prep_save(value, connection))
    return out
