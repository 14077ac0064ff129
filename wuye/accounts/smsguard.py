"""Limits and accounting for owners' login codes (SMS cost, abuse, enumeration).

Every request for a code is counted, per client address and county-wide, in the shared cache (Redis in
production), on top of the per-phone resend interval; each request ends in one `SmsOutcome`, counted per day for
the office head. The answer does not say whether a phone belongs to an owner: an unknown phone simply never gets
a code.
"""

import datetime as dt
import hashlib
import logging
import secrets
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F

from wuye.common.dates import today
from wuye.common.errors import DomainError
from wuye.common.jobs import once
from wuye.kernel.conf import county_setting

from .models import SmsDailyCount, SmsOutcome
from .sms import sms_send

logger = logging.getLogger("wuye.sms")

LOGIN_SMS_PREFIX = "wuye:sms:pending:"
TOO_MANY = "获取验证码过于频繁，请稍后再试"


def _window_count(key: str, window: int) -> int:
    """Count one hit in the current fixed window of `window` seconds; return the count so far."""
    cache_key = f"wuye:sms:{key}:{int(time.time() // window)}"
    if cache.add(cache_key, 1, timeout=window + 1):
        return 1
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 1)
        return 1


def _phone_key(phone: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{phone}".encode()).hexdigest()[:32]


def sms_limits_check(*, phone: str, client: str) -> None:
    """Refuse (and count) a request over a limit. The same checks, in the same order, for every phone."""
    window = int(county_setting("SMS_LIMIT_WINDOW_SECONDS"))
    if _window_count(f"client:{client or 'unknown'}", window) > int(county_setting("SMS_PER_CLIENT")):
        sms_count(SmsOutcome.LIMITED_CLIENT)
        raise DomainError(TOO_MANY, field="手机号")
    if _window_count("global", window) > int(county_setting("SMS_GLOBAL")):
        sms_count(SmsOutcome.LIMITED_GLOBAL)
        raise DomainError(TOO_MANY, field="手机号")
    resend = int(county_setting("OTP_RESEND_SECONDS"))
    if not cache.add(f"wuye:sms:phone:{_phone_key(phone)}", 1, timeout=resend):
        sms_count(SmsOutcome.LIMITED_PHONE)
        raise DomainError(f"验证码已发送，请 {resend} 秒后再试", field="手机号")


def sms_count(outcome: str) -> None:
    """One more request with this outcome today (an upsert; safe under concurrent requests)."""
    day = today()
    if SmsDailyCount.objects.filter(day=day, outcome=outcome).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            SmsDailyCount.objects.create(day=day, outcome=outcome, count=1)
    except IntegrityError:  # a concurrent request made today's row first
        SmsDailyCount.objects.filter(day=day, outcome=outcome).update(count=F("count") + 1)


def _deliver(phone: str, text: str) -> None:
    try:
        sms_send(phone, text)
    except Exception:  # the gateway failing must not become a 500 that tells the phone was an owner's
        logger.exception("sms gateway failed for a login code")
        sms_count(SmsOutcome.GATEWAY_ERROR)


def sms_dispatch(phone: str, text: str) -> None:
    """Send after the commit, in a job (`accounts.login_sms`), so a known phone's answer takes no longer than an
    unknown one's. The job carries only a random token: the phone and the code wait in the shared cache (for the
    code's lifetime), never in the job table or the worker's log; the job claims the token (`once`) before sending,
    so a job run twice sends one SMS, and a job that runs after the code expired sends nothing."""
    from wuye.common.jobs import defer

    from .tasks import login_sms_job

    token = secrets.token_urlsafe(16)
    cache.set(f"{LOGIN_SMS_PREFIX}{token}", (phone, text), timeout=int(county_setting("OTP_TTL_SECONDS")))
    defer(login_sms_job, token=token)


def login_sms_deliver(token: str) -> bool:
    """The job's body: True when this run sent the SMS."""
    payload = cache.get(f"{LOGIN_SMS_PREFIX}{token}")
    if payload is None or not once(f"login-sms:{token}", days=1):
        return False
    cache.delete(f"{LOGIN_SMS_PREFIX}{token}")
    phone, text = payload
    _deliver(phone, text)
    return True


def sms_counts_by_day(days: int = 30) -> list[dict[str, Any]]:
    """Rows for the office head's page: one per day with a count per outcome and the total, newest first."""
    since = today() - dt.timedelta(days=days - 1)
    rows: dict[Any, dict[str, Any]] = {}
    for day, outcome, count in SmsDailyCount.objects.filter(day__gte=since).values_list(
        "day", "outcome", "count"
    ):
        row = rows.setdefault(day, {"day": day, "total": 0, **{o: 0 for o in SmsOutcome.values}})
        row[outcome] = count
        row["total"] += count
    return [rows[d] for d in sorted(rows, reverse=True)]
