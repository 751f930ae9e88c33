"""Fast bulk inserts for import hot paths.

``bulk_create`` spends most of its time compiling SQL and preparing each value
through the field machinery; an import of millions of rows cannot afford that.
``fast_insert`` writes plain rows with one ``executemany`` per chunk, converting
only the value types that need it (JSON, dates, datetimes) for the database in
use. Callers pass complete rows (every listed column), so no model defaults run.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models


class RawJson(str):
    """JSON text already serialised by the caller: written as is, not encoded again."""


def _converter(field: models.Field, vendor: str):
    if isinstance(field, models.JSONField):
        if vendor == "postgresql":
            from psycopg.types.json import Jsonb

            return lambda v: None if v is None else (Jsonb(v, dumps=str) if isinstance(v, RawJson) else Jsonb(v))
        return lambda v: None if v is None else (v if isinstance(v, RawJson) else json.dumps(v, ensure_ascii=False))
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else field.get_db_prep_save(v, connection)
    if isinstance(field, models.DateField) and vendor != "postgresql":
        return lambda v: v.isoformat() if isinstance(v, dt.date) else v
    return None


def fast_insert(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]],
                chunk: int = 2000) -> None:
    """INSERT ``rows`` (tuples in the order of ``columns``, field names) into ``model``'s table."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    convert = [_converter(f, connection.vendor) for f in fields]
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    converting = [(i, c) for i, c in enumerate(convert) if c is not None]
    if converting:
        prepared = []
        for row in rows:
            values = list(row)
            for i, c in converting:
                values[i] = c(values[i])
            prepared.append(values)
    else:
        prepared = rows
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), chunk):
            cursor.executemany(sql, prepared[start:start + chunk])
