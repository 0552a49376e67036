"""`kdir demo`: the whole product on the embedded defaults, offline.

Serves the bundled sample web on loopback, crawls it with the real spiders, indexes and verifies it against the
sample registry, publishes it (leaving a few listings pending for the moderation queue), creates demo
accounts and serves the site. Re-running it duplicates nothing: the sample web keeps fixed addresses, so every
observation is recognised as already stored.
"""

from __future__ import annotations

import dataclasses
import os
import time

import click

from kdir.cli.common import fail, load_settings, open_database

DEMO_ACCOUNTS = (("moderator", "demo-moderator", "moderator"), ("admin", "demo-admin", "admin"))


def _step(n: int, total: int, text: str) -> None:
    click.echo(click.style(f"[{n}/{total}] ", bold=True) + text)


def crawl_sample_web(settings, db, web, *, echo=click.echo) -> None:  # type: ignore[no-untyped-def]
    """Crawl the running sample web with the real spiders (each in its own process)."""
    from crawler.runner import run_spider
    from indexer.db.models import CrawlRun
    from indexer.summaries import crawl_sentence

    # The registry API is our own loopback server here, so its pacing is switched off; the clinic sites
    # keep every politeness rule (robots.txt, Crawl-delay, two requests per host).
    fast = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}
    crawls = (
        ("directory", {"source": "sample", "base_url": web.directory_url}, None),
        ("clinic_site", {"urls": ",".join(web.sites.values())}, None),
        ("nppes", {"api": web.nppes_url, "states": "TX,CO,OR,NC,AZ,MA,RI,WA,NM"}, fast),
        ("osm", {"api": web.overpass_url}, None),
    )
    for spider, args, extra in crawls:
        started = time.monotonic()
        run_id = run_spider(spider, args, settings=settings, trigger="demo", extra_settings=extra)
        with db.session() as s:
            run = s.get(CrawlRun, run_id)
            echo("      " + crawl_sentence(run_id=run.id, spider=spider, status=run.status, items=run.items_count,
                                       new=run.new_count, pages=run.pages_count, errors=run.errors_count,
                                       seconds=time.monotonic() - started, suspect_reason=run.suspect_reason))
            render = run.rendering
            if render and render["pages"]:
                echo(f"      {'':4} {render['pages']} pages of single-page apps rendered in chromium "
                     f"({render['seconds']}s, {render['failures']} failed)")
            if render and render["unavailable"]:
                n = render["unavailable"]
                echo(f"      {'':4} {n} single-page-app site{'s' if n != 1 else ''} not read: {render['off_reason']}")


def index_and_publish(settings, db, *, echo=click.echo) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Index and verify, approve the sample data (leaving a few pending), publish to search."""
    from indexer.demo_data import publish_demo
    from indexer.pipeline import run_index
    from indexer.publish import publish_outbox
    from indexer.search import open_backend

    counts: dict[str, int] = {}
    from indexer.summaries import report_sentence

    report = run_index(db, settings)
    echo(f"      indexed: {report_sentence(report)}")
    with db.session() as s:
        published, pending = publish_demo(s)
        s.commit()
    backend = open_backend(settings)
    try:
        sent = publish_outbox(db, backend)
        counts.update(published=published, pending=pending, indexed=backend.count(), sent=sent)
    finally:
        backend.close()
    return counts


def queue_summary(db) -> str:  # type: ignore[no-untyped-def]
    """The moderation queue in words, from the same count the queue page and /ops show."""
    from indexer.review_queue import queue_counts

    with db.session() as s:
        return f"Moderation queue: {queue_counts(s).sentence()}."


def ensure_demo_accounts(db) -> None:  # type: ignore[no-untyped-def]
    from web.auth.accounts import create_user, find_user

    with db.session() as s:
        for username, password, role in DEMO_ACCOUNTS:
            if find_user(s, username) is None:
                create_user(s, username, password, role)
        s.commit()


@click.command(help="Serve the bundled sample web on loopback, crawl it with the real spiders, index and verify "
                    "it, publish it and serve the site (offline; re-running duplicates nothing).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the site listens on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="Port of the site.")
@click.option("--sampleweb-port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port of every sample-web host (0 = ephemeral, for tests; fixed keeps re-runs idempotent).")
@click.option("--first-octet", default=10, show_default=True, type=click.IntRange(1, 240),
              help="The sample web uses 127.0.0.N from this N upwards.")
@click.option("--no-serve", is_flag=True, help="Stop after crawling and indexing (for tests and CI).")
def command(host: str, port: int, sampleweb_port: int, first_octet: int, no_serve: bool) -> None:
    from kdir.sampleweb.server import SampleWeb

    os.environ.setdefault("KDIR_ENV", "demo")
    base = load_settings()
    if not base.is_local:
        fail("kdir demo runs only with KDIR_ENV=demo, debug or test (it creates demo accounts)")
    total = 5 if no_serve else 6
    _step(1, total, "Serving the sample web on loopback ...")
    try:
        web = SampleWeb(first_octet=first_octet, port=sampleweb_port).start()
    except ValueError as exc:  # the sample web refuses its addresses
        fail(f"cannot serve the sample web: {exc}")
    except OSError as exc:
        fail(f"cannot serve the sample web on 127.0.0.{first_octet}+:{sampleweb_port} ({exc.strerror}); "
             "is another demo running? Try --sampleweb-port 0")
    try:
        for name, url in {**web.sites, "directory": web.directory_url}.items():
            click.echo(f"      {name:22} {url}")
        click.echo(f"      {'NPI registry API':22} {web.nppes_url}")
        settings = dataclasses.replace(base, nppes_url=web.nppes_url, overpass_url=web.overpass_url)
        _step(2, total, f"Preparing the database {settings.describe()['database_url']} ...")
        db = open_database(settings)
        ensure_demo_accounts(db)
        _step(3, total, "Crawling the sample web (directory, clinic sites, NPI registry, OpenStreetMap) ...")
        crawl_sample_web(settings, db, web)
        _step(4, total, "Indexing: merging, verifying credentials against the registry, aggregating reviews ...")
        counts = index_and_publish(settings, db)
        _step(5, total, f"Published {counts['published']} listings ({counts['indexed']} searchable); "
                        f"{counts['pending']} left pending for the moderation queue.")
        click.echo(f"      {queue_summary(db)}")
        if no_serve:
            return
        from werkzeug.serving import run_simple

        from web import create_app

        app = create_app(settings, db=db)
        _step(6, total, "Serving the site.")
        click.echo("")
        click.echo(click.style(f"  Open http://{host}:{port}/", bold=True))
        for username, password, role in DEMO_ACCOUNTS:
            click.echo(f"  Demo {role} login: {username} / {password}   (http://{host}:{port}/login)")
        click.echo("  Press Ctrl-C to stop.")
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        web.stop()
