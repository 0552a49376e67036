"""Run a spider in a subprocess (Twisted's reactor cannot restart in-process) and return its crawl run id.

    run_id = run_spider("clinic_site", {"urls": "https://a.example"}, settings=Settings.from_env())

The run is created here first (so the caller knows its id even if the crawl dies) and the subprocess attaches
to it with ``-a run_id=N``. With a JOBDIR, the run id is kept in ``JOBDIR/kdir_run_id`` so that resuming the
same JOBDIR continues the same run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.render.config import RenderConfigError, find_browser
from indexer.db import Database
from indexer.db.models import CrawlRun
from indexer.locks import LockHeld, lease, lease_store
from indexer.storage import ObservationStore
from kdir.common.config import Settings

ROOT = Path(__file__).resolve().parent.parent
RUN_ID_FILE = "kdir_run_id"
#: Present in a JOBDIR while its crawl process runs; left behind when the process did not end cleanly.
OPEN_MARKER = "kdir_crawl_open"
SPIDERS = ("clinic_site", "directory", "nppes", "osm")


CRAWL_LEASE_TTL_S = 120.0  # renewed every TTL/3 while the crawl runs; frees the source after a killed parent


class CrawlFailed(RuntimeError):
    """The crawl subprocess failed; the message is one line with the reason and the log's last line."""

    def __init__(self, message: str, run_id: int | None = None):
        super().__init__(message)
        self.run_id = run_id


class CrawlInterrupted(CrawlFailed):
    """SIGINT or SIGTERM stopped the crawl; the child shut down gracefully and the job directory can resume."""

    def __init__(self, message: str, run_id: int | None, signum: int):
        super().__init__(message, run_id)
        self.signum = signum


class CrawlRunning(RuntimeError):
    """Another crawl of the same source (or job directory) is running; the message is one line."""


def source_of(spider: str, args: dict[str, str]) -> tuple[str, str]:
    """(source key, source kind) of a spider run: ``directory`` runs are per directory definition."""
    if spider == "directory":
        name = args.get("source", "").strip()
        if not name:
            raise ValueError("the directory spider needs -a source=NAME (a YAML file in crawler/sources/)")
        return f"directory:{name}", "directory"
    if spider == "nppes":
        return "nppes", "registry"
    if spider == "osm":
        return "osm", "osm"
    return spider, "clinic_site"


def _source_title(spider: str, args: dict[str, str]) -> str | None:
    """A directory's own title (its definition's ``title``): the name patients read for it (Source.name)."""
    if spider != "directory":
        return None
    from crawler.spiders._sources import SourceError, load_source

    try:
        return load_source(args.get("source", "").strip()).title
    except SourceError:
        return None


