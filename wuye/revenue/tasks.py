"""`manage.py revenue_checks` as a daily periodic job (settings.WUYE_JOBS_SCHEDULE); each finding opens or refreshes
one keyed lead, so a run repeated after a retry opens nothing twice."""

import io

from django.conf import settings
from django.core.management import call_command

from wuye.common.jobs import RETRY, app


@app.periodic(cron=settings.WUYE_JOBS_SCHEDULE["revenue_checks"], periodic_id="daily")
@app.task(name="revenue.checks", queueing_lock="revenue_checks", lock="revenue_checks", retry=RETRY)
def revenue_checks_job(timestamp: int) -> None:
    out = io.StringIO()
    call_command("revenue_checks", stdout=out)
    # the output stays here: job results are logged by the worker
