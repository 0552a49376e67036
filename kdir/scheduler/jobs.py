"""Scheduled jobs: one per source, from the schedule file (YAML), the built-in default, or the database.

Schedule file format::

    defaults:            # optional; applies to every source
      max_attempts: 3    # attempts per step (crawl, index, publish) before the cycle fails
      backoff_s: 60      # wait before the 2nd attempt; multiplied by backoff_factor after each failure
      backoff_factor: 2
    sources:
      nppes:                       # job name = the source key the crawl records (the lock is per job)
        spider: nppes              # default: the job name before any ":"
        cron: "0 2 * * 1"          # standard 5-field crontab, UTC
        args: {states: "TX,CO"}    # spider arguments (strings); "{var_dir}" is replaced by KDIR_VAR_DIR
        settings: {DOWNLOAD_DELAY: "2"}   # optional Scrapy setting overrides for this source's crawls
        enabled: true
      directory:sample:            # a directory definition crawler/sources/sample.yaml
        cron: "0 4 * * 0"
        args: {source: sample}
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from apscheduler.triggers.cron import CronTrigger

from kdir.common.config import Settings

#: Registry weekly, OpenStreetMap discovery monthly, clinic websites nightly from the seed list in the var dir.
#: Directories need a definition each, so they are only scheduled by a schedule file or a Source row.
DEFAULT_SCHEDULE = """
defaults: {max_attempts: 3, backoff_s: 120, backoff_factor: 2}
sources:
  nppes: {cron: "0 2 * * 1"}
  osm: {cron: "0 5 1 * *"}
  clinic_site: {cron: "0 3 * * *", args: {seeds: "{var_dir}/seeds.txt"}}
"""


class ScheduleError(Exception):
    """The schedule file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_s: float = 120.0
    backoff_factor: float = 2.0

    def delay(self, failed_attempts: int) -> float:
        """Seconds to wait after ``failed_attempts`` failures (1 -> backoff_s)."""
        return self.backoff_s * self.backoff_factor ** max(0, failed_attempts - 1)


@dataclass(frozen=True)
class SourceJob:
    name: str
    spider: str
    cron: str
    args: dict[str, str] = field(default_factory=dict)
    crawl_settings: dict[str, str] = field(default_factory=dict)  # Scrapy setting overrides
    retry: RetryPolicy = RetryPolicy()
    enabled: bool = True

    @property
    def lock_name(self) -> str:
        return f"schedule:{self.name}"

    def trigger(self) -> CronTrigger:
        return CronTrigger.from_crontab(self.cron, timezone="UTC")


def _policy(raw: Any, base: RetryPolicy, where: str) -> RetryPolicy:
    if raw is None:
        return base
    if not isinstance(raw, dict):
        raise ScheduleError(f"{where}: expected a mapping")
    try:
        policy = RetryPolicy(
            max_attempts=int(raw.get("max_attempts", base.max_attempts)),
            backoff_s=float(raw.get("backoff_s", base.backoff_s)),
            backoff_factor=float(raw.get("backoff_factor", base.backoff_factor)))
    except (TypeError, ValueError) as exc:
        raise ScheduleError(f"{where}: {exc}") from None
    if not 1 <= policy.max_attempts <= 20 or policy.backoff_s < 0 or policy.backoff_factor < 1:
        raise ScheduleError(f"{where}: max_attempts 1-20, backoff_s >= 0, backoff_factor >= 1")
    return policy


