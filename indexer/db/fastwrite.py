"""Bulk writes through the DB-API cursor, for the indexer's hot tables (evidence, links, outbox).

SQLAlchemy's per-row parameter processing costs more than the database itself at 10^5-10^6 rows. These helpers
serialise JSON and datetimes once, in the exact format the ORM column types write (so ORM reads are unchanged),
and hand plain tuples to ``executemany``. ``None`` is written as SQL NULL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, Table, false, literal_column
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")

_ENCODER = json.JSONEncoder(ensure_ascii=False)  # built once: json.dumps(..., ensure_ascii=False) builds one per call


@lru_cache(maxsize=16384)
def _json_str(v: str) -> str:
    return _ENCODER.encode(v)


@lru_cache(maxsize=16384)
def _json_strs(v: tuple[str, ...]) -> str:
    return _ENCODER.encode(list(v))


def json_text(v: Any) -> str | None:
    """The JSON text of a value; strings and lists of strings (most evidence values) are memoised."""
    if v is None:
        return None
    if isinstance(v, str):
        return _json_str(v)
    if isinstance(v, list) and all(type(x) is str for x in v):
        return _json_strs(tuple(v))
    return _ENCODER.encode(v)


def in_chunks(values: Iterable[T], n: int = 900) -> Iterator[list[T]]:
    """The distinct ``values``, sorted, in lists of at most ``n``: ``IN`` lists of bound parameters stay under
    SQLite's limit of variables per statement."""
    items: list[T] = sorted(set(values))  # type: ignore[type-var]
    for i in range(0, len(items), n):
        yield items[i:i + n]


def ids_in(column: Any, ids: Any) -> ColumnElement[bool]:
    """``column IN (1, 2, ...)`` with the integers inlined: thousands of bound parameters cost SQLAlchemy more
    to render than the query costs the database. Only for integer ids (each is passed through ``int``)."""
    items = sorted({int(i) for i in ids})
    if not items:
        return false()
    return column.op("IN")(literal_column("(" + ",".join(map(str, items)) + ")"))


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
                out.append(json_text)
        elif isinstance(col_type, DateTime) or isinstance(getattr(col_type, "impl", None), DateTime):
            if dialect == "postgresql":
                out.append(lambda v: None if v is None else (v if v.tzinfo else v.replace(tzinfo=UTC)))
            else:
                out.append(_sqlite_datetime)
        else:
            out.append(None)
    return out


def _rows(rows: list[dict[str, Any]], cols: Sequence[str], conv: list[Any]) -> list[tuple[Any, ...]]:
    getter = itemgetter(*cols)
    if len(cols) == 1:
        f = conv[0] or (lambda v: v)
        return [(f(getter(r)),) for r in rows]
    todo = [(i, f) for i, f in enumerate(conv) if f is not None]
    if not todo:
        return [getter(r) for r in rows]
    out = []
    for r in rows:
        t = list(getter(r))
        for i, f in todo:
            t[i] = f(t[i])
        out.append(tuple(t))
    return out


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
