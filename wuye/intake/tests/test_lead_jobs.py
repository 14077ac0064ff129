"""The lead-created callbacks as one job per lead, deferred inside the lead's own transaction."""

import pytest
from django.db import connection, transaction

from wuye.intake import hooks
from wuye.intake.models import Lead
from wuye.intake.services import qr_submit
from wuye.kernel.actors import PublicActor
from wuye.testing.jobs import jobs, jobs_clear

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def calls():
    seen: list[int] = []

    def record(lead_id):
        seen.append(lead_id)

    hooks.register_on_lead_created(record)
    yield seen
    hooks._on_lead_created.remove(record)


def _submit(estate, key, text="楼道灯坏了两个月没人修"):
    return qr_submit(actor=PublicActor("qr"), estate=estate, text=text, idem_key=key * 6).lead


def test_inline_the_callbacks_run_once_after_the_commit_and_never_for_a_rollback(estate, calls, settings):
    settings.WUYE = {**settings.WUYE, "JOBS": "inline"}
    with pytest.raises(RuntimeError), transaction.atomic():
        _submit(estate, "rb")
        raise RuntimeError("the caller's transaction fails")
    assert calls == [] and not Lead.objects.exists()
    with transaction.atomic():
        lead = _submit(estate, "ok")
        assert calls == []  # not inside the transaction
    assert calls == [lead.pk]


def test_a_failing_callback_keeps_the_lead_and_the_others_run(estate, calls, settings):
    settings.WUYE = {**settings.WUYE, "JOBS": "inline"}

    def broken(lead_id):
        raise RuntimeError("classifier crashed")

    hooks._on_lead_created.insert(0, broken)
    try:
        lead = _submit(estate, "br")
    finally:
        hooks._on_lead_created.remove(broken)
    assert Lead.objects.filter(pk=lead.pk).exists() and calls == [lead.pk]
    with pytest.raises(hooks.LeadHooksFailed):  # in a worker the job fails and is retried with back-off
        hooks._on_lead_created.insert(0, broken)
        try:
            hooks.run_callbacks(lead.pk)
        finally:
            hooks._on_lead_created.remove(broken)


def test_a_rolled_back_lead_never_has_a_job_and_a_committed_one_has_one(estate, settings):
    if connection.vendor != "postgresql":
        pytest.skip("procrastinate's queue lives in PostgreSQL")
    jobs_clear()
    settings.WUYE = {**settings.WUYE, "JOBS": "procrastinate"}
    with pytest.raises(RuntimeError), transaction.atomic():
        _submit(estate, "rb")
        assert len(jobs("intake.lead_created")) == 1  # inserted with the lead…
        raise RuntimeError("the caller's transaction fails")
    assert jobs("intake.lead_created") == [] and not Lead.objects.exists()  # …and gone with it
    lead = _submit(estate, "ok")  # the resident's request: no outer transaction
    [job] = jobs("intake.lead_created")
    assert (job["args"], job["queueing_lock"], job["status"]) == ({"lead_id": lead.pk}, None, "todo")
    assert _submit(estate, "ok").pk == lead.pk  # a retried submission: the same lead, no second job
    assert len(jobs("intake.lead_created")) == 1