def child_env(settings: Settings) -> dict[str, str]:
    """The subprocess environment: ours, with the effective settings spelt out as KDIR_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDIR_")}
    env.update(settings.to_env())
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return env


@dataclass
class CrawlProcess:
    """A running crawl: the subprocess, its run id and the tail of its log (also written to ``log_path``)."""

    run_id: int
    process: subprocess.Popen[bytes]
    log_path: Path
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=40))
    _reader: threading.Thread | None = None

    def wait(self, timeout: float | None = None) -> int:
        code = self.process.wait(timeout=timeout)
        if self._reader is not None:
            self._reader.join(timeout=5)
        return code


def check_args(spider: str, args: dict[str, str], settings: Settings) -> None:
    """Build the spider in-process (no crawl) so that bad arguments fail before a run is recorded."""
    import importlib

    if spider not in SPIDERS:
        raise ValueError(f"unknown spider {spider!r}; choose one of {', '.join(SPIDERS)}")
    module = importlib.import_module(f"crawler.spiders.{spider}")
    cls = next(v for v in vars(module).values() if isinstance(v, type) and getattr(v, "name", None) == spider)
    kwargs = {k: v for k, v in args.items() if k != "run_id"}
    if spider in ("nppes", "osm"):
        kwargs.setdefault("api", settings.nppes_url if spider == "nppes" else settings.overpass_url)
    else:
        try:
            browser = find_browser(settings.browser_path)
        except RenderConfigError as exc:
            raise ValueError(str(exc)) from None
        if settings.render == "on" and browser is None:
            raise ValueError("KDIR_RENDER=on but no Chromium was found: install Debian's chromium package or set "
                             "KDIR_BROWSER_PATH")
    try:
        cls(**kwargs)
    except TypeError as exc:
        raise ValueError(f"bad arguments for {spider}: {exc}") from None


def prepare_run(spider: str, args: dict[str, str], *, settings: Settings, trigger: str = "manual",
                jobdir: str | None = None) -> int:
    """Check the arguments, create the crawl run (or find the one of a resumed JOBDIR) and return its id."""
    check_args(spider, args, settings)
    key, kind = source_of(spider, args)
    marker = Path(jobdir) / RUN_ID_FILE if jobdir else None
    if marker is not None and marker.exists():
        text = marker.read_text("utf-8").strip()
        if text.isdigit():
            return int(text)
    db = Database.connect(settings.database_url, migrate=True)
    try:
        run_id = ObservationStore(db.factory).start_run(key, spider, kind=kind, name=_source_title(spider, args),
                                                        trigger=trigger, args=dict(args))
    finally:
        db.dispose()
    if marker is not None:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(str(run_id), "utf-8")
    return run_id


def forget_broken_queue(jobdir: Path) -> bool:
    """After a crawl process of ``jobdir`` was killed, drop Scrapy's request queue and seen set: written only
    in part, they make a resume crash or silently skip pages. Nothing is lost by this: the start requests are
    read again and the ledgers (sites, directory pages) skip what was finished. True when dropped."""
    if not (jobdir / OPEN_MARKER).exists():
        return False
    shutil.rmtree(jobdir / "requests.queue", ignore_errors=True)
    (jobdir / "requests.seen").unlink(missing_ok=True)
    return True


def spawn_spider(spider: str, args: dict[str, str], *, settings: Settings, trigger: str = "manual",
                 jobdir: str | None = None, extra_settings: dict[str, Any] | None = None,
                 on_line: Callable[[str], None] | None = None, run_id: int | None = None) -> CrawlProcess:
    """Start ``python -m scrapy crawl`` for a new (or resumed) run and return at once.

    With ``run_id`` the process attaches to that existing run (distributed mode: several processes, one run).
    """
    if run_id is None:
        run_id = prepare_run(spider, args, settings=settings, trigger=trigger, jobdir=jobdir)
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"run_id={run_id}"]
    for k, v in args.items():
        if k == "run_id":
            continue
        cmd += ["-a", f"{k}={v}"]
    merged: dict[str, Any] = {"KDIR_TRIGGER": trigger, "KDIR_CRAWL_ID": str(run_id), "KDIR_MIGRATE": 0,
                              "KDIR_DATABASE_URL": settings.database_url,
                              "KDIR_DRIFT_THRESHOLD": settings.drift_threshold}
    if jobdir:
        merged["JOBDIR"] = str(Path(jobdir).resolve())
        forget_broken_queue(Path(jobdir))
        (Path(jobdir) / OPEN_MARKER).write_text(str(run_id), "utf-8")
    merged.update(extra_settings or {})
    for k, v in merged.items():
        cmd += ["-s", f"{k}={v}"]
    log_dir = Path(settings.var_dir) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"crawl-{run_id}.log"
    n = 1
    while log_path.exists():  # a resumed run, or another process of a distributed one
        n += 1
        log_path = log_dir / f"crawl-{run_id}.{n}.log"
    log_path.touch()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=child_env(settings), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    crawl = CrawlProcess(run_id=run_id, process=proc, log_path=log_path)

    def pump() -> None:
        assert proc.stdout is not None
        with log_path.open("ab") as log:
            for raw in proc.stdout:
                log.write(raw)
                line = raw.decode("utf-8", "replace").rstrip()
                crawl.tail.append(line)
                if on_line is not None:
                    with contextlib.suppress(Exception):  # a progress display must not kill the crawl
                        on_line(line)

    crawl._reader = threading.Thread(target=pump, name=f"crawl-{run_id}-log", daemon=True)
    crawl._reader.start()
    return crawl


def finish_failed(settings: Settings, run_id: int, error: str) -> None:
    """Mark a run failed when its process died before recording the end itself."""
    db = Database.connect(settings.database_url)
    try:
        with db.session() as s:
            run = s.get(CrawlRun, run_id)
            still_running = run is not None and run.status == "running"
        if still_running:
            ObservationStore(db.factory).finish_run(run_id, error=error)
    finally:
        db.dispose()


def run_status(settings: Settings, run_id: int) -> dict[str, Any]:
    """The recorded figures of a run: status, items, new, pages, errors, suspect reason, error."""
    db = Database.connect(settings.database_url)
    try:
        with db.session() as s:
            run = s.get(CrawlRun, run_id)
            if run is None:
                raise KeyError(f"no crawl run {run_id}")
            duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
            return {"id": run.id, "status": run.status, "items": run.items_count, "new": run.new_count,
                    "pages": run.pages_count, "errors": run.errors_count, "suspect_reason": run.suspect_reason,
                    "error": run.error, "status_codes": dict(run.status_codes or {}), "duration": duration}
    finally:
        db.dispose()


@contextlib.contextmanager
def crawl_leases(settings: Settings, spider: str, args: dict[str, str], jobdir: str | None) -> Iterator[None]:
    """Hold the source's crawl lease (and the job directory's) for the block, or raise :class:`CrawlRunning`.

    The leases live where the scheduler's do (the ``locks`` table, or Redis with ``KDIR_REDIS_URL``), so two
    crawls of one source never run at once, from any machine."""
    key, _kind = source_of(spider, args)
    names = [(f"crawl:{key}"[:120], f"a crawl of {key} is already running")]
    if jobdir:
        where = str(Path(jobdir).resolve())
        names.append((f"crawl-jobdir:{hashlib.sha1(where.encode()).hexdigest()}",
                      f"the job directory {where} is in use by another crawl"))
    db = Database.connect(settings.database_url, migrate=True)
    try:
        store = lease_store(db.factory, settings.redis_url)
        with contextlib.ExitStack() as stack:
            for name, what in names:
                try:
                    stack.enter_context(lease(store, name, ttl_s=CRAWL_LEASE_TTL_S))
                except LockHeld as exc:
                    raise CrawlRunning(f"{what} (held by {exc.holder or 'a process just ending'}); "
                                       "wait for it to end or stop it") from None
            yield
    finally:
        db.dispose()


@contextlib.contextmanager
def forwarding_signals(process: subprocess.Popen[bytes]) -> Iterator[list[int]]:
    """Pass SIGINT and SIGTERM on to the crawl process while the block runs (the child has its own session,
    so a terminal's Ctrl-C never reaches it directly). Scrapy shuts down gracefully on the first signal and at
    once on the second; the caller keeps waiting for it. Yields the signals received. Only the main thread may
    install handlers: elsewhere this does nothing."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def forward(signum: int, frame: Any) -> None:
        received.append(signum)
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signum)
        before = previous.get(signum)
        if callable(before) and before is not signal.default_int_handler:  # e.g. a service's "stop" request
            before(signum, frame)

    previous: dict[int, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, forward)
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_spider(spider: str, args: dict[str, str], *, settings: Settings, trigger: str = "manual",
               jobdir: str | None = None, extra_settings: dict[str, Any] | None = None,
               on_line: Callable[[str], None] | None = None, timeout: float | None = None,
               run_id: int | None = None) -> int:
    """Run a crawl to its end in a subprocess; return the crawl run id, raise CrawlFailed on failure.

    ``run_id`` attaches to an existing run instead of creating one (a scheduler that records the run first,
    or a second process of a distributed crawl).
    """
    started = time.monotonic()
    check_args(spider, args, settings)  # bad arguments fail before the database is touched
    if run_id is not None:
        return _run(spider, args, settings, trigger, jobdir, extra_settings, on_line, timeout, run_id, started)
    with crawl_leases(settings, spider, args, jobdir):  # attached processes share their run's lease
        return _run(spider, args, settings, trigger, jobdir, extra_settings, on_line, timeout, run_id, started)


