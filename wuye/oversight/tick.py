"""The monthly reports' periodic tasks and the daily summary, run by `manage.py tick` (settings.WUYE_TICK_TASKS)."""

import datetime as dt
from collections.abc import Callable

from django.core.cache import cache

from wuye.common.dates import today
from wuye.kernel.actors import SystemActor

from .models import DailySummary
from .services import lateness_record, reminders_send, summary_refresh

JOB = SystemActor("monthly_reports")
SUMMARY_JOB = SystemActor("daily_summary")
# Each run recomputes the last two days (today's moves, and yesterday's around midnight); the first run of each day
# recomputes everything (a reopened or merged case changes the day it was once closed or received). `tick` runs
# every minute, and a full recount of a million cases takes minutes, so it is done once a day, not every minute.
SUMMARY_WINDOW_DAYS = 2
FULL_KEY = "oversight:summary_full:{day}"


def send_report_reminders(*, out: Callable[[str], None], quiet: bool) -> None:
    sent = reminders_send(actor=JOB, on=today())
    if sent or not quiet:
        out(f"月报提醒：本次发送 {sent} 条。")


def record_report_lateness(*, out: Callable[[str], None], quiet: bool) -> None:
    n = lateness_record(actor=JOB, on=today())
    if n or not quiet:
        out(f"月报逾期：新登记 {n} 条。")


def refresh_daily_summary(*, out: Callable[[str], None], quiet: bool) -> None:
    day = today()
    full = not DailySummary.objects.exists() or cache.add(FULL_KEY.format(day=day), 1, timeout=2 * 86400)
    since = None if full else day - dt.timedelta(days=SUMMARY_WINDOW_DAYS)
    n = summary_refresh(actor=SUMMARY_JOB, since=since)
    if n or not quiet:
        out(f"每日统计：更新 {n} 行。")
