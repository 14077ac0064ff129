"""The scheduler as periodic jobs: `manage.py tick` every minute (procrastinate defers it from the workers'
schedule, settings.WUYE_JOBS_SCHEDULE; one job runs WUYE_TICK_TASKS in order, so notify's `send_due` still comes
last). `queueing_lock` keeps at most one tick waiting and `lock` one running: a slow tick is never doubled."""

import io

from django.conf import settings
from django.core.management import call_command

from wuye.common.jobs import app


@app.periodic(cron=settings.WUYE_JOBS_SCHEDULE["tick"], periodic_id="tick")
@app.task(name="cases.tick", queueing_lock="tick", lock="tick")
def tick_job(timestamp: int) -> None:
    out = io.StringIO()
    call_command("tick", "--quiet", stdout=out)
    # the output stays here: job results are logged by the worker
