from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from indexer.db import Database
from indexer.db.engine import downgrade, upgrade
from indexer.db.models import AuditEntry, Base


def test_migrations_create_every_model_table(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_migrations_downgrade_and_upgrade_again(db: Database) -> None:
    downgrade(db.engine, "base")
    assert "providers" not in inspect(db.engine).get_table_names()
    upgrade(db.engine)
    assert "providers" in inspect(db.engine).get_table_names()


def test_models_match_migrations(db: Database) -> None:
    """Autogenerate against the migrated schema finds nothing to add: models and migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if d[0] in ("add_table", "add_column", "remove_table", "remove_column")] == []


def test_audit_log_is_append_only(db: Database) -> None:
    with db.session() as s:
        s.add(AuditEntry(username="mod", action="approve", provider_id=1, reason="ok"))
        s.commit()
    for stmt in ("UPDATE audit_log SET reason = 'changed'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(stmt))
    with db.session() as s:
        assert s.query(AuditEntry).count() == 1
