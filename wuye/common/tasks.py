"""The job queue's own upkeep, as periodic jobs (settings.WUYE_JOBS_SCHEDULE)."""

import logging

from django.conf import settings

from .jobs import app, stalled_seconds

logger = logging.getLogger("wuye.jobs")


@app.periodic(cron=settings.WUYE_JOBS_SCHEDULE["retry_stalled_jobs"], periodic_id="retry_stalled_jobs")
@app.task(name="jobs.retry_stalled", queueing_lock="retry_stalled_jobs")
async def retry_stalled_jobs(timestamp: int) -> int:
    """Put back in the queue the running jobs of workers that stopped beating (procrastinate 3 heartbeats): a
    worker killed mid-job leaves its job "doing"; another worker runs it again (jobs are idempotent)."""
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds())
    for job in stalled:
        logger.warning("retrying stalled job %s (%s)", job.id, job.task_name)
        await app.job_manager.retry_job(job)
    return len(list(stalled))


@app.periodic(cron=settings.WUYE_JOBS_SCHEDULE["delete_old_jobs"], periodic_id="delete_old_jobs")
@app.task(name="jobs.delete_old", queueing_lock="delete_old_jobs")
async def delete_old_jobs(timestamp: int) -> None:
    """Finished jobs are kept 30 days (the admin shows them), failed ones too, then deleted."""
    await app.job_manager.delete_old_jobs(nb_hours=30 * 24, include_failed=True)
