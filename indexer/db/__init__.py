"""Database layer: typed SQLAlchemy 2.0 models, engine/session factory and Alembic migrations."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from indexer.db.engine import check_connection, make_engine, session_factory, upgrade


@dataclass
class Database:
    """An engine and its session factory: the one handle every layer passes around."""

    url: str
    engine: Engine
    factory: sessionmaker[Session] = field(repr=False)

    @classmethod
    def connect(cls, url: str, *, migrate: bool = False, **engine_kwargs: object) -> Database:
        """Open the database (raising DatabaseUnavailable with a one-line reason) and optionally migrate it."""
        engine = make_engine(url, **engine_kwargs)
        check_connection(engine)
        db = cls(url=url, engine=engine, factory=session_factory(engine))
        if migrate:
            db.upgrade()
        return db

    def upgrade(self) -> None:
        upgrade(self.engine)

    def session(self) -> Session:
        return self.factory()

    def dispose(self) -> None:
        self.engine.dispose()
