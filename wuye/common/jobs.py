"""Background jobs: one way to say "run this later", on procrastinate (a PostgreSQL task queue).

Apps define their tasks in their own `tasks.py` with `@app.task` (procrastinate autodiscovers them) and start
them with `defer(task, key=..., **kwargs)` from inside the transaction that makes them necessary. Where the task
runs is the county setting `JOBS` (env `WUYE_JOBS`):

- "procrastinate" (production, PostgreSQL): `defer` inserts the job row through Django's connection, i.e. in the
  caller's transaction: a rolled-back lead never gets a job, a committed one cannot lose it. Workers
  (`python manage.py procrastinate worker`, any number, any machine) take jobs with `SELECT … FOR UPDATE SKIP
  LOCKED`, retry failures with back-off (`RETRY`), and the periodic `retry_stalled_jobs` puts the jobs of a worker
  that stopped beating (killed, machine gone) back in the queue.
- "inline" (the default: SQLite, `make run`, tests): the task function runs in this process after the commit
  (`transaction.on_commit`), once; no extra process, no job table.

Every task is idempotent and keyed: a job may run twice (a retry, a stalled worker's job run again), so it claims
its effect first (a unique row, a `Notification` claimed pending → sending, `once(key)` for an SMS without a row).
The `key` of `defer` is procrastinate's queueing lock: a second defer of the same key while the first still
waits is dropped. Job arguments are ids and tokens, never phone numbers or codes (the worker logs them).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from procrastinate import RetryStrategy, exceptions
from procrastinate.contrib.django import app
from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.manager import JobManager
from procrastinate.tasks import Task, configure_task

from wuye.kernel.conf import county_setting

logger = logging.getLogger("wuye.jobs")

__all__ = ["RETRY", "JobsRouter", "app", "defer", "jobs_mode", "once"]

# up to 5 retries, waiting 3, 9, 27, 81, 243 s (procrastinate's exponential wait: 3 ** attempt)
RETRY = RetryStrategy(max_attempts=5, exponential_wait=3)


@functools.cache
def _django_job_manager() -> JobManager:
    """Job rows always through Django's connection, i.e. in the caller's transaction — also inside a worker, whose
    app uses its own connection pool (`task.defer()` there would commit the row on its own, before the caller's)."""
    return JobManager(DjangoConnector(alias=settings.PROCRASTINATE_DATABASE_ALIAS))


def jobs_mode() -> str:
    mode = str(county_setting("JOBS"))
    if mode not in {"inline", "procrastinate"}:
        raise ValueError(f"JOBS must be inline or procrastinate, not {mode!r}")
    return mode


def defer(task: Task[Any, Any, Any], *, key: str | None = None, **kwargs: Any) -> None:
    """Run `task(**kwargs)` in the background once the current transaction commits (see the module doc)."""
    if jobs_mode() == "procrastinate":
        deferrer = configure_task(
            name=task.name,
            job_manager=_django_job_manager(),
            lock=task.lock,
            queueing_lock=key if key is not None else task.queueing_lock,
            queue=task.queue,
            priority=task.priority,
        )
        if key is None:
            deferrer.defer(**kwargs)
            return
        # a savepoint: a refused duplicate must not poison the caller's transaction
        try:
            with transaction.atomic():
                deferrer.defer(**kwargs)
        except exceptions.AlreadyEnqueued:
            logger.info("job %s already waiting; not deferred twice", key)
        return

    def run() -> None:
        try:
            task(**kwargs)
        except Exception:
            logger.exception("inline job %s failed", task.name)

    transaction.on_commit(run)


def once(key: str, *, days: int = 7) -> bool:
    """True the first time for `key` (in the shared cache, for `days`): an effect with no row of its own to claim
    (an SMS) is claimed here before it happens, so a job run again does not repeat it."""
    return bool(cache.add(f"wuye:jobs:once:{key}", 1, timeout=days * 86400))


def stalled_seconds() -> float:
    return float(settings.WUYE_JOBS_STALLED_SECONDS)


class JobsRouter:
    """procrastinate's migrations are PostgreSQL SQL (functions, triggers, enums): skip them on SQLite, where jobs
    run inline and the tables are never used."""

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if app_label == "procrastinate" and connections[db].vendor != "postgresql":
            return False
        return None
