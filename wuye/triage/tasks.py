"""`manage.py triage_backfill` as an hourly periodic job (settings.WUYE_JOBS_SCHEDULE): suggestions for new leads
whose job found no model (one suggestion per lead: a repeat adds nothing)."""

import io

from django.conf import settings
from django.core.management import call_command

from wuye.common.jobs import app


@app.periodic(cron=settings.WUYE_JOBS_SCHEDULE["triage_backfill"], periodic_id="hourly")
@app.task(name="triage.backfill", queueing_lock="triage_backfill", lock="triage_backfill")
def triage_backfill_job(timestamp: int) -> None:
    out = io.StringIO()
    call_command("triage_backfill", stdout=out)
    # the output stays here: job results are logged by the worker
