"""The append-only audit log of moderator and operator actions: writer, reader and export.

Rows are only ever inserted; database triggers (migration 0001) refuse UPDATE and DELETE on ``audit_log``.
Entries are written in the same transaction as the action they describe, so an action without its entry
cannot be committed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.db.models import AuditEntry

#: Every action name written to the log.
ACTIONS = (
    "approve", "reject", "edit", "clear_override", "merge", "split", "hide_review", "unhide_review",
    "resolve_flag", "user_add", "user_passwd", "user_disable", "user_enable", "login_locked", "run_start",
)
EXPORT_COLUMNS = ("id", "at", "username", "user_id", "action", "provider_id", "reason", "details")


@dataclass(frozen=True)
class Actor:
    """Who acts: a moderator/admin account, or a named system process (``user_id`` None)."""

    username: str
    user_id: int | None = None


def record(session: Session, actor: Actor, action: str, *, provider_id: int | None = None, reason: str = "",
           details: dict[str, Any] | None = None) -> AuditEntry:
    """Add one entry to the session (committed with the caller's transaction)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(user_id=actor.user_id, username=actor.username[:80], action=action,
                       provider_id=provider_id, reason=reason or "", details=dict(details or {}))
    session.add(entry)
    return entry


def entries(session: Session, *, provider_id: int | None = None, action: str | None = None,
            username: str | None = None, limit: int | None = 500, before_id: int | None = None) -> list[AuditEntry]:
    """The newest entries first, optionally filtered."""
    q = select(AuditEntry).order_by(AuditEntry.id.desc())
    if provider_id is not None:
        q = q.where(AuditEntry.provider_id == provider_id)
    if action:
        q = q.where(AuditEntry.action == action)
    if username:
        q = q.where(AuditEntry.username == username)
    if before_id is not None:
        q = q.where(AuditEntry.id < before_id)
    if limit is not None:
        q = q.limit(limit)
    return list(session.scalars(q))


def as_dict(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": entry.at.isoformat(), "username": entry.username, "user_id": entry.user_id,
            "action": entry.action, "provider_id": entry.provider_id, "reason": entry.reason,
            "details": entry.details or {}}


def _all_in_order(session: Session, batch: int = 1000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.id > last)
                                    .order_by(AuditEntry.id).limit(batch)))
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas in hostile text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def iter_csv(session: Session) -> Iterator[str]:
    """The whole log as CSV text chunks, oldest first (header line first)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(EXPORT_COLUMNS)
    for entry in _all_in_order(session):
        row = as_dict(entry)
        row["details"] = json.dumps(row["details"], sort_keys=True, ensure_ascii=False)
        writer.writerow([_csv_safe(str(row[c])) if row[c] is not None else "" for c in EXPORT_COLUMNS])
        if buf.tell() > 64 * 1024:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def iter_jsonl(session: Session) -> Iterator[str]:
    """The whole log as JSON Lines, oldest first."""
    for entry in _all_in_order(session):
        yield json.dumps(as_dict(entry), ensure_ascii=False, sort_keys=True) + "\n"
