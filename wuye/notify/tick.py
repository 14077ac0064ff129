"""`manage.py tick`: send the SMS that waited out the quiet hours or a retry."""

from collections.abc import Callable

from .services import notifications_send_due


def send_due(*, out: Callable[[str], None], quiet: bool) -> None:
    sent, given_up = notifications_send_due()
    if sent or given_up or not quiet:
        out(f"发送到期短信 {sent} 条；结果不明记为失败 {given_up} 条。")
