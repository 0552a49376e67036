"""The operators' scheduler: per source, crawl -> index -> publish on a cron schedule (APScheduler 3).

- :mod:`kdir.scheduler.jobs`: which sources run when: the schedule (``KDIR_SCHEDULE_FILE`` YAML or the built-in
  default, parsed by :mod:`kdir.common.schedule`) plus sources given a ``schedule`` in the database.
- :mod:`kdir.scheduler.cycle`: one cycle of one source, under a cross-process lease so runs of a source never
  overlap, retried per policy, failures recorded as failed crawl runs.
- :mod:`kdir.scheduler.service`: the long-running scheduler; it also runs the requests queued from ``/ops``
  (:mod:`indexer.run_requests`).
"""
