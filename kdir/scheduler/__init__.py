"""The operators' scheduler: per source, crawl -> index -> publish on a cron schedule (APScheduler 3).

- :mod:`kdir.scheduler.jobs`: which sources run when (``KDIR_SCHEDULE_FILE`` YAML or the built-in default, plus
  sources given a ``schedule`` in the database) and the retry policy.
- :mod:`kdir.scheduler.cycle`: one cycle of one source, under a cross-process lease so runs of a source never
  overlap, retried per policy, failures recorded as failed crawl runs.
- :mod:`kdir.scheduler.service`: the long-running scheduler and the background runs started from ``/ops``.
"""
