"""One row per message per recipient and channel: the record that a send happened (or why it did not)."""

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    INAPP = "inapp", "站内消息"


class Status(models.TextChoices):
    PENDING = "pending", "待发送"
    # claimed by one sender: the SMS gateway is being called; never claimed twice, so never sent twice
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Notification(models.Model):
    # the event's stable key (e.g. "case:12:verified"); with the channel and the recipient it is unique, so a
    # retried job or a second tick finds the row and sends nothing
    key = models.CharField("事件标识", max_length=200)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    recipient = models.CharField("接收方标识", max_length=40)  # "u:<user id>" or "p:<phone>"
    event = models.CharField("消息类型", max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收用户",
    )
    phone = models.CharField("短信号码", max_length=20, blank=True)
    text = models.TextField("内容")
    link = models.CharField("链接", max_length=300, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("生成时间")
    send_after = models.DateTimeField("最早发送时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.CharField("失败原因", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息"
        constraints = [
            models.UniqueConstraint(fields=["key", "channel", "recipient"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["status", "send_after"], name="notification_due"),
            models.Index(fields=["user", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.event} {self.key}"
