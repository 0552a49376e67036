"""The scheduler: schedule parsing, the cross-process lease (real processes, SQLite and PostgreSQL), failed runs
recorded with their error and retried per policy, overlapping cycles skipped."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from indexer.db.models import CrawlRun, Provider, Source
from indexer.locks import DbLeases, LockHeld, lease
from kdir.cli import main
from kdir.common.config import Settings
from kdir.common.schedule import RetryPolicy, ScheduleError, parse_schedule
from kdir.scheduler.jobs import job_for, load_jobs
from kdir.scheduler.service import POLL_S, build_scheduler, run_requested

ROOT = Path(__file__).resolve().parents[2]


def test_parse_schedule_and_defaults() -> None:
    jobs = parse_schedule(textwrap.dedent("""
        defaults: {max_attempts: 4, backoff_s: 10}
        sources:
          nppes: {cron: "0 2 * * 1", args: {taxonomy: Psychiatry}}
          directory:sample: {spider: directory, cron: "*/30 * * * *", max_attempts: 1, enabled: false}
    """))
    assert [(j.name, j.spider, j.cron, j.enabled) for j in jobs] == [
        ("nppes", "nppes", "0 2 * * 1", True), ("directory:sample", "directory", "*/30 * * * *", False)]
    assert jobs[0].args == {"taxonomy": "Psychiatry"} and jobs[0].retry == RetryPolicy(4, 10.0, 2.0)
    assert jobs[1].retry.max_attempts == 1 and jobs[1].lock_name == "schedule:directory:sample"
    assert RetryPolicy(3, 10, 3).delay(1) == 10 and RetryPolicy(3, 10, 3).delay(2) == 30


@pytest.mark.parametrize("doc", [
    "sources: {x: {cron: 'every day'}}", "sources: [1, 2]", "sources: {x: {cron: '* * * * *', max_attempts: 0}}",
    "sources: {x: {cron: '* * * * *', args: [1]}}", "sources: {x: {cron: '* * * * *', settings: 1}}", "sources: {x: {cron: '* * * * *'", "defaults: 3",
])
def test_bad_schedule_is_refused_with_its_origin(doc: str) -> None:
    with pytest.raises(ScheduleError, match="myfile"):
        parse_schedule(doc, "myfile")


def test_builtin_schedule_and_database_sources(sqlite_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.from_env({"KDIR_ENV": "test", "KDIR_DATABASE_URL": sqlite_db.url})
    builtin = {j.name: j for j in load_jobs(settings)}
    assert set(builtin) == {"clinic_site", "nppes", "osm"}
    assert builtin["clinic_site"].args == {"seeds": f"{settings.var_dir}/seeds.txt"}
    assert job_for("directory:sample", [], None).args == {"source": "sample"}
    with sqlite_db.session() as s:
        s.add(Source(key="osm:tx", name="OSM Texas", kind="osm", spider="osm", schedule="15 1 * * *",
                     spider_args={"area": "TX"}))
        s.add(Source(key="broken", name="Broken", kind="osm", spider="osm", schedule="not cron"))
        s.commit()
    jobs = {j.name: j for j in load_jobs(settings, sqlite_db)}
    assert jobs["osm:tx"].args == {"area": "TX"} and "broken" not in jobs
    assert job_for("osm:tx", [], sqlite_db).spider == "osm"
    from apscheduler.schedulers.background import BackgroundScheduler

    sched = build_scheduler(settings, list(jobs.values()), BackgroundScheduler(timezone="UTC"))
    assert sorted(j.id for j in sched.get_jobs()) == sorted(jobs)
    assert all(j.max_instances == 1 and j.coalesce for j in sched.get_jobs())
    # with a database, the scheduler also polls the run requests queued from /ops
    sched = build_scheduler(settings, list(jobs.values()), BackgroundScheduler(timezone="UTC"), db=sqlite_db)
    poll = sched.get_job("run-requests")
    assert poll is not None and poll.func is run_requested and poll.max_instances == 1
    assert poll.trigger.interval.total_seconds() == POLL_S
    bad = tmp_path / "s.yaml"
    bad.write_text("sources: {x: {cron: nope}}")
    with pytest.raises(ScheduleError, match="s.yaml"):
        load_jobs(Settings.from_env({"KDIR_ENV": "test", "KDIR_SCHEDULE_FILE": str(bad)}))


def test_lease_is_exclusive_expires_and_is_renewed(db) -> None:  # type: ignore[no-untyped-def]
    store = DbLeases(db.factory)
    assert store.acquire("a", "p1", 0.3)
    assert not store.acquire("a", "p2", 0.3)
    assert not store.release("a", "p2") and store.holder("a") == "p1"
    time.sleep(0.4)
    assert store.holder("a") is None and store.acquire("a", "p2", 5)  # p1 crashed: its lease expired
    assert not store.renew("a", "p1", 5) and store.release("a", "p2")
    with lease(store, "b", ttl_s=0.45, holder="long"):
        time.sleep(1.0)  # longer than the TTL: the heartbeat keeps it
        assert store.holder("b") == "long" and not store.acquire("b", "other", 1)
        with pytest.raises(LockHeld), lease(store, "b", ttl_s=1):
            pass
    assert store.holder("b") is None


CONTENDER = """
import sys, time
from indexer.db import Database
from indexer.locks import DbLeases, LockHeld, lease
db = Database.connect(sys.argv[1])
store, out, deadline = DbLeases(db.factory), open(sys.argv[2], "a"), time.time() + float(sys.argv[3])
while time.time() < deadline:
    try:
        with lease(store, "schedule:clinic_site", ttl_s=5):
            t0 = time.time(); time.sleep(0.15); out.write(f"{t0} {time.time()}\\n"); out.flush()
    except LockHeld:
        time.sleep(0.01)
