"""``kdir crawl SPIDER [-a k=v ...] [--resume JOBDIR]``: run one crawl in a subprocess and summarise it."""

from __future__ import annotations

import re

import click

from kdir.cli.common import fail, interactive, load_settings

_LOGSTATS = re.compile(r"Crawled (\d+) pages .*scraped (\d+) items")
SPIDERS = ("clinic_site", "directory", "nppes", "osm")


def _pairs(values: tuple[str, ...], flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in values:
        key, sep, value = raw.partition("=")
        if not sep or not key.strip():
            fail(f"{flag} expects KEY=VALUE, got {raw!r}")
        out[key.strip()] = value
    return out


@click.command(help="Run a spider (clinic_site, directory, nppes, osm) and store its observations.\n\n"
                    "Examples: kdir crawl clinic_site -a urls=https://clinic.example; "
                    "kdir crawl directory -a source=sample -a base_url=http://127.0.0.19:8000")
@click.argument("spider", type=click.Choice(SPIDERS))
@click.option("-a", "arg", multiple=True, metavar="KEY=VALUE", help="Spider argument (repeatable).")
@click.option("-s", "setting", multiple=True, metavar="NAME=VALUE", help="Scrapy setting (repeatable).")
@click.option("--jobdir", type=click.Path(file_okay=False), help="Keep crawl state here so it can be resumed.")
@click.option("--resume", "resume", type=click.Path(file_okay=False, exists=True),
              help="Resume the crawl kept in this JOBDIR (same run).")
@click.option("--attach", "attach", type=int, metavar="RUN_ID",
              help="Join an existing run (e.g. a second process of a distributed crawl, KDIR_REDIS_URL set).")
@click.option("--trigger", default="manual", show_default=True, help="Recorded as the run's trigger.")
@click.option("--timeout", type=float, help="Stop the crawl after this many seconds (it is then failed).")
def command(spider: str, arg: tuple[str, ...], setting: tuple[str, ...], jobdir: str | None, resume: str | None,
            attach: int | None, trigger: str, timeout: float | None) -> None:
    from crawler.runner import CrawlFailed, CrawlInterrupted, CrawlRunning, run_spider, run_status
    from indexer.db.engine import DatabaseUnavailable

    settings = load_settings()
    args = _pairs(arg, "-a")
    extra: dict[str, object] = dict(_pairs(setting, "-s"))
    if resume and jobdir and resume != jobdir:
        fail("give either --jobdir or --resume, not both")
    show = interactive()
    if show:
        extra.setdefault("LOGSTATS_INTERVAL", 5)

    def on_line(line: str) -> None:
        m = _LOGSTATS.search(line)
        if m and show:
            click.echo(f"\r{spider}: {m.group(1)} pages, {m.group(2)} items ...", nl=False, err=True)

    try:
        run_id = run_spider(spider, args, settings=settings, trigger=trigger, jobdir=resume or jobdir,
                            extra_settings=extra, on_line=on_line, timeout=timeout, run_id=attach)
    except DatabaseUnavailable as exc:  # checked before the crawl starts: one line, no traceback
        fail(str(exc))
        return
    except CrawlRunning as exc:
        fail(str(exc), code=3)
        return
    except KeyboardInterrupt:  # Ctrl-C before the crawl process started: nothing is running
        fail("interrupted before the crawl started", code=130)
        return
    except CrawlFailed as exc:
        if show:
            click.echo("", err=True)
        fail(str(exc), code=128 + exc.signum if isinstance(exc, CrawlInterrupted) else 1)
        return
    except ValueError as exc:
        fail(str(exc))
        return
    if show:
        click.echo("", err=True)
    st = run_status(settings, run_id)
    from indexer.summaries import crawl_sentence

    click.echo(crawl_sentence(run_id=run_id, spider=spider, status=st["status"], items=st["items"], new=st["new"],
                              pages=st["pages"], errors=st["errors"], seconds=st["duration"],
                              suspect_reason=st["suspect_reason"]))
