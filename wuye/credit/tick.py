"""The credit app's periodic task (listed in settings.WUYE_TICK_TASKS)."""

from collections.abc import Callable

from wuye.kernel.actors import SystemActor

from .services import credit_events_collect


def collect_events(*, out: Callable[[str], None], quiet: bool) -> None:
    """Derive the credit events that the other apps' records imply and are not recorded yet."""
    created = credit_events_collect(actor=SystemActor("credit_collect"))
    if created or not quiet:
        out(f"新记录信用事件 {len(created)} 条。")