"""


def test_two_processes_never_hold_the_same_source(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "intervals.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", CONTENDER, db.url, str(log), "1.2"], env=env, cwd=ROOT)
             for _ in range(2)]
    for p in procs:
        assert p.wait(60) == 0
    spans = sorted(tuple(map(float, line.split())) for line in log.read_text().splitlines())
    assert len(spans) >= 4  # both really ran, in turns
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start >= end, "two processes held the lease at the same time"


def _cli(db, tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    sched = tmp_path / "schedule.yaml"
    sched.write_text('defaults: {max_attempts: 2, backoff_s: 0.05}\nsources:\n'
                     '  nosuch: {spider: no_such_spider, cron: "0 3 * * *"}\n')
    env = {"KDIR_ENV": "test", "KDIR_DATABASE_URL": db.url, "KDIR_SCHEDULE_FILE": str(sched),
           "KDIR_VAR_DIR": str(tmp_path / "var"), "KDIR_SEARCH_PATH": str(tmp_path / "search.sqlite3")}
    return CliRunner().invoke(main, list(args), env=env)


def test_failed_cycle_is_recorded_retried_and_listed(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = _cli(db, tmp_path, "schedule", "--once", "nosuch")
    assert res.exit_code == 1, res.output
    assert "nosuch: failed" in res.output and "1 retry" in res.output
    with db.session() as s:
        runs = list(s.execute(select(CrawlRun, Source.key).join(Source).order_by(CrawlRun.id)))
    assert [(r.status, key, r.spider, r.trigger) for r, key in runs] == [
        ("failed", "nosuch", "no_such_spider", "manual")] * 2
    assert runs[0][0].error.startswith("attempt 1/2: ") and runs[1][0].error.startswith("attempt 2/2: ")
    assert runs[0][0].finished_at is not None
    listing = _cli(db, tmp_path, "runs", "--source", "nosuch", "--limit", "5").output.splitlines()
    assert len(listing) == 2 and all(" failed " in ln and "attempt" in ln for ln in listing)
    assert listing[0].startswith(f"#{runs[1][0].id}")  # newest first


def test_cycle_is_skipped_while_another_process_holds_the_source(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = DbLeases(db.factory)
    assert store.acquire("schedule:nosuch", "another-host:1:abc", 60)
    res = _cli(db, tmp_path, "schedule", "--once", "nosuch")
    assert res.exit_code == 3 and "skipped" in res.output
    with db.session() as s:
        assert s.scalar(select(CrawlRun.id)) is None  # nothing ran


@pytest.mark.redis
def test_redis_leases(redis_url: str) -> None:
    from indexer.locks import RedisLeases

    store = RedisLeases(redis_url, prefix=f"kdir-test:{os.getpid()}:")
    assert store.acquire("x", "a", 0.3) and not store.acquire("x", "b", 0.3)
    assert not store.release("x", "b") and store.renew("x", "a", 0.3)
    time.sleep(0.4)
    assert store.acquire("x", "b", 5) and store.holder("x") == "b" and store.release("x", "b")


@pytest.mark.slow
def test_two_scheduler_processes_run_a_real_cycle_once(sqlite_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """SQLite only (the lease itself is tested on both databases above; this costs a real crawl).

    Two `kdir schedule --once` processes start the same source together: one crawls (a real crawl of a
    loopback sample clinic site, politeness off through the schedule's settings), indexes and publishes; the
    other finds the lease taken and skips."""
    from kdir.sampleweb import SampleWeb

    with SampleWeb(first_octet=150, port=0) as web:
        site = next(iter(web.sites.values()))
        sched = tmp_path / "schedule.yaml"
        sched.write_text(f'defaults: {{max_attempts: 1}}\nsources:\n  clinic_site: {{cron: "0 3 * * *", '
                         f'args: {{urls: "{site}"}}, settings: {{AUTOTHROTTLE_ENABLED: "0", DOWNLOAD_DELAY: "0"}}}}\n')
        db = sqlite_db
        env = {**os.environ, "PYTHONPATH": str(ROOT), "KDIR_ENV": "test", "KDIR_DATABASE_URL": db.url,
               "KDIR_SCHEDULE_FILE": str(sched), "KDIR_VAR_DIR": str(tmp_path / "var"),
               "KDIR_SEARCH_PATH": str(tmp_path / "search.sqlite3"), "KDIR_NPPES_URL": web.nppes_url,
               "KDIR_OVERPASS_URL": web.overpass_url}
        env.pop("KDIR_REDIS_URL", None)
        cmd = [sys.executable, "-m", "kdir.cli", "schedule", "--once", "clinic_site"]
        procs = [subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
        outs = [p.communicate(timeout=180) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 3], outs
    summary = next(out for (out, _err), p in zip(outs, procs, strict=True) if p.returncode == 0)
    assert "clinic_site: finished in " in summary and "(crawl run " in summary, summary
    assert "new listing" in summary and "search update" in summary, summary  # the index step, in words
    with db.session() as s:
        runs = list(s.scalars(select(CrawlRun)))
        assert [(r.status, r.spider) for r in runs] == [("ok", "clinic_site")] and runs[0].items_count > 0
        assert runs[0].indexed_at is not None or s.scalar(select(func.count()).select_from(Provider)) > 0


@pytest.mark.slow
def test_a_run_request_is_run_once_by_one_of_two_polling_schedulers(sqlite_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A request queued (as /ops does) is claimed by exactly one of two schedulers polling at the same moment,
    and run through the real cycle (a crawl of a loopback sample clinic site, index, publish)."""
    import threading

    from indexer.db.models import RunRequest
    from indexer.run_requests import request_run
    from kdir.sampleweb import SampleWeb

    with SampleWeb(first_octet=151, port=0) as web:
        site = next(iter(web.sites.values()))
        sched = tmp_path / "schedule.yaml"
        sched.write_text(f'defaults: {{max_attempts: 1}}\nsources:\n  clinic_site: {{cron: "0 3 * * *", '
                         f'args: {{urls: "{site}"}}, settings: {{AUTOTHROTTLE_ENABLED: "0", DOWNLOAD_DELAY: "0"}}}}\n')
        settings = Settings.from_env({"KDIR_ENV": "test", "KDIR_DATABASE_URL": sqlite_db.url,
                                      "KDIR_SCHEDULE_FILE": str(sched), "KDIR_VAR_DIR": str(tmp_path / "var"),
                                      "KDIR_SEARCH_PATH": str(tmp_path / "search.sqlite3"),
                                      "KDIR_NPPES_URL": web.nppes_url, "KDIR_OVERPASS_URL": web.overpass_url})
        with sqlite_db.session() as s:
            request_run(s, "clinic_site", "root")
            s.commit()
        handled: dict[str, int] = {}
        barrier = threading.Barrier(2)

        def poll(name: str) -> None:
            barrier.wait()
            handled[name] = run_requested(settings, sqlite_db, name)

        threads = [threading.Thread(target=poll, args=(n,)) for n in ("scheduler-a", "scheduler-b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
    assert sorted(handled.values()) == [0, 1], handled
    with sqlite_db.session() as s:
        req = s.scalar(select(RunRequest))
        runs = list(s.scalars(select(CrawlRun)))
        assert [(r.status, r.trigger) for r in runs] == [("ok", "ops")] and runs[0].items_count > 0
        assert (req.status, req.run_ids, req.error) == ("done", [runs[0].id], None)
        assert req.claimed_by == next(n for n, k in handled.items() if k == 1)


def test_scheduler_process_starts_and_stops_on_sigterm(sqlite_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import signal

    sched = tmp_path / "schedule.yaml"
    sched.write_text('sources:\n  nppes: {cron: "0 2 * * 1"}\n  osm: {cron: "0 5 1 * *", enabled: false}\n')
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KDIR_ENV": "test", "KDIR_DATABASE_URL": sqlite_db.url,
           "KDIR_SCHEDULE_FILE": str(sched), "KDIR_VAR_DIR": str(tmp_path / "var")}
    proc = subprocess.Popen([sys.executable, "-m", "kdir.cli", "schedule"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        lines = [proc.stderr.readline() for _ in range(1)]
        while lines[-1] and "source(s)" not in lines[-1] and len(lines) < 100:  # skip log lines
            lines.append(proc.stderr.readline())
        assert "scheduler: 1 source(s): nppes" in lines[-1], lines
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
