"""Background jobs (wuye.common.jobs): inline after the commit on SQLite and in tests, procrastinate rows in the
caller's transaction on PostgreSQL, and a worker killed mid-job whose job still completes once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from procrastinate.contrib.django import app

from wuye.common import jobs as jobs_module
from wuye.common.tests.jobs_probe import probe
from wuye.testing.jobs import jobs, jobs_clear

ROOT = Path(__file__).resolve().parents[3]


def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("procrastinate's queue lives in PostgreSQL")


def test_the_periodic_jobs_replace_cron():
    periodic = {(t.task.name, t.cron) for t in app.periodic_registry.periodic_tasks.values()}
    schedule = django_settings.WUYE_JOBS_SCHEDULE
    assert periodic == {
        ("cases.tick", schedule["tick"]),
        ("revenue.checks", schedule["revenue_checks"]),
        ("triage.backfill", schedule["triage_backfill"]),
        ("jobs.retry_stalled", schedule["retry_stalled_jobs"]),
        ("jobs.delete_old", schedule["delete_old_jobs"]),
    }
    assert schedule["tick"] == "* * * * *"
    # the tick is one job: WUYE_TICK_TASKS keep their order (notify's send_due last), never two at once
    tick = app.tasks["cases.tick"]
    assert (tick.lock, tick.queueing_lock) == ("tick", "tick")
    assert django_settings.WUYE_TICK_TASKS[-1] == "wuye.notify.tick.send_due"


def test_every_app_task_is_registered():
    assert {
        "intake.lead_created",
        "notify.send",
        "accounts.login_sms",
        "voting.ballot_receipt",
    } <= set(app.tasks)


@pytest.mark.django_db(transaction=True)
def test_inline_jobs_run_after_the_commit_and_never_for_a_rollback(settings, tmp_path):
    settings.WUYE = {**settings.WUYE, "JOBS": "inline"}
    effect = tmp_path / "effect"
    with transaction.atomic():
        jobs_module.defer(probe, path=str(effect))
        assert not effect.exists()  # not before the commit
    assert effect.read_text() == "done\n"
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs_module.defer(probe, path=str(tmp_path / "never"))
        raise RuntimeError("rolled back")
    assert not (tmp_path / "never").exists()


def test_sqlite_never_gets_procrastinate_tables(db):
    tables = connection.introspection.table_names()
    assert ("procrastinate_jobs" in tables) == (connection.vendor == "postgresql")


def test_once_claims_a_key_once():
    assert jobs_module.once("test:k") is True
    assert jobs_module.once("test:k") is False


@pytest.mark.django_db(transaction=True)
def test_a_keyed_job_waits_once_in_the_queue(settings, tmp_path):
    _postgres_only()
    jobs_clear()
    settings.WUYE = {**settings.WUYE, "JOBS": "procrastinate"}
    with transaction.atomic():
        jobs_module.defer(probe, key="probe:1", path=str(tmp_path / "a"))
        jobs_module.defer(probe, key="probe:1", path=str(tmp_path / "a"))  # dropped, the transaction goes on
        jobs_module.defer(probe, key="probe:2", path=str(tmp_path / "b"))
    assert [j["queueing_lock"] for j in jobs("tests.probe")] == ["probe:1", "probe:2"]


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker", "--name", "test-worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_leaves_a_job_that_completes_once(settings, tmp_path):
    """`manage.py procrastinate worker` takes the job and is SIGKILLed inside it; a second worker sees the first
    stop beating, `retry_stalled_jobs` puts the job back, and it runs to its end: the effect is there once."""
    _postgres_only()
    jobs_clear()
    settings.WUYE = {**settings.WUYE, "JOBS": "procrastinate"}
    effect = tmp_path / "effect.txt"
    starts, block = effect.with_suffix(".starts"), effect.with_suffix(".block")
    block.touch()
    with transaction.atomic():
        jobs_module.defer(probe, key="probe:kill", path=str(effect))
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wuye.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "WUYE_JOBS": "procrastinate",
        "WUYE_JOBS_HEARTBEAT_SECONDS": "0.5",
        "WUYE_JOBS_STALLED_SECONDS": "2",
        "WUYE_JOBS_STALLED_CRON": "* * * * * *",  # every second
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    first = _worker(env)
    second = None
    try:
        _wait_for(lambda: starts.exists(), 60, "the first worker to start the job")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert jobs("tests.probe")[0]["status"] == "doing"  # a dead worker's job, stuck without the retry
        block.unlink()
        second = _worker(env)
        _wait_for(lambda: jobs("tests.probe")[0]["status"] == "succeeded", 90, "the job to complete")
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(15)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(5)
    assert starts.read_text() == "start\nstart\n"  # begun twice (the first run killed)…
    assert effect.read_text() == "done\n"  # …done once
    assert len(jobs("tests.probe")) == 1


@pytest.mark.django_db(transaction=True)
def test_inside_a_worker_a_job_deferred_by_a_job_is_still_in_the_callers_transaction(settings, tmp_path):
    """A worker's app talks to PostgreSQL through its own pool; `defer` still writes through Django's connection,
    so a job deferred by the tick (a notification, a lead) commits or rolls back with the tick's writes."""
    _postgres_only()
    jobs_clear()
    settings.WUYE = {**settings.WUYE, "JOBS": "procrastinate"}
    with app.replace_connector(app.connector.get_worker_connector()):
        with pytest.raises(RuntimeError), transaction.atomic():
            jobs_module.defer(probe, key="probe:inner", path=str(tmp_path / "x"))
            raise RuntimeError("the job's transaction fails")
        assert jobs("tests.probe") == []
        with transaction.atomic():
            jobs_module.defer(probe, key="probe:inner", path=str(tmp_path / "x"))
    assert [j["queueing_lock"] for j in jobs("tests.probe")] == ["probe:inner"]
