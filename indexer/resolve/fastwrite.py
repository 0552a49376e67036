"""Bulk writes through the DB-API cursor, for the indexer's hot tables (evidence, links, outbox).

SQLAlchemy's per-row parameter processing costs more than the database itself at 10^5-10^6 rows. These helpers
serialise JSON and datetimes once, in the exact format the ORM column types write (so ORM reads are unchanged),
and hand plain tuples to ``executemany``. ``None`` is written as SQL NULL.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, DateTime, Table
from sqlalchemy.orm import Session


@lru_cache(maxsize=4096)
def _sqlite_datetime(v: datetime | None) -> str | None:
    """The text SQLAlchemy's SQLite DateTime type stores (UTC, no offset); most rows share a few instants."""
    if v is None:
        return None
    return (v if v.tzinfo else v.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _converters(table: Table, cols: Sequence[str], dialect: str) -> list[Any]:
    out = []
    for name in cols:
        col_type = table.c[name].type
        if isinstance(col_type, JSON):
            if dialect == "postgresql":
                from psycopg.types.json import Json

                out.append(lambda v: None if v is None else Json(v))
            else:
                out.append(lambda v: None if v is None else json.dumps(v, ensure_ascii=False))
        elif isinstance(col_type, DateTime) or isinstance(getattr(col_type, "impl", None), DateTime):
            if dialect == "postgresql":
                out.append(lambda v: None if v is None else (v if v.tzinfo else v.replace(tzinfo=UTC)))
            else:
                out.append(_sqlite_datetime)
        else:
            out.append(None)
    return out


def _rows(rows: list[dict[str, Any]], cols: Sequence[str], conv: list[Any]) -> list[tuple[Any, ...]]:
    pairs = list(zip(cols, conv, strict=True))
    return [tuple(f(r[c]) if f is not None else r[c] for c, f in pairs) for r in rows]


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows (every row has the same keys)."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect.name
    cols = list(rows[0])
    mark = "%s" if dialect == "postgresql" else "?"
    sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"
    conn.exec_driver_sql(sql, _rows(rows, cols, _converters(table, cols, dialect)))


def update_rows(session: Session, table: Table, rows: list[dict[str, Any]], key: str = "id") -> None:
    """UPDATE many rows by ``key`` (every row has the same keys)."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect.name
    cols = [c for c in rows[0] if c != key]
    mark = "%s" if dialect == "postgresql" else "?"
    sql = f"UPDATE {table.name} SET {', '.join(f'{c} = {mark}' for c in cols)} WHERE {key} = {mark}"
    conv = _converters(table, cols, dialect)
    conn.exec_driver_sql(sql, [t + (r[key],) for t, r in zip(_rows(rows, cols, conv), rows, strict=True)])
