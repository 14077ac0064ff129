"""Intake's jobs (procrastinate autodiscovers `tasks.py`; started with wuye.common.jobs.defer)."""

from wuye.common.jobs import RETRY, app, defer

from . import hooks


@app.task(name="intake.lead_created", retry=RETRY)
def lead_created_job(*, lead_id: int) -> None:
    """The lead-created callbacks (triage's suggestion, …) for one committed lead."""
    hooks.run_callbacks(lead_id)


def lead_created(lead_id: int) -> None:
    """Inside the lead's transaction: defer the job that runs the callbacks, one per lead. No queueing key: the
    lead was inserted by this very transaction, so no other job for it can exist, and a retried submission
    returns the existing lead without deferring (a key would cost a savepoint and a unique check per complaint)."""
    if hooks.registered():
        defer(lead_created_job, lead_id=lead_id)
