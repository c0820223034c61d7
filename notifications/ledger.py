"""The ledger of outgoing messages: one row per (recipient, kind, subject, occurrence).

Rows are inserted with ``ON CONFLICT DO NOTHING`` on that natural key, so two sweeps racing,
a re-run or a redelivered task add nothing; only the rows a call inserted are handed back to
be delivered (after commit).
"""

import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Lookup
from django.db.models.lookups import In
from django.db.models.sql.compiler import SQLCompiler

from notifications.models import Notification, NotificationStatus

_M = TypeVar("_M", bound=models.Model)


@functools.cache
def _row_template(
    model: type[models.Model],
) -> tuple[tuple[Any, ...], dict[str, int], tuple[tuple[int, Any], ...]]:
    """Every column's default in field order, where each column is, and the columns whose
    default is computed afresh for each row (a callable default)."""
    fields = model._meta.concrete_fields
    template = tuple(None if f.primary_key else f.get_default() for f in fields)
    fresh = tuple((i, f) for i, f in enumerate(fields) if f.has_default() and callable(f.default))
    return template, {f.attname: i for i, f in enumerate(fields)}, fresh


def new_row(model: type[_M], **values: Any) -> _M:
    """``model(**values)`` for a row to insert, ``values`` by column (``recipient_id``).

    Built from one value per column in field order: Django's quickest way to make a model
    instance, less than half the time of keyword arguments, for a sweep's thousands of rows.
    """
    template, index, fresh = _row_template(model)
    row = list(template)
    for i, field in fresh:
        row[i] = field.get_default()
    for name, value in values.items():
        row[index[name]] = value
    return model(*row)


def ledger_row(
    *,
    recipient_id: int,
    email: str,
    kind: str,
    subject_key: str,
    occurrence: str,
    items: list[dict[str, Any]],
    now: dt.datetime,
) -> Notification:
    return new_row(
        Notification,
        recipient_id=recipient_id,
        kind=kind,
        subject_key=subject_key,
        occurrence=occurrence,
        items=items,
        to_email=email,
        status=NotificationStatus.QUEUED,
        created_at=now,
        next_attempt_at=now,
        updated_at=now,
    )


def insert_new(model: type[models.Model], objects: Sequence[models.Model]) -> list[int]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the ids of the rows this call added.

    Django's ``bulk_create(ignore_conflicts=True)`` cannot say which rows were new, and only
    the sweep that inserted a row may enqueue its delivery.
    """
    if not objects:
        return []
    fields = _insert_fields(model)
    if connection.vendor == "postgresql":
        return _insert_new_postgresql(
            model,
            fields,
            [[getattr(obj, column.attname) for obj in objects] for column in fields],
        )
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    ids: list[int] = []
    # SQLite allows 32,766 parameters per statement.
    batch = max(1, 30000 // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch):
            chunk = objects[start : start + batch]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(chunk))
            params = [
                f.get_db_prep_save(getattr(obj, f.attname), connection)
                for obj in chunk
                for f in fields
            ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {placeholders} "
                f"ON CONFLICT DO NOTHING RETURNING id",
                params,
            )
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def insert_columns(
    model: type[models.Model], *, each: dict[str, Sequence[Any]], same: dict[str, Any]
) -> list[int]:
    """``insert_new`` for rows given column by column, without a model instance per row.

    ``each`` holds one value per row for its column (every list as long as the others),
    ``same`` one value for every row; the other columns take their defaults, as ``new_row``
    gives them. The rows are inserted in the order given.
    """
    count = len(next(iter(each.values())))
    if not count:
        return []
    if connection.vendor != "postgresql":
        return insert_new(
            model,
            [
                new_row(model, **same, **{name: values[i] for name, values in each.items()})
                for i in range(count)
            ],
        )
    template, index, fresh = _row_template(model)
    callables = dict(fresh)
    fields = _insert_fields(model)
    values: list[Any] = []
    for column in fields:
        name = column.attname
        if name in each:
            values.append(each[name])
        elif name in same:
            values.append(_Same(same[name]))
        elif index[name] in callables:
            values.append([column.get_default() for _ in range(count)])
        else:
            values.append(_Same(template[index[name]]))
    return _insert_new_postgresql(model, fields, values)


class _Same:
    """One value for every row of a column."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def insert_ledger(
    rows: Sequence[tuple[int, str, list[dict[str, Any]]]],
    *,
    kind: str,
    subject_key: str,
    occurrence: str,
    now: dt.datetime,
) -> list[int]:
    """The ledger rows (recipient id, email, items) of one sweep, inserted as ``insert_new``
    inserts ``ledger_row``s, in natural-key order: racing sweeps never deadlock."""
    ordered = sorted(rows, key=_first)
    return insert_columns(
        Notification,
        each={
            "recipient_id": [row[0] for row in ordered],
            "to_email": [row[1] for row in ordered],
            "items": [row[2] for row in ordered],
        },
        same={
            "kind": kind,
            "subject_key": subject_key,
            "occurrence": occurrence,
            "status": NotificationStatus.QUEUED,
            "created_at": now,
            "next_attempt_at": now,
            "updated_at": now,
        },
    )


