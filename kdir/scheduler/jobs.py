"""The scheduler's jobs: the schedule (parsed by :mod:`kdir.common.schedule`) plus the database's sources, and
the job of one source for ``--once``, the ops queue and the CLI."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from indexer.db.models import Source
from kdir.common.config import Settings
from kdir.common.schedule import RetryPolicy, SourceJob, find_job
from kdir.common.schedule import load_jobs as schedule_jobs


def load_jobs(settings: Settings, db: Any = None) -> list[SourceJob]:
    """Jobs from ``settings.schedule_file`` (or the default), plus database sources that carry a schedule."""
    if db is None:
        return schedule_jobs(settings)
    with db.session() as s:
        return schedule_jobs(settings, s.scalars(select(Source)))


def job_for(name: str, jobs: list[SourceJob], db: Any = None) -> SourceJob:
    """The job of source ``name`` for ``--once`` and the ops queue: the scheduled one, else one built from
    its Source row (spider and arguments), else from the name (``directory:X`` -> directory, source=X)."""
    job = find_job(jobs, name)
    if job is not None:
        return job
    retry = jobs[0].retry if jobs else RetryPolicy()
    if db is not None:
        with db.session() as s:
            src = s.scalar(select(Source).where(Source.key == name))
            if src is not None and src.spider:
                return SourceJob(name=name, spider=src.spider, cron="0 0 1 1 *", retry=retry,
                                 args={str(k): str(v) for k, v in (src.spider_args or {}).items()})
    spider, _, rest = name.partition(":")
    return SourceJob(name=name, spider=spider, cron="0 0 1 1 *", retry=retry,
                     args={"source": rest} if spider == "directory" and rest else {})