def _run(spider: str, args: dict[str, str], settings: Settings, trigger: str, jobdir: str | None,
         extra_settings: dict[str, Any] | None, on_line: Callable[[str], None] | None, timeout: float | None,
         run_id: int | None, started: float) -> int:
    crawl = spawn_spider(spider, args, settings=settings, trigger=trigger, jobdir=jobdir,
                         extra_settings=extra_settings, on_line=on_line, run_id=run_id)
    with forwarding_signals(crawl.process) as received:
        try:
            code = crawl.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            crawl.process.terminate()
            crawl.wait(timeout=30)
            code = None
    if code == 0 and jobdir:  # Scrapy closed the job directory cleanly (also after a graceful interrupt)
        (Path(jobdir) / OPEN_MARKER).unlink(missing_ok=True)
    last = next((ln for ln in reversed(crawl.tail) if ln.strip()), "")
    if received:
        name = signal.Signals(received[0]).name
        finish_failed(settings, crawl.run_id, f"crawl interrupted by {name}")
        resume = f"; resume it with --resume {jobdir}" if jobdir else ""
        raise CrawlInterrupted(f"crawl {spider} (run {crawl.run_id}) interrupted by {name} and stopped"
                               f"{resume} (log: {crawl.log_path})", crawl.run_id, received[0])
    if code != 0:
        why = f"timed out after {time.monotonic() - started:.0f}s" if code is None else f"exit code {code}"
        finish_failed(settings, crawl.run_id, f"crawl process {why}")
        raise CrawlFailed(f"crawl {spider} (run {crawl.run_id}) failed: {why}; last log line: {last[:300]}"
                          f" (log: {crawl.log_path})", crawl.run_id)
    status = run_status(settings, crawl.run_id)
    if status["status"] == "running":
        finish_failed(settings, crawl.run_id, "crawl process ended without recording the run")
        raise CrawlFailed(f"crawl {spider} (run {crawl.run_id}) ended without recording the run; last log line: "
                          f"{last[:300]} (log: {crawl.log_path})", crawl.run_id)
    if status["status"] == "failed":
        raise CrawlFailed(f"crawl {spider} (run {crawl.run_id}) failed: {status['error']} (log: {crawl.log_path})",
                          crawl.run_id)
    return crawl.run_id
