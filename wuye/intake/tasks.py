"""Intake's jobs (procrastinate autodiscovers `tasks.py`; started with wuye.common.jobs.defer)."""

from wuye.common.jobs import RETRY, app, defer

from . import hooks


@app.task(name="intake.lead_created", retry=RETRY)
def lead_created_job(*, lead_id: int) -> None:
    """The lead-created callbacks (triage's suggestion, …) for one committed lead."""
    hooks.run_callbacks(lead_id)


def lead_created(lead_id: int) -> None:
    """Inside the lead's transaction: defer the job that runs the callbacks (one per lead, keyed by it)."""
    if hooks.registered():
        defer(lead_created_job, key=f"lead:{lead_id}", lead_id=lead_id)
