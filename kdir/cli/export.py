"""``kdir export``: write the published directory as JSONL, CSV, GeoJSON or HSDS 3.0 (docs/export.md)."""

from __future__ import annotations

import io
import os
import sys
from functools import partial
from pathlib import Path

import click

from kdir.cli.common import fail, interactive, load_settings, open_database
from kdir.cli.common import progress as show_progress


@click.command(help="Export published providers as JSONL, CSV, GeoJSON or HSDS 3.0 JSON (stdout unless -o).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "geojson", "hsds"]), required=True,
              help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="File to write (written to a temporary file, then renamed). Default: stdout.")
@click.option("--include-stale", is_flag=True, help="Also export listings not seen in recent crawls.")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte-order mark (for Excel).")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True,
              help="Providers read from the database per query.")
def command(fmt: str, output: Path | None, include_stale: bool, bom: bool, batch_size: int) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from indexer.export import count_published, export, export_to_path

    settings = load_settings()
    db = open_database(settings, migrate=False)  # an export only reads: never migrate a live database here
    if output is not None and not output.parent.is_dir():
        fail(f"--output: folder {str(output.parent)!r} does not exist")
    try:
        progress = None
        if interactive():
            total = count_published(db, include_stale)
            progress = partial(show_progress, total=total, desc="export")
        if output is not None:
            stats = export_to_path(db, fmt, output, include_stale=include_stale, batch_size=batch_size, bom=bom,
                                   progress=progress)
        else:
            sys.stdout.flush()
            binary = getattr(sys.stdout, "buffer", None)
            stream = io.TextIOWrapper(binary, encoding="utf-8", newline="") if binary is not None else sys.stdout
            try:
                stats = export(db, fmt, stream, include_stale=include_stale, batch_size=batch_size, bom=bom,
                               progress=progress)
            finally:
                if stream is not sys.stdout:
                    try:
                        stream.flush()
                    finally:
                        stream.detach()  # type: ignore[attr-defined]  # leave the process's stdout open
    except BrokenPipeError:
        # The reader went away (e.g. `kdir export ... | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        fail(f"KDIR_DATABASE_URL: cannot read providers ({reason}); is the schema up to date? (kdir db upgrade)")
    except OSError as exc:
        where = f"--output: {exc.filename or output}" if output is not None else "stdout"
        fail(f"{where}: {exc.strerror or exc}")
    finally:
        db.dispose()
    click.echo(f"kdir: {stats.summary()}", err=True)

