"""The long-running scheduler (APScheduler 3): cron runs per source, and the run requests queued from ``/ops``
(polled every :data:`POLL_S` seconds, :mod:`indexer.run_requests`) -- both through :func:`run_cycle_child`.

Each cycle runs in a child process (``python -m kdir.cli schedule --once NAME``): a crawl that crashes or leaks
never takes the scheduler or the web server down, and Scrapy's reactor starts fresh every time. The child
takes the source's lease itself, so overlapping triggers (a cron tick and an operator's button, or two
scheduler processes) run a source once at a time.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select

from indexer.db import Database
from indexer.db.models import CrawlRun, Source
from indexer.locks import make_holder
from indexer.run_requests import claim, finish
from kdir.common.config import Settings
from kdir.common.schedule import SourceJob

log = logging.getLogger("kdir.scheduler")
#: Exit codes of ``kdir schedule --once``.
EXIT_OK, EXIT_FAILED, EXIT_SKIPPED = 0, 1, 3
POLL_S = 15.0  # how often the scheduler looks for run requests from /ops


def settings_env(settings: Settings) -> dict[str, str]:
    """Environment that reproduces ``settings`` in a child process (secrets travel in the environment,
    never on the command line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDIR_")}
    env.update(settings.to_env())
    return env


def cycle_command(name: str, trigger: str) -> list[str]:
    return [sys.executable, "-m", "kdir.cli", "schedule", "--once", name, "--trigger", trigger]


def _child_cycle(settings: Settings, name: str, trigger: str) -> tuple[int, str]:
    """One cycle in a child process, waited for: its exit code and its last line (summary or error)."""
    proc = subprocess.run(cycle_command(name, trigger), env=settings_env(settings), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, check=False)
    line = (proc.stdout.strip().splitlines() or [""])[-1]
    if proc.returncode == EXIT_OK or proc.returncode == EXIT_SKIPPED:
        log.info("%s", line or f"{name}: exit {proc.returncode}")
        return proc.returncode, line
    err = (proc.stderr.strip().splitlines() or [""])[-1]
    log.error("%s: cycle exited %d: %s", name, proc.returncode, line or err)
    return proc.returncode, line or err or f"exit {proc.returncode}"


def run_cycle_child(settings: Settings, name: str, trigger: str = "schedule") -> int:
    """The scheduled job: one cycle in a child process, waited for. Returns its exit code."""
    return _child_cycle(settings, name, trigger)[0]


def _runs_since(db: Database, name: str, after_id: int) -> list[int]:
    with db.session() as s:
        return list(s.scalars(select(CrawlRun.id).join(Source, Source.id == CrawlRun.source_id)
                              .where(Source.key == name, CrawlRun.id > after_id).order_by(CrawlRun.id)))


def run_requested(settings: Settings, db: Database, holder: str) -> int:
    """The poll job: claim the queued run requests one at a time and run each like a cron run (trigger
    "ops"); returns how many were handled. Each request is claimed by exactly one scheduler process."""
    handled = 0
    while (req := claim(db.factory, holder)) is not None:
        handled += 1
        with db.session() as s:
            before = int(s.scalar(select(CrawlRun.id).order_by(CrawlRun.id.desc()).limit(1)) or 0)
        try:
            code, line = _child_cycle(settings, req.source_key, "ops")
        except Exception as exc:  # noqa: BLE001 - never leave a claimed request "running"
            code, line = EXIT_FAILED, f"{type(exc).__name__}: {exc}"
        error = None if code == EXIT_OK else (
            "skipped: another run of this source was in progress" if code == EXIT_SKIPPED else line)
        finish(db.factory, req.id, ok=code == EXIT_OK, run_ids=_runs_since(db, req.source_key, before),
               error=error)
    return handled


def build_scheduler(settings: Settings, jobs: Sequence[SourceJob], scheduler: BaseScheduler | None = None,
                    db: Database | None = None) -> BaseScheduler:
    """A scheduler with one cron job per enabled source (never two instances of a job at once), and with a
    database, the poll job that runs the requests queued from /ops."""
    sched = scheduler or BlockingScheduler(timezone="UTC")
    if db is not None:
        sched.add_job(run_requested, trigger="interval", seconds=POLL_S, args=[settings, db, make_holder()],
                      id="run-requests", name="run requests from /ops", max_instances=1, coalesce=True,
                      replace_existing=True)
    for job in jobs:
        if not job.enabled:
            continue
        sched.add_job(run_cycle_child, trigger=job.trigger(), args=[settings, job.name, "schedule"], id=job.name,
                      name=f"{job.name} ({job.cron})", max_instances=1, coalesce=True, misfire_grace_time=3600,
                      replace_existing=True)
    return sched


def serve(settings: Settings, jobs: Sequence[SourceJob], on_ready: Callable[[], None] | None = None,
          db: Database | None = None) -> None:
    """Run until SIGTERM/SIGINT, then stop after the running cycles end (a second signal stops at once)."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: Any) -> None:
        log.info("signal %d: stopping after the running cycles end", signum)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    sched = build_scheduler(settings, jobs, BackgroundScheduler(timezone="UTC"), db=db)
    sched.start()
    try:
        if on_ready is not None:
            on_ready()
        while not stop.wait(3600):
            pass
    finally:
        sched.shutdown(wait=True)