def _first(row: tuple[Any, ...]) -> Any:
    return row[0]


@functools.cache
def _insert_fields(model: type[models.Model]) -> list[Any]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


_PLAIN = (int, str)


def _insert_new_postgresql(
    model: type[models.Model], fields: Sequence[Any], values: Sequence[Sequence[Any] | _Same]
) -> list[int]:
    """One array per column through unnest: a handful of parameters, however many rows.

    A VALUES list would carry one placeholder per cell (tens of thousands for a national
    sweep), each parsed and quoted on the client before the server sees the statement. A
    column with the same value in every row (the kind, the status, the times) is sent once.
    """
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    params: list[Any] = []
    sources: list[str] = []
    selects: list[str] = []
    for column, raw in zip(fields, values, strict=True):
        name = connection.ops.quote_name(column.column)
        is_json = isinstance(column, models.JSONField)
        db_type = "text" if is_json else column.db_type(connection)
        selects.append(f"{name}::jsonb" if is_json else name)
        if isinstance(raw, _Same):
            first, same = raw.value, True
        else:
            first = raw[0]
            same = all(value == first for value in raw)
        if same:
            value = json.dumps(first) if is_json else column.get_db_prep_save(first, connection)
            params.append(value)
            sources.append(f"%s::{db_type} AS {name}")
            continue
        assert not isinstance(raw, _Same)
        if is_json:
            # One JSON array, quoted once, rather than thousands of JSON strings in a text[].
            params.append(json.dumps(raw))
            sources.append(f"jsonb_array_elements(%s::jsonb) AS {name}")
        else:
            params.append(
                [
                    # A plain int or str is already what the column takes (ids, text).
                    value if type(value) in _PLAIN else column.get_db_prep_save(value, connection)
                    for value in raw
                ]
            )
            sources.append(f"unnest(%s::{db_type}[]) AS {name}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {', '.join(selects)} "
            f"FROM (SELECT {', '.join(sources)}) AS rows "
            f"ON CONFLICT DO NOTHING RETURNING id",
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def ids_condition(column: str, ids: Iterable[int]) -> tuple[str, list[Any]]:
    """``column IN ids`` for a statement written out, and its parameters: on PostgreSQL one
    array parameter (``= ANY``), not one placeholder per id, which the driver would parse and
    quote one by one."""
    ids = sorted(set(ids))
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    if not ids:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


class OneOf(Lookup):  # type: ignore[type-arg]
    """``lhs IN values``, used as a condition (``filter(OneOf(F("day"), days))``): on
    PostgreSQL one array parameter (``= ANY``), not one placeholder per value, which the
    driver would parse and quote one by one; elsewhere ``IN``."""

    lookup_name = "one_of"
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        return In(self.lhs, list(self.rhs)).as_sql(compiler, connection)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, Any]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, sorted(set(self.rhs))]
