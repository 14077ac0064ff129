"""The SMS job (notify.send): deferred with the notification, run by a worker, and a retried job sends nothing twice."""

import time

import pytest
from django.db import connection

from wuye.accounts.sms import MemorySmsBackend
from wuye.notify import services, tasks
from wuye.notify.models import Notification, Status
from wuye.testing.jobs import jobs, jobs_clear, jobs_run

from .test_notify import NOON, send_verified

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def outbox(monkeypatch):
    MemorySmsBackend.outbox.clear()
    monkeypatch.setattr(services, "now", lambda: NOON)
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def procrastinate_mode(settings):
    if connection.vendor != "postgresql":
        pytest.skip("procrastinate's queue lives in PostgreSQL")
    jobs_clear()
    settings.WUYE = {**settings.WUYE, "JOBS": "procrastinate"}


def test_the_sms_is_a_job_committed_with_its_notification(outbox, procrastinate_mode):
    send_verified(phone="13800001111")
    assert outbox == []  # nothing sent in the request
    row = Notification.objects.get()
    [job] = jobs("notify.send")
    assert (job["args"], job["queueing_lock"], job["status"]) == (
        {"notification_id": row.pk},
        f"notification:{row.pk}",
        "todo",
    )
    jobs_run()
    assert len(outbox) == 1 and Notification.objects.get().status == Status.SENT


def test_a_retried_notify_job_sends_one_sms(outbox, procrastinate_mode, monkeypatch):
    """The first run sends and then fails (the worker's database call after the gateway call, say): procrastinate
    retries the job with back-off; the retry finds the row claimed and sends nothing."""
    send = tasks.notification_send
    runs = []

    def send_then_fail(*, notification_id):
        runs.append(send(notification_id=notification_id))
        if len(runs) == 1:
            raise ConnectionError("lost the database after the gateway call")

    monkeypatch.setattr(tasks, "notification_send", send_then_fail)
    send_verified(phone="13800001111")
    jobs_run()
    assert len(outbox) == 1 and jobs("notify.send")[0]["status"] == "todo"  # waiting for its retry
    time.sleep(3.5)  # the first back-off (RETRY: 3 s)
    jobs_run()
    [job] = jobs("notify.send")
    assert (job["status"], job["attempts"]) == ("succeeded", 2)
    assert runs == [True, False]
    assert len(outbox) == 1


def test_inline_the_sms_goes_after_the_commit(outbox, settings):
    settings.WUYE = {**settings.WUYE, "JOBS": "inline"}
    send_verified(phone="13800001111")
    assert len(outbox) == 1
    row = Notification.objects.get()
    assert tasks.notification_send_job(notification_id=row.pk) is None  # the job run again…
    assert len(outbox) == 1  # …sends nothing
    assert services.notification_send(notification_id=row.pk) is False