def parse_schedule(text: str, origin: str = "schedule") -> list[SourceJob]:
    """Parse a schedule document; every error names ``origin`` and the entry."""
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ScheduleError(f"{origin}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("sources", {}), dict):
        raise ScheduleError(f"{origin}: expected a mapping with a 'sources' mapping")
    base = _policy(doc.get("defaults"), RetryPolicy(), f"{origin}: defaults")
    jobs = []
    for name, spec in (doc.get("sources") or {}).items():
        where = f"{origin}: sources.{name}"
        if not isinstance(spec, dict):
            raise ScheduleError(f"{where}: expected a mapping")
        cron = str(spec.get("cron", "")).strip()
        try:
            CronTrigger.from_crontab(cron, timezone="UTC")
        except ValueError as exc:
            raise ScheduleError(f"{where}: bad cron expression {cron!r} ({exc})") from None
        args = spec.get("args") or {}
        crawl_settings = spec.get("settings") or {}
        if not isinstance(args, dict) or not isinstance(crawl_settings, dict):
            raise ScheduleError(f"{where}: args and settings must be mappings")
        jobs.append(SourceJob(name=str(name), spider=str(spec.get("spider") or str(name).split(":", 1)[0]),
                              cron=cron,
                              args={str(k): str(v) for k, v in args.items()},
                              crawl_settings={str(k): str(v) for k, v in crawl_settings.items()},
                              retry=_policy({k: spec[k] for k in ("max_attempts", "backoff_s", "backoff_factor")
                                             if k in spec} or None, base, where),
                              enabled=bool(spec.get("enabled", True))))
    return jobs


def load_jobs(settings: Settings, db: Any = None) -> list[SourceJob]:
    """Jobs from ``settings.schedule_file`` (or the default), plus database sources that carry a schedule.
    ``{var_dir}`` in spider arguments becomes ``settings.var_dir``."""
    if settings.schedule_file is not None:
        path = Path(settings.schedule_file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScheduleError(f"KDIR_SCHEDULE_FILE: cannot read {path} ({exc.strerror})") from None
        jobs = parse_schedule(text, str(path))
    else:
        jobs = parse_schedule(DEFAULT_SCHEDULE, "built-in schedule")
    jobs = [replace(j, args={k: v.replace("{var_dir}", str(settings.var_dir)) for k, v in j.args.items()})
            for j in jobs]
    if db is not None:
        jobs += _db_jobs(db, {j.name for j in jobs}, jobs[0].retry if jobs else RetryPolicy())
    return jobs


def _db_jobs(db: Any, taken: set[str], retry: RetryPolicy) -> list[SourceJob]:
    from sqlalchemy import select

    from indexer.db.models import Source

    out = []
    with db.session() as s:
        for src in s.scalars(select(Source).where(Source.schedule.is_not(None), Source.spider.is_not(None))):
            if src.key in taken:
                continue
            try:
                CronTrigger.from_crontab(src.schedule or "", timezone="UTC")
            except ValueError:
                continue  # shown as "bad schedule" by `kdir schedule --list`; never crashes the scheduler
            out.append(SourceJob(name=src.key, spider=src.spider or src.key, cron=src.schedule or "",
                                 args={str(k): str(v) for k, v in (src.spider_args or {}).items()},
                                 retry=retry, enabled=src.enabled))
    return out


def find_job(jobs: list[SourceJob], name: str) -> SourceJob | None:
    for job in jobs:
        if job.name == name:
            return job
    return None


def job_for(name: str, jobs: list[SourceJob], db: Any = None) -> SourceJob:
    """The job of source ``name`` for ``--once`` and the ops button: the scheduled one, else one built from
    its Source row (spider and arguments), else from the name (``directory:X`` -> directory, source=X)."""
    job = find_job(jobs, name)
    if job is not None:
        return job
    retry = jobs[0].retry if jobs else RetryPolicy()
    if db is not None:
        from sqlalchemy import select

        from indexer.db.models import Source

        with db.session() as s:
            src = s.scalar(select(Source).where(Source.key == name))
            if src is not None and src.spider:
                return SourceJob(name=name, spider=src.spider, cron="0 0 1 1 *", retry=retry,
                                 args={str(k): str(v) for k, v in (src.spider_args or {}).items()})
    spider, _, rest = name.partition(":")
    return SourceJob(name=name, spider=spider, cron="0 0 1 1 *", retry=retry,
                     args={"source": rest} if spider == "directory" and rest else {})


