"""Writes of notifications: record a message once, send it once.

`notify` records one row per channel and recipient under the event's key (unique), so calling it again for the
same event — a retried job, a second tick — records and sends nothing new. SMS is sent by a job deferred in the
same transaction (`notify.send`, wuye.common.jobs) and run after it commits: `notification_send` first *claims*
the row (pending → sending in one UPDATE): two senders racing for one row (a retried job, the tick) cannot both
win, so no SMS goes out twice. A send that fails is retried a few times;
a claimed row whose result never came back (the process died mid-call) is marked failed, not re-sent: a missed
SMS is visible in the records, a doubled one could not be taken back.
"""

import datetime as dt
import logging
import string
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from wuye.accounts.models import User
from wuye.accounts.sms import get_sms_backend
from wuye.common.dates import now
from wuye.common.errors import DomainError
from wuye.common.jobs import defer
from wuye.kernel.actors import Actor, requires_actor
from wuye.kernel.conf import county_setting

from .models import Channel, Notification, Status

logger = logging.getLogger("wuye.notify")


class _Context(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        raise DomainError(f"消息模板需要“{key}”，但事件没有提供", field="context")


def render(event: str, context: Mapping[str, Any], *, link: str = "") -> str:
    templates: dict[str, str] = county_setting("NOTIFY_TEMPLATES")
    if event not in templates:
        raise DomainError(f"没有“{event}”的消息模板（设置 NOTIFY_TEMPLATES）", field="event")
    values = _Context(context)
    values["link"] = absolute(link) if link else ""
    return string.Formatter().vformat(templates[event], (), values).strip()


def absolute(link: str) -> str:
    if link.startswith(("http://", "https://")):
        return link
    base = str(county_setting("PUBLIC_BASE_URL")).rstrip("/")
    return f"{base}/{link.lstrip('/')}"


def _hm(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def quiet_until(at: dt.datetime) -> dt.datetime:
    """`at` itself when outside the quiet hours, else the moment they end (local time)."""
    start, end = _hm(county_setting("NOTIFY_QUIET_START")), _hm(county_setting("NOTIFY_QUIET_END"))
    local = at.astimezone()
    t = local.time()
    if start == end:
        return at
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return at
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=local.tzinfo)


def _record(values: dict[str, Any]) -> tuple[Notification, bool]:
    lookup = {k: values[k] for k in ("key", "channel", "recipient")}
    existing = Notification.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin's INSERT must not poison the caller
            return Notification.objects.create(**values), True
    except IntegrityError:
        return Notification.objects.get(**lookup), False


@requires_actor
@transaction.atomic
def notify(
    *,
    actor: Actor,
    key: str,
    event: str,
    context: Mapping[str, Any],
    user: User | None = None,
    phone: str = "",
    link: str = "",
    urgent: bool = False,
) -> list[Notification]:
    """Record the message for `user` (in-app, and SMS to their phone) and/or `phone` (SMS); send SMS after commit.

    `urgent` (a life-safety case) ignores the quiet hours. Returns the rows newly recorded (none on a repeat).
    """
    if not key or len(key) > 200:
        raise DomainError("消息的事件标识不能为空，且不超过 200 字", field="key")
    text = render(event, context, link=link)
    stamp = now()
    sms_phone = (phone or (user.phone if user is not None else "")).strip()
    base = {"key": key, "event": event, "text": text, "link": link, "created_at": stamp, "user": user}
    rows: list[Notification] = []
    if user is not None:
        row, created = _record(
            {
                **base,
                "channel": Channel.INAPP,
                "recipient": f"u:{user.pk}",
                "status": Status.SENT,
                "send_after": stamp,
                "sent_at": stamp,
            }
        )
        if created:
            rows.append(row)
    if sms_phone:
        recipient = f"u:{user.pk}" if user is not None and not phone else f"p:{sms_phone}"
        row, created = _record(
            {
                **base,
                "channel": Channel.SMS,
                "recipient": recipient,
                "phone": sms_phone,
                "status": Status.PENDING,
                "send_after": stamp if urgent else quiet_until(stamp),
            }
        )
        if created:
            rows.append(row)
            if row.send_after <= stamp:
                from .tasks import notification_send_job  # the job row commits with the notification

                defer(notification_send_job, key=f"notification:{row.pk}", notification_id=row.pk)
    return rows


def notification_send(*, notification_id: int) -> bool:
    """Send one pending SMS if it is due; True when this call sent it. Safe to call twice or concurrently."""
    at = now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Status.PENDING, send_after__lte=at, channel=Channel.SMS
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, sent_at=at)
    if not claimed:
        return False
    row = Notification.objects.get(pk=notification_id)
    try:
        get_sms_backend().send(row.phone, row.text)
    except Exception as exc:  # noqa: BLE001 — any gateway failure is recorded, never raised into a request
        reason = f"{type(exc).__name__}: {exc}"[:300]
        if row.attempts >= county_setting("NOTIFY_MAX_ATTEMPTS"):
            Notification.objects.filter(pk=row.pk).update(status=Status.FAILED, error=reason, sent_at=None)
        else:
            retry_at = at + dt.timedelta(minutes=county_setting("NOTIFY_RETRY_MINUTES"))
            Notification.objects.filter(pk=row.pk).update(
                status=Status.PENDING, error=reason, sent_at=None, send_after=retry_at
            )
        logger.warning("sms send failed", extra={"notification": row.pk, "event": row.event, "error": reason})
        return False
    Notification.objects.filter(pk=row.pk).update(status=Status.SENT, error="", sent_at=now())
    return True


def notifications_send_due(*, limit: int = 500) -> tuple[int, int]:
    """Send the SMS that are due (after the quiet hours, retries); mark long-unanswered sends failed.

    Returns (sent, given up). Run by `tick`.
    """
    at = now()
    stale = at - dt.timedelta(minutes=county_setting("NOTIFY_STALE_MINUTES"))
    given_up = Notification.objects.filter(status=Status.SENDING, sent_at__lt=stale).update(
        status=Status.FAILED, error="发送结果不明（网关未答复），为免重复不再重发"
    )
    ids = list(
        Notification.objects.filter(status=Status.PENDING, channel=Channel.SMS, send_after__lte=at)
        .order_by("send_after", "id")
        .values_list("id", flat=True)[:limit]
    )
    sent = sum(1 for pk in ids if notification_send(notification_id=pk))
    return sent, given_up


@requires_actor
@transaction.atomic
def notifications_mark_read(*, actor: Actor, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's in-app messages read (all, or the given ones). Only the user's own."""
    qs = Notification.objects.filter(user=user, channel=Channel.INAPP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=now())
