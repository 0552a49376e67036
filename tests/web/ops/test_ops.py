"""/ops through the real app: per-source runs, failures with their error, suspect runs, coverage, the run button."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from indexer.db.models import AuditEntry, CrawlRun, Source, utcnow
from indexer.storage import ObservationStore
from kdir.scheduler.cycle import run_cycle
from kdir.scheduler.jobs import RetryPolicy, SourceJob
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


def test_run_button_starts_a_background_cycle(staff_app: Any, staff_client: Any, db: Any, tmp_path: Path) -> None:
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text('defaults: {max_attempts: 1, backoff_s: 0}\nsources:\n'
                        '  broken: {spider: no_such_spider, cron: "0 3 * * *"}\n')
    settings = staff_app.config["KDIR_SETTINGS"]
    staff_app.config["KDIR_SETTINGS"] = type(settings)(**{**settings.__dict__, "schedule_file": schedule})
    login(staff_client, "root")
    assert 'action="/ops/run/broken"' in staff_client.get("/ops").get_data(as_text=True)
    assert post(staff_client, "/ops/run/not-a-source", "/ops").status_code == 404
    assert staff_client.post("/ops/run/broken").status_code == 400  # no CSRF token
    assert post(staff_client, "/ops/run/broken", "/ops").status_code == 302
    deadline = time.time() + 60
    run = None
    while time.time() < deadline:
        with db.session() as s:
            run = s.scalar(select(CrawlRun).join(Source).where(Source.key == "broken", CrawlRun.status == "failed"))
        if run is not None:
            break
        time.sleep(0.3)
    assert run is not None and run.trigger == "ops" and run.error
    with db.session() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "run_start"))
        assert (entry.username, entry.details) == ("root", {"source": "broken"})
    assert "run run-failed" in staff_client.get("/ops").get_data(as_text=True)
