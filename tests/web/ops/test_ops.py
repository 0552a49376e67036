"""/ops through the real app: per-source runs, failures with their error, suspect runs, coverage, the run button."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from indexer.db.models import AuditEntry, CrawlRun, RunRequest, Source, utcnow
from indexer.storage import ObservationStore
from kdir.common.schedule import RetryPolicy, SourceJob
from kdir.scheduler.cycle import run_cycle
from kdir.scheduler.service import run_requested
from tests.web.moderation.staff import login, post


def _runs(db: Any) -> None:
    store = ObservationStore(db.factory)
    ok = store.start_run("directory:sample", "directory", kind="directory", trigger="schedule")
    with db.session() as s:
        s.get(CrawlRun, ok).items_count = 40
        s.commit()
    store.finish_run(ok, pages=41, status_codes={"200": 40, "404": 1},
                     stats={"kdir/render/pages": 11, "kdir/render/seconds": 9.42, "kdir/render/failures": 2})
    low = store.start_run("directory:sample", "directory", kind="directory", trigger="schedule")
    with db.session() as s:
        run = s.get(CrawlRun, low)
        run.items_count = 3
        run.started_at = utcnow() - timedelta(seconds=90)
        s.commit()
    store.finish_run(low, pages=4, status_codes={"200": 3, "503": 1}, errors=1,
                     stats={"kdir/render/unavailable": 1, "kdir/render/off": "no Chromium installed"})


def test_dashboard_shows_runs_suspects_and_failures(staff_app: Any, staff_client: Any, db: Any) -> None:
    _runs(db)
    settings = staff_app.config["KDIR_SETTINGS"]
    job = SourceJob("directory:sample", "no_such_spider", "0 3 * * *", retry=RetryPolicy(1, 0, 1))
    result = run_cycle(settings, job, db=db, trigger="schedule")
    assert result.status == "failed" and result.failed_step == "crawl"
    login(staff_client, "root")
    html = staff_client.get("/ops").get_data(as_text=True)
    section = html[html.index('data-source="directory:sample"'):]
    section = section[:section.index("</section>")]
    assert section.count('class="run run-') == 3
    assert 'class="run run-failed"' in section and result.error in section.replace("&#39;", "'")
    assert 'class="run run-suspect"' in section and "under 50% of the last good run" in section
    assert '<span class="suspect-count">1</span>' in section and '<span class="failed-count">1</span>' in section
    assert "503: 1" in section and "200: 40, 404: 1" in section
    # browser figures of website crawls: pages rendered, time, failures; app sites left unread and why
    assert "11 pages, 9.4s, <strong>2 failed</strong>" in section
    assert "1 unread (no Chromium installed)" in section
    assert "verification coverage" in html


def test_ops_is_for_admins_only(sqlite_staff_app: Any) -> None:
    staff_client = sqlite_staff_app.test_client()
    assert staff_client.get("/ops").status_code == 302
    login(staff_client, "mia")
    assert staff_client.get("/ops").status_code == 403


def test_run_button_queues_a_request_that_one_scheduler_poll_runs(staff_app: Any, staff_client: Any, db: Any,
                                                                  tmp_path: Path) -> None:
    """/ops only queues; the scheduler's poll job claims the request and runs the cycle (here a crawl that
    fails at once) through the same child-process cycle as its cron runs."""
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text('defaults: {max_attempts: 1, backoff_s: 0}\nsources:\n'
                        '  broken: {spider: no_such_spider, cron: "0 3 * * *"}\n')
    settings = staff_app.config["KDIR_SETTINGS"]
    settings = type(settings)(**{**settings.__dict__, "schedule_file": schedule})
    staff_app.config["KDIR_SETTINGS"] = settings
    login(staff_client, "root")
    assert 'action="/ops/run/broken"' in staff_client.get("/ops").get_data(as_text=True)
    assert post(staff_client, "/ops/run/not-a-source", "/ops").status_code == 404
    assert staff_client.post("/ops/run/broken").status_code == 400  # no CSRF token
    assert post(staff_client, "/ops/run/broken", "/ops").status_code == 302
    page = staff_client.get("/ops").get_data(as_text=True)
    assert "Queued a run of broken" in page and 'class="request request-queued"' in page
    assert "Run request #1 queued" in page
    # a second click while it is queued is refused, with a message saying why
    assert post(staff_client, "/ops/run/broken", "/ops").status_code == 302
    assert "A run of broken is already queued; it was not requested again." in staff_client.get("/ops").get_data(
        as_text=True)
    with db.session() as s:
        assert [r.status for r in s.scalars(select(RunRequest))] == ["queued"]
        assert s.scalar(select(CrawlRun.id)) is None  # the web started nothing
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "run_start"))
        assert (entry.username, entry.details["source"]) == ("root", "broken")

    assert run_requested(settings, db, "scheduler-a") == 1
    assert run_requested(settings, db, "scheduler-b") == 0  # nothing left for a second scheduler
    with db.session() as s:
        req = s.scalar(select(RunRequest))
        run = s.scalar(select(CrawlRun).join(Source).where(Source.key == "broken"))
        assert (req.status, req.claimed_by, req.run_ids) == ("failed", "scheduler-a", [run.id])
        assert req.started_at is not None and req.finished_at is not None and req.error
        assert run.status == "failed" and run.trigger == "ops" and run.error
    page = staff_client.get("/ops").get_data(as_text=True)
    assert "run run-failed" in page and 'class="request request-failed"' in page
    assert post(staff_client, "/ops/run/broken", "/ops").status_code == 302  # finished: may be asked again
    with db.session() as s:
        assert [r.status for r in s.scalars(select(RunRequest).order_by(RunRequest.id))] == ["failed", "queued"]
