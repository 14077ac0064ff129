"""SMS delivery behind one small interface: console in development, memory in tests, a gateway in production."""

import logging
from typing import Protocol

from django.utils.module_loading import import_string

from wuye.kernel.conf import county_setting

logger = logging.getLogger("wuye.sms")


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSmsBackend:
    def send(self, phone: str, text: str) -> None:
        print(f"[短信] 发送至 {phone}：{text}", flush=True)  # noqa: T201


class MemorySmsBackend:
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemorySmsBackend.outbox.append((phone, text))


def get_sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(county_setting("SMS_BACKEND"))()
    return backend


def sms_send(phone: str, text: str) -> None:
    get_sms_backend().send(phone, text)
