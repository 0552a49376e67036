"""``kdir schedule``: run scheduled crawls (crawl -> index -> publish) per source, forever, or one cycle now."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

import click

from kdir.cli.common import fail, interactive, load_settings, open_database


@click.command(help="Run the crawl schedule (KDIR_SCHEDULE_FILE or the built-in one) until stopped. "
                    "Runs of one source never overlap, even across processes; failed steps are retried.")
@click.option("--once", "once", metavar="SOURCE", help="Run one cycle of SOURCE now and exit "
              "(exit 0 ok, 1 failed, 3 skipped because a run of SOURCE is in progress).")
@click.option("--list", "list_", is_flag=True, help="List the scheduled sources and their next run, then exit.")
@click.option("--trigger", type=click.Choice(["manual", "schedule", "ops"]), default="manual", hidden=True)
def command(once: str | None, list_: bool, trigger: str) -> None:
    from kdir.common.schedule import ScheduleError
    from kdir.scheduler.jobs import job_for, load_jobs

    settings = load_settings()
    db = open_database(settings)
    try:
        jobs = load_jobs(settings, db)
    except ScheduleError as exc:
        fail(str(exc))
        return
    if list_:
        now = datetime.now(UTC)
        for job in jobs:
            nxt = job.next_run(now)
            state = nxt.strftime("%Y-%m-%d %H:%M UTC") if nxt else "disabled"
            click.echo(f"{job.name:<24} {job.spider:<12} {job.cron:<16} next {state}  "
                       f"(retry {job.retry.max_attempts}x, backoff {job.retry.backoff_s:g}s)")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    if once:
        _once(settings, db, job_for(once, jobs, db), trigger)
        return
    from kdir.scheduler.service import serve

    enabled = [j for j in jobs if j.enabled]
    serve(settings, jobs, db=db, on_ready=lambda: click.echo(
        f"scheduler: {len(enabled)} source(s): {', '.join(j.name for j in enabled) or 'none'}", err=True))


def _once(settings, db, job, trigger: str) -> None:  # type: ignore[no-untyped-def]
    from kdir.scheduler.cycle import STEPS, run_cycle
    from kdir.scheduler.service import EXIT_FAILED, EXIT_OK, EXIT_SKIPPED

    bar = None
    if interactive():
        from tqdm import tqdm

        bar = tqdm(total=len(STEPS), desc=job.name, unit="step", file=sys.stderr)

    def on_step(step: str) -> None:
        if bar is not None:
            if step != STEPS[0]:
                bar.update(1)
            bar.set_postfix_str(step)

    result = run_cycle(settings, job, db=db, trigger=trigger, on_step=on_step)
    if bar is not None:
        bar.update(bar.total - bar.n if result.status == "ok" else 0)
        bar.close()
    click.echo(result.summary())
    sys.exit({"ok": EXIT_OK, "skipped": EXIT_SKIPPED}.get(result.status, EXIT_FAILED))
