"""LEAD_HOOKS="worker": the resident's request only commits the lead; `manage.py lead_worker` runs the callbacks."""

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse

from wuye.intake import hooks
from wuye.intake.models import Lead, LeadHookCursor
from wuye.intake.services import qr_submit
from wuye.kernel.actors import PublicActor


@pytest.fixture
def calls(monkeypatch):
    """Only this test's callback is registered (triage's would need a trained model)."""
    seen: list[int] = []

    def record(lead_id):
        seen.append(lead_id)
        # a database write, to show it commits (or rolls back) with the cursor
        Lead.objects.filter(pk=lead_id).update(address=f"processed-{lead_id}")

    monkeypatch.setattr(hooks, "_on_lead_created", [record])
    return seen


@pytest.fixture
def worker_mode(settings):
    settings.WUYE = {**settings.WUYE, "LEAD_HOOKS": "worker"}


def _submit(estate, key):
    return qr_submit(
        actor=PublicActor("qr"), estate=estate, text=f"楼道灯坏了（{key}）", idem_key=f"test-{key}-0000"
    ).lead


def _run_once(*args):
    out = io.StringIO()
    call_command("lead_worker", "--once", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_worker_mode_request_commits_lead_without_running_callbacks(
    client, estate, calls, worker_mode, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("intake:qr_form", args=[estate.code]),
            {"text": "3栋电梯停运", "category": "3.1", "idem": "w" * 32},
        )
    assert r.status_code == 302
    lead = Lead.objects.get()
    assert calls == []  # not in the request
    assert "已处理 1 条线索" in _run_once()
    assert calls == [lead.pk]
    assert Lead.objects.get().address == f"processed-{lead.pk}"


@pytest.mark.django_db
def test_inline_mode_still_runs_callbacks_in_the_request(
    client, estate, calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:qr_form", args=[estate.code]), {"text": "电梯停运", "idem": "i" * 32})
    assert calls == [Lead.objects.get().pk]


@pytest.mark.django_db
def test_once_processes_pending_leads_in_id_order_and_a_second_run_nothing(estate, calls, worker_mode):
    leads = [_submit(estate, f"k{i}") for i in range(5)]
    assert "已处理 5 条线索" in _run_once("--batch", "2")
    assert calls == sorted(lead.pk for lead in leads)
    assert LeadHookCursor.objects.get().last_lead_id == max(lead.pk for lead in leads)
    assert "已处理 0 条线索" in _run_once()
    assert len(calls) == 5


@pytest.mark.django_db
def test_restart_resumes_from_the_cursor(estate, calls, worker_mode):
    first = [_submit(estate, f"a{i}") for i in range(2)]
    _run_once()
    later = [_submit(estate, f"b{i}") for i in range(3)]
    calls.clear()
    _run_once()  # a new run (a restarted worker) only sees what came after the cursor
    assert calls == [lead.pk for lead in later]
    assert not set(calls) & {lead.pk for lead in first}


@pytest.mark.django_db
def test_a_crash_mid_batch_rolls_back_the_batch_and_the_restart_repeats_nothing_lost(
    estate, worker_mode, monkeypatch
):
    leads = [_submit(estate, f"c{i}") for i in range(3)]
    seen: list[int] = []

    def dies_on_second(lead_id):
        seen.append(lead_id)
        Lead.objects.filter(pk=lead_id).update(address="done")
        if lead_id == leads[1].pk:
            raise SystemExit("killed")  # not an Exception: the process stops mid-batch

    monkeypatch.setattr(hooks, "_on_lead_created", [dies_on_second])
    with pytest.raises(SystemExit):
        _run_once()
    assert LeadHookCursor.objects.get().last_lead_id == 0
    assert not Lead.objects.filter(address="done").exists()  # the first lead's write went with the batch
    seen.clear()
    monkeypatch.setattr(
        hooks,
        "_on_lead_created",
        [lambda i: (seen.append(i), Lead.objects.filter(pk=i).update(address="done"))],
    )
    _run_once()
    assert seen == [lead.pk for lead in leads]
    assert Lead.objects.filter(address="done").count() == 3


@pytest.mark.django_db
def test_a_failing_callback_is_logged_and_does_not_block_the_others(estate, worker_mode, monkeypatch, caplog):
    lead = _submit(estate, "f")
    seen: list[int] = []

    def broken(lead_id):
        Lead.objects.filter(pk=lead_id).update(address="half-written")
        raise ValueError("boom")

    monkeypatch.setattr(hooks, "_on_lead_created", [broken, seen.append])
    _run_once()
    assert seen == [lead.pk]
    assert Lead.objects.get().address == ""  # the broken callback's write rolled back to its savepoint
    assert "failed for lead" in caplog.text
    assert LeadHookCursor.objects.get().last_lead_id == lead.pk


@pytest.mark.django_db
def test_skip_existing_starts_after_the_newest_lead(estate, calls, worker_mode):
    _submit(estate, "old")
    _run_once("--skip-existing")
    assert calls == []
    new = _submit(estate, "new")
    _run_once()
    assert calls == [new.pk]


@pytest.mark.django_db
def test_unseen_ids_are_retried_then_forgotten(estate, calls, worker_mode):
    lead = _submit(estate, "g")
    LeadHookCursor.objects.create(pk=1, last_lead_id=lead.pk, gaps={str(lead.pk): 0.0, "99999999": 0.0})
    assert (
        hooks.process_pending_leads(gap_wait=10**12) == 1
    )  # a lead that committed after the cursor passed it
    assert calls == [lead.pk]
    assert LeadHookCursor.objects.get().gaps == {"99999999": 0.0}
    assert hooks.process_pending_leads(gap_wait=60) == 0
    assert LeadHookCursor.objects.get().gaps == {}  # never appeared: a rolled-back id


@pytest.mark.django_db
def test_status_shows_the_backlog(estate, calls, worker_mode):
    out = io.StringIO()
    _submit(estate, "s1")
    call_command("lead_worker", "--status", stdout=out)
    assert "共有 1 条线索待处理" in out.getvalue() and calls == []
    _run_once()
    _submit(estate, "s2")
    _submit(estate, "s3")
    out = io.StringIO()
    call_command("lead_worker", "--status", stdout=out)
    assert "积压 2 条" in out.getvalue() and len(calls) == 1


@pytest.mark.django_db
def test_bad_options_are_refused_in_chinese(db):
    with pytest.raises(CommandError, match="必须大于 0"):
        call_command("lead_worker", "--once", "--interval", "0")


@pytest.mark.django_db
def test_max_seconds_stops_the_polling_loop(estate, calls, worker_mode):
    lead = _submit(estate, "m")
    out = io.StringIO()
    call_command("lead_worker", "--max-seconds", "0.3", "--interval", "0.05", stdout=out)
    assert calls == [lead.pk] and "已处理 1 条线索" in out.getvalue()


# --- PostgreSQL: separate connections ------------------------------------------------------------------------------


def _pg_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks and serialises writers, so nothing races")


@pytest.mark.django_db(transaction=True)
def test_a_lead_committed_out_of_id_order_is_not_skipped(estate, calls, worker_mode):
    _pg_only()
    _submit(estate, "first")
    assert (
        hooks.process_pending_leads() == 1
    )  # the worker has been running: its cursor is past the first lead
    calls.clear()
    inserted, release = threading.Event(), threading.Event()
    slow: list[Lead] = []

    def slow_request():
        from django.db import transaction

        try:
            with transaction.atomic():
                slow.append(_submit(estate, "slow"))
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    t = threading.Thread(target=slow_request)
    t.start()
    assert inserted.wait(10)
    fast = _submit(estate, "fast")  # a higher id, committed first
    assert hooks.process_pending_leads() == 1
    assert calls == [fast.pk]
    release.set()
    t.join()
    assert slow[0].pk < fast.pk
    assert hooks.process_pending_leads() == 1
    assert calls == [fast.pk, slow[0].pk]
    assert LeadHookCursor.objects.get().gaps == {}


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_process_the_same_lead(estate, worker_mode, monkeypatch):
    _pg_only()
    leads = [_submit(estate, f"p{i}") for i in range(3)]
    seen: list[int] = []
    entered, release = threading.Event(), threading.Event()

    def slow_callback(lead_id):
        seen.append(lead_id)
        entered.set()
        release.wait(10)

    monkeypatch.setattr(hooks, "_on_lead_created", [slow_callback])
    results: list[int | None] = []

    def first_worker():
        try:
            results.append(hooks.process_pending_leads())
        finally:
            connections.close_all()

    t = threading.Thread(target=first_worker)
    t.start()
    assert entered.wait(10)
    assert hooks.process_pending_leads() is None  # the cursor is locked: skip, don't wait, don't repeat
    release.set()
    t.join()
    assert results == [3]
    assert hooks.process_pending_leads() == 0
    assert seen == [lead.pk for lead in leads]
