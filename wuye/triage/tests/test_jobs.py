"""A committed lead's job runs triage once, in a worker, not in the resident's request."""

import pytest
from django.db import connection

from wuye.intake.services import qr_submit
from wuye.kernel.actors import PublicActor
from wuye.testing import make_company, make_estate
from wuye.testing.jobs import jobs, jobs_clear, jobs_run
from wuye.triage.models import Suggestion

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_committed_leads_job_runs_triage_once(model, settings):
    if connection.vendor != "postgresql":
        pytest.skip("procrastinate's queue lives in PostgreSQL")
    jobs_clear()
    settings.WUYE = {**settings.WUYE, "JOBS": "procrastinate"}
    estate = make_estate(company=make_company(), name="阳光花园")
    lead = qr_submit(
        actor=PublicActor("qr"), estate=estate, text="3栋电梯困人了，快来救人！", idem_key="t" * 12
    ).lead
    assert not Suggestion.objects.exists()  # nothing in the request
    jobs_run()
    assert Suggestion.objects.filter(lead=lead).count() == 1
    assert [j["status"] for j in jobs("intake.lead_created")] == ["succeeded"]
    # the same job run again (a retry, a stalled worker's job) adds nothing
    from wuye.common.jobs import defer
    from wuye.intake.tasks import lead_created_job

    defer(lead_created_job, key=f"lead:{lead.pk}", lead_id=lead.pk)
    jobs_run()
    assert [j["status"] for j in jobs("intake.lead_created")] == ["succeeded", "succeeded"]
    assert Suggestion.objects.filter(lead=lead).count() == 1
