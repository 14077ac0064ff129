"""Accounts' jobs (procrastinate autodiscovers `tasks.py`; started with wuye.common.jobs.defer)."""

from wuye.common.jobs import app

from .smsguard import login_sms_deliver


# no retry: a failing gateway is counted (SmsOutcome.GATEWAY_ERROR) and the owner asks for a new code
@app.task(name="accounts.login_sms")
def login_sms_job(*, token: str) -> None:
    """Send one login code (phone and text wait in the cache under `token`)."""
    login_sms_deliver(token)
