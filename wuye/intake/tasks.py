"""Intake's jobs (procrastinate autodiscovers `tasks.py`; started with wuye.common.jobs.defer)."""

from wuye.common.jobs import RETRY, app

from . import hooks


@app.task(name="intake.lead_created", retry=RETRY)
def lead_created_job(*, lead_id: int) -> None:
    """The lead-created callbacks (triage's suggestion, …) for one committed lead."""
    hooks.run_callbacks(lead_id)
