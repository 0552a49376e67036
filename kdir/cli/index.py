"""``kdir index``: normalise, merge and verify observations into providers, then update the search index."""

from __future__ import annotations

import click

from kdir.cli.common import fail, interactive, load_settings, open_database


@click.command(help="Index new and changed observations into providers (incremental; --full redoes all), "
                    "verify credentials against the NPI registry, then publish changes to the search index.")
@click.option("--full", is_flag=True, help="Re-derive every provider from all observations (resumable).")
@click.option("--no-verify", is_flag=True, help="Skip NPI registry verification (no network).")
@click.option("--rebuild", is_flag=True, help="Rebuild the whole search index from the database afterwards.")
@click.option("--repair", is_flag=True,
              help="First repair providers doubled by overlapping index runs (--full always does).")
@click.option("--wait", "wait_s", type=click.FloatRange(0, 86_400), default=0, show_default=True,
              metavar="SECONDS", help="When another index run is in progress, wait this long for it to end.")
@click.option("--batch-size", type=click.IntRange(10, 50_000), default=5000, show_default=True,
              help="Observations per committed batch.")
def command(full: bool, no_verify: bool, rebuild: bool, repair: bool, wait_s: float, batch_size: int) -> None:
    from indexer.pipeline import IndexRunning, run_index

    settings = load_settings()
    db = open_database(settings, migrate=True)
    bar = None
    progress = None
    if interactive():
        from tqdm import tqdm

        bar = tqdm(desc="index", unit="obs", total=0)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

    def on_wait(holder: str | None) -> None:
        click.echo(f"kdir: another index run is in progress ({holder}); waiting up to {wait_s:g}s", err=True)

    try:
        report = run_index(db, settings, progress=progress, full=full, verify=not no_verify,
                           batch_size=batch_size, repair_first=repair, wait_s=wait_s, on_wait=on_wait)
    except IndexRunning as exc:
        fail(str(exc), code=3)
        return
    except Exception as exc:  # noqa: BLE001 - one line for the operator; batches already committed are kept
        fail(f"indexing stopped: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", code=1)
        return
    finally:
        if bar is not None:
            bar.close()
    from indexer.summaries import report_sentence

    click.echo(report_sentence(report))
    published = _publish(db, settings, rebuild)
    if published:
        click.echo(published)


def _publish(db, settings, rebuild: bool) -> str:  # type: ignore[no-untyped-def]
    """Apply the outbox to the search backend (and rebuild it on request); one summary line."""
    from indexer.publish import (  # imported when run: `kdir --help` stays instant
        publish_outbox,
        rebuild_index,
    )
    from indexer.search import open_backend

    try:
        backend = open_backend(settings)
    except Exception as exc:  # noqa: BLE001 - the outbox keeps every change for the next run
        return f"search index not updated: {type(exc).__name__}: {exc}; changes stay queued"
    try:
        parts = []
        if rebuild:
            parts.append(f"search index rebuilt with {rebuild_index(db, backend)} documents")
        parts.append(f"{publish_outbox(db, backend)} search updates applied")
        return "; ".join(parts)
    except Exception as exc:  # noqa: BLE001
        return f"search index update failed: {type(exc).__name__}: {exc}; changes stay queued"
    finally:
        close = getattr(backend, "close", None)
        if close is not None:
            close()


__all__ = ["command", "interactive"]
