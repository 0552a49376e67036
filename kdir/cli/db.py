from __future__ import annotations

import click

from kdir.cli.common import load_settings, open_database


@click.group(help="Database schema management (Alembic migrations; same on SQLite and PostgreSQL).")
def command() -> None:
    pass


@command.command(help="Upgrade the schema to the latest migration.")
def upgrade() -> None:
    settings = load_settings()
    db = open_database(settings, migrate=True)
    click.echo(f"database at head: {db.engine.url.render_as_string(hide_password=True)}")


@command.command(help="Show the current schema revision.")
def current() -> None:
    from alembic.migration import MigrationContext

    settings = load_settings()
    db = open_database(settings, migrate=False)
    with db.engine.connect() as conn:
        click.echo(MigrationContext.configure(conn).get_current_revision() or "(empty database)")
