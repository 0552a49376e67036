"""The long-running scheduler (APScheduler 3) and the background runs started from ``/ops``.

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

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from kdir.common.config import Settings
from kdir.scheduler.jobs import SourceJob

log = logging.getLogger("kdir.scheduler")
#: Exit codes of ``kdir schedule --once``.
EXIT_OK, EXIT_FAILED, EXIT_SKIPPED = 0, 1, 3


def settings_env(settings: Settings) -> dict[str, str]:
    """Environment that reproduces ``settings`` in a child process (secrets travel in the environment,
    never on the command line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDIR_")}
    env.update(settings.to_env())
    return env


def cycle_command(name: str, trigger: str) -> list[str]:
    return [sys.executable, "-m", "kdir.cli", "schedule", "--once", name, "--trigger", trigger]


def spawn_cycle(settings: Settings, name: str, trigger: str = "schedule") -> subprocess.Popen[bytes]:
    """Start one cycle of source ``name`` in a child process; returns at once."""
    return subprocess.Popen(cycle_command(name, trigger), env=settings_env(settings), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def run_cycle_child(settings: Settings, name: str, trigger: str = "schedule") -> int:
    """The scheduled job: one cycle in a child process, waited for. Returns its exit code."""
    proc = subprocess.run(cycle_command(name, trigger), env=settings_env(settings), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, check=False)
    line = (proc.stdout.strip().splitlines() or [""])[-1]
    if proc.returncode == EXIT_OK or proc.returncode == EXIT_SKIPPED:
        log.info("%s", line or f"{name}: exit {proc.returncode}")
    else:
        err = (proc.stderr.strip().splitlines() or [""])[-1]
        log.error("%s: cycle exited %d: %s", name, proc.returncode, line or err)
    return proc.returncode


def start_background(settings: Settings, name: str, trigger: str = "ops") -> threading.Thread:
    """Run one cycle in the background (for the /ops button): a thread waits for the child process."""
    thread = threading.Thread(target=run_cycle_child, args=(settings, name, trigger), name=f"cycle:{name}",
                              daemon=True)
    thread.start()
    return thread


def build_scheduler(settings: Settings, jobs: Sequence[SourceJob],
                    scheduler: BaseScheduler | None = None) -> BaseScheduler:
    """A scheduler with one cron job per enabled source (never two instances of a job at once)."""
    sched = scheduler or BlockingScheduler(timezone="UTC")
    for job in jobs:
        if not job.enabled:
            continue
        sched.add_job(run_cycle_child, trigger=job.trigger(), args=[settings, job.name, "schedule"], id=job.name,
                      name=f"{job.name} ({job.cron})", max_instances=1, coalesce=True, misfire_grace_time=3600,
                      replace_existing=True)
    return sched


def serve(settings: Settings, jobs: Sequence[SourceJob], on_ready: Callable[[], None] | None = None) -> None:
    """Run until SIGTERM/SIGINT, then stop after the running cycles end (a second signal stops at once)."""
    from apscheduler.schedulers.background import BackgroundScheduler

    stop = threading.Event()

    def request_stop(signum: int, _frame: Any) -> None:
        log.info("signal %d: stopping after the running cycles end", signum)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    sched = build_scheduler(settings, jobs, BackgroundScheduler(timezone="UTC"))
    sched.start()
    try:
        if on_ready is not None:
            on_ready()
        while not stop.wait(3600):
            pass
    finally:
        sched.shutdown(wait=True)
