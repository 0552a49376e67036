"""``kdir runs``: recent crawl runs, one line each."""

from __future__ import annotations

import click

from kdir.cli.common import load_settings, open_database


def format_run(run, source_key: str) -> str:  # type: ignore[no-untyped-def]
    dur = f"{run.duration_s:.0f}s" if run.duration_s is not None else "-"
    codes = ",".join(f"{k}:{v}" for k, v in sorted((run.status_codes or {}).items()))
    line = (f"#{run.id:<5} {run.started_at.strftime('%Y-%m-%d %H:%M')} {source_key:<20} {run.spider:<12} "
            f"{run.status:<8} {dur:>6} items {run.items_count} new {run.new_count} pages {run.pages_count} "
            f"errors {run.errors_count} [{run.trigger}]")
    if codes:
        line += f" http {codes}"
    render = run.rendering
    if render:
        line += f" rendered {render['pages']} ({render['seconds']}s, {render['failures']} failed"
        line += f", {render['unavailable']} unread: {render['off_reason']})" if render["unavailable"] else ")"
    note = run.error or run.suspect_reason
    if note:
        line += " -- " + " ".join(note.split())[:200]
    return line


@click.command(help="List recent crawl runs, newest first, one line each.")
@click.option("--source", "source", metavar="KEY", help="Only runs of this source key.")
@click.option("--status", type=click.Choice(["running", "ok", "suspect", "failed"]), help="Only runs with this status.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000))
def command(source: str | None, status: str | None, limit: int) -> None:
    from sqlalchemy import select

    from indexer.db.models import CrawlRun, Source

    db = open_database(load_settings())
    with db.session() as s:
        q = select(CrawlRun, Source.key).join(Source, Source.id == CrawlRun.source_id).order_by(CrawlRun.id.desc())
        if source:
            q = q.where(Source.key == source)
        if status:
            q = q.where(CrawlRun.status == status)
        rows = list(s.execute(q.limit(limit)))
        for run, key in rows:
            click.echo(format_run(run, key))
        if not rows:
            click.echo("no runs" + (f" for source {source!r}" if source else ""), err=True)
