"""Helpers shared by the subcommands: settings and database with one-line errors, progress reporting."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

import click

from kdir.common.config import ConfigError, Settings

T = TypeVar("T")


def fail(message: str, code: int = 2) -> None:
    """Print one clear line on stderr and exit (no traceback)."""
    click.echo(f"kdir: error: {message}", err=True)
    sys.exit(code)


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except ConfigError as exc:
        fail(str(exc))
        raise  # unreachable


def open_database(settings: Settings, *, migrate: bool = True):  # type: ignore[no-untyped-def]
    """Connect (and by default migrate) the configured database, or exit with one line naming the variable."""
    from indexer.db import Database
    from indexer.db.engine import DatabaseUnavailable

    try:
        return Database.connect(settings.database_url, migrate=migrate)
    except DatabaseUnavailable as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - e.g. a migration error; one line, not a traceback
        fail(f"KDIR_DATABASE_URL: {type(exc).__name__}: {str(exc).splitlines()[0]}")


def interactive() -> bool:
    return sys.stderr.isatty()


def progress(items: Iterable[T], *, total: int | None = None, desc: str = "") -> Iterator[T]:
    """A progress bar on an interactive terminal; silent otherwise (commands print a summary line at the end)."""
    if not interactive():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, total=total, desc=desc, unit="item", file=sys.stderr)
