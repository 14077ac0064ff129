"""Test helpers for procrastinate jobs (PostgreSQL): empty the queue, run a worker until the queue is empty."""

import json
from typing import Any

from django.db import connection


def jobs_clear() -> None:
    """procrastinate's tables are unmanaged: Django's test flush leaves them alone, so tests start from empty."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, "
            "procrastinate_workers RESTART IDENTITY CASCADE"
        )


def jobs(task_name: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT id, task_name, status, args, attempts, queueing_lock FROM procrastinate_jobs"
    params: list[Any] = []
    if task_name:
        sql += " WHERE task_name = %s"
        params.append(task_name)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY id", params)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:  # Django reads jsonb as text
        if isinstance(row["args"], str):
            row["args"] = json.loads(row["args"])
    return rows


def jobs_run() -> None:
    """Run one worker in this process on the committed jobs until none is left (a transactional test)."""
    from procrastinate.contrib.django import app

    periodic = app.periodic_registry.periodic_tasks
    app.periodic_registry.periodic_tasks = {}  # only the test's jobs: no tick deferred meanwhile
    try:
        with app.replace_connector(app.connector.get_worker_connector()):  # type: ignore[attr-defined]
            app.run_worker(wait=False, listen_notify=False, install_signal_handlers=False)
    finally:
        app.periodic_registry.periodic_tasks = periodic
