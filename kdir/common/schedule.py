"""The crawl schedule: one job per source, from the schedule file (YAML), the built-in default, or the sources
table (rows handed in by the caller). Pure parsing and cron validation, shared by the scheduler and the web's
/ops dashboard (which must not import the scheduler).

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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

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

    def next_run(self, now: datetime) -> datetime | None:
        """The next scheduled start after ``now`` (None when disabled)."""
        return self.trigger().get_next_fire_time(None, now) if self.enabled else None


class ScheduledSource(Protocol):
    """What a schedule needs of a source row (``indexer.db.models.Source`` fits)."""

    key: str
    spider: str | None
    schedule: str | None
    spider_args: Mapping[str, Any] | None
    enabled: bool


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


def load_jobs(settings: Settings, sources: Iterable[ScheduledSource] = ()) -> list[SourceJob]:
    """Jobs from ``settings.schedule_file`` (or the default), plus the ``sources`` rows that carry a schedule
    and a spider. ``{var_dir}`` in spider arguments becomes ``settings.var_dir``."""
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
    return jobs + source_jobs(sources, {j.name for j in jobs}, jobs[0].retry if jobs else RetryPolicy())


def source_jobs(sources: Iterable[ScheduledSource], taken: set[str], retry: RetryPolicy) -> list[SourceJob]:
    """Jobs of the source rows with a schedule and a spider, except names already ``taken`` (the file wins)."""
    out = []
    for src in sources:
        if src.key in taken or not src.schedule or not src.spider:
            continue
        try:
            CronTrigger.from_crontab(src.schedule, timezone="UTC")
        except ValueError:
            continue  # shown as "bad schedule" by `kdir schedule --list`; never crashes the scheduler
        out.append(SourceJob(name=src.key, spider=src.spider, cron=src.schedule,
                             args={str(k): str(v) for k, v in (src.spider_args or {}).items()},
                             retry=retry, enabled=src.enabled))
    return out


def find_job(jobs: list[SourceJob], name: str) -> SourceJob | None:
    for job in jobs:
        if job.name == name:
            return job
    return None
