"""Notify's jobs (procrastinate autodiscovers `tasks.py`; started with wuye.common.jobs.defer)."""

from wuye.common.jobs import RETRY, app

from .services import notification_send


@app.task(name="notify.send", retry=RETRY)
def notification_send_job(*, notification_id: int) -> None:
    """Send one SMS. Run twice, it sends once: `notification_send` claims the row (pending → sending) first; a
    gateway failure is recorded on the row and retried by the tick after NOTIFY_RETRY_MINUTES."""
    notification_send(notification_id=notification_id)
