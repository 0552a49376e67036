"""The operators' dashboard (admin role): per source the recent runs, errors, HTTP statuses, suspect runs,
stale listings and verification coverage, and a "run now" button. The button only queues a run request
(:mod:`indexer.run_requests`); the scheduler process picks it up and runs the cycle (crawl -> index -> publish)
-- the web never starts crawls itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indexer.audit import Actor, record
from indexer.db.models import CrawlRun, Credential, Observation, OutboxEntry, Provider, RunRequest, Source
from indexer.locks import lease_store
from indexer.review_queue import queue_counts
from indexer.run_requests import AlreadyRequested, active, recent, request_run
from indexer.summaries import credentials_sentence
from kdir.common.schedule import ScheduleError, SourceJob, load_jobs
from web.auth.accounts import role_required
from web.auth.forms import PostForm
from web.extensions import get_db
from web.moderation.labels import words
from web.moderation.queries import REASON_LABELS

bp = Blueprint("ops", __name__, url_prefix="/ops")
RECENT_RUNS = 8


@bp.context_processor
def _staff_context() -> dict[str, Any]:
    return {"logout_form": PostForm(), "reason_labels": REASON_LABELS, "words": words}


@dataclass
class SourceRow:
    key: str
    name: str
    kind: str
    job: SourceJob | None = None
    next_run: datetime | None = None
    running: str | None = None
    request: RunRequest | None = None  # a queued or running request from this page
    runs: list[CrawlRun] = field(default_factory=list)
    suspect: int = 0
    failed: int = 0
    stale: int = 0
    credentials: int = 0
    verified: int = 0
    checked: int = 0

    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def credentials_words(self) -> str:
        """"8 credentials verified, 1 not found" (indexer.summaries)."""
        return credentials_sentence(self.outcomes)

    @property
    def coverage(self) -> float | None:
        return self.verified / self.credentials if self.credentials else None


def _counts(s: Session, q: Any) -> dict[int, int]:
    return {k: int(v) for k, v in s.execute(q)}


def dashboard_rows(s: Session, jobs: list[SourceJob], settings: Any) -> list[SourceRow]:
    sources = {src.key: src for src in s.scalars(select(Source).order_by(Source.key))}
    rows: dict[str, SourceRow] = {}
    for key, src in sources.items():
        rows[key] = SourceRow(key, src.name, src.kind)
    now = datetime.now(UTC)
    for job in jobs:
        row = rows.setdefault(job.name, SourceRow(job.name, job.name, job.spider))
        row.job = job
        row.next_run = job.next_run(now)
    by_id = {src.id: rows[key] for key, src in sources.items()}
    for src_id, row in by_id.items():
        row.runs = list(s.scalars(select(CrawlRun).where(CrawlRun.source_id == src_id)
                                  .order_by(CrawlRun.id.desc()).limit(RECENT_RUNS)))
    for status, attr in (("suspect", "suspect"), ("failed", "failed")):
        for src_id, n in _counts(s, select(CrawlRun.source_id, func.count()).where(CrawlRun.status == status)
                                 .group_by(CrawlRun.source_id)).items():
            if src_id in by_id:
                setattr(by_id[src_id], attr, n)
    stale_q = (select(Observation.source_id, func.count(func.distinct(Observation.provider_id)))
               .join(Provider, Provider.id == Observation.provider_id)
               .where(Provider.stale.is_(True), Provider.status == "published").group_by(Observation.source_id))
    for src_id, n in _counts(s, stale_q).items():
        if src_id in by_id:
            by_id[src_id].stale = n
    cred_q = select(Credential.source_id, Credential.outcome, func.count()).group_by(Credential.source_id,
                                                                                    Credential.outcome)
    for src_id, outcome, n in s.execute(cred_q):
        row = by_id.get(src_id)
        if row is None:
            continue
        row.credentials += n
        row.outcomes[outcome] = row.outcomes.get(outcome, 0) + int(n)
        row.verified += n if outcome == "verified" else 0
        row.checked += n if outcome != "unchecked" else 0
    store = lease_store(get_db().factory, settings.redis_url)
    for row in rows.values():
        try:
            row.running = store.holder(f"schedule:{row.key}")
        except Exception:  # noqa: BLE001 - lock store unreachable: show "unknown", never break the page
            row.running = None
    for req in active(s):
        if req.source_key in rows:
            rows[req.source_key].request = req
    return sorted(rows.values(), key=lambda r: r.key)


def _jobs(s: Session) -> tuple[list[SourceJob], str | None]:
    try:
        return load_jobs(current_app.config["KDIR_SETTINGS"], s.scalars(select(Source))), None
    except ScheduleError as exc:
        return [], str(exc)


@bp.get("")
@role_required("admin")
def dashboard() -> str:
    settings = current_app.config["KDIR_SETTINGS"]
    with get_db().session() as s:
        jobs, schedule_error = _jobs(s)
        rows = dashboard_rows(s, jobs, settings)
        totals = {
            "published": s.scalar(select(func.count()).select_from(Provider).where(Provider.status == "published")),
            "stale": s.scalar(select(func.count()).select_from(Provider).where(
                Provider.stale.is_(True), Provider.status == "published")),
            "pending": s.scalar(select(func.count()).select_from(Provider).where(Provider.status == "pending")),
            "credentials": s.scalar(select(func.count()).select_from(Credential)),
            "verified": s.scalar(select(func.count()).select_from(Credential).where(Credential.outcome == "verified")),
            "outbox": s.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.processed_at.is_(None))),
        }
        outcomes = {k: int(n) for k, n in s.execute(select(Credential.outcome, func.count())
                                                     .group_by(Credential.outcome))}
        totals["credentials_sentence"] = credentials_sentence(outcomes)
        totals["queue"] = queue_counts(s)
        return render_template("ops/dashboard.html", rows=rows, totals=totals, schedule_error=schedule_error,
                               form=PostForm(), requests=recent(s))


@bp.post("/run/<name>")
@role_required("admin")
def start_run(name: str) -> Response:
    """Queue a run of source ``name`` for the scheduler; refused while one is queued or running."""
    form = PostForm()
    if not form.validate_on_submit():
        abort(400, "missing or expired form token")
    settings = current_app.config["KDIR_SETTINGS"]
    with get_db().session() as s:
        jobs, _ = _jobs(s)
        known = name in {j.name for j in jobs} or s.scalar(select(Source.id).where(Source.key == name))
        if not known:
            abort(404)
        if lease_store(get_db().factory, settings.redis_url).holder(f"schedule:{name}"):
            flash(f"A run of {name} is already in progress.", "warning")
            return redirect(url_for("ops.dashboard"))
        try:
            req = request_run(s, name, current_user.username)
        except AlreadyRequested as exc:
            flash(f"A run of {name} is already {exc.status}; it was not requested again.", "warning")
            return redirect(url_for("ops.dashboard"))
        record(s, Actor(current_user.username, current_user.id), "run_start",
               details={"source": name, "request": req.id})
        s.commit()
    flash(f"Queued a run of {name} (crawl, index, publish): the scheduler starts it within a minute. "
          "Reload to follow it.", "success")
    return redirect(url_for("ops.dashboard"))
