"""The assets app's periodic tasks, run by `manage.py tick` (listed in `settings.WUYE_TICK_TASKS`)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef

from wuye.cases.models import HandoverRecord
from wuye.cases.models import HandoverStatus as RecordStatus
from wuye.common.dates import today
from wuye.registry.models import ServiceContract
from wuye.registry.selectors import contracts_in_force, estate_setting, setting_range
from wuye.voting.models import RESULT_STATES, Motion

from . import checks
from .models import Handover, HandoverSource, HandoverStatus
from .services import handover_mark_overdue, handover_open
from .votes import DISMISSAL_ITEM, DISMISSAL_WORD, motion_passed


def _summary(counts: dict[str, int]) -> str:
    parts = [f"{k} 类 {v} 条" for k, v in sorted(counts.items()) if k != "new"]
    return f"{'；'.join(parts) or '无发现'}（新线索 {counts.get('new', 0)} 条）"


def elevator_checks(*, out: Callable[[str], None], quiet: bool) -> None:
    """3.1 maintenance, 3.1 urgent faults and entrapments, 3.2 renewal due, 3.3 renewal without funds."""
    counts = checks.run(checks.ELEVATOR_CHECKS)
    out(f"电梯检查：{_summary(counts)}")


def fund_checks(*, out: Callable[[str], None], quiet: bool) -> None:
    counts = checks.run((checks.check_fund_uses,))
    out(f"维修资金使用检查：{_summary(counts)}")


def parking_checks(*, out: Callable[[str], None], quiet: bool) -> None:
    """2.4: let common-part spaces' rent against the parking income in the public-revenue ledger."""
    counts = checks.run((checks.check_parking_rent,))
    out(f"共有车位租金核对：{_summary(counts)}")


def open_handovers(on: dt.date) -> int:
    """Open the handovers that the contracts' ends, the owners' dismissal votes and the ledger's records call for."""

    def days(estate: Any) -> dt.timedelta:
        """HANDOVER_DAYS as the estate's county sets it."""
        return dt.timedelta(days=int(estate_setting("HANDOVER_DAYS", estate)))

    lookback = on - dt.timedelta(days=int(setting_range("HANDOVER_LOOKBACK_DAYS")[1]))
    opened = 0
    # a contract that ended (within the look-back) and was not renewed by the same company
    renewed = ServiceContract.objects.filter(
        estate=OuterRef("estate"), company=OuterRef("company"), start__gt=OuterRef("start")
    )
    ended = (
        ServiceContract.objects.filter(end__isnull=False, end__lte=on, end__gte=lookback)
        .exclude(Exists(renewed))
        .exclude(Exists(Handover.objects.filter(contract=OuterRef("pk"))))
        # an estate's handover already under way (or done) since this contract ended covers it
        .exclude(Exists(Handover.objects.filter(estate=OuterRef("estate"), deadline__gte=OuterRef("end"))))
        .select_related("estate__town__county", "company")
        .order_by("end", "pk")
    )
    for c in ended:
        assert c.end is not None
        if c.end < on - dt.timedelta(days=int(estate_setting("HANDOVER_LOOKBACK_DAYS", c.estate))):
            continue
        _, created = handover_open(
            actor=checks.ACTOR,
            estate=c.estate,
            source=HandoverSource.CONTRACT_END,
            contract=c,
            deadline=c.end + days(c.estate),
        )
        opened += int(created)
    # the ledger's 引导业主解聘 opened a record
    records = (
        HandoverRecord.objects.filter(status=RecordStatus.OPEN)
        .exclude(Exists(Handover.objects.filter(record=OuterRef("pk"))))
        .select_related("estate__town", "contract__company")
        .order_by("pk")
    )
    for r in records:
        _, created = handover_open(
            actor=checks.ACTOR, estate=r.estate, source=HandoverSource.LEDGER, record=r, deadline=r.deadline
        )
        opened += int(created)
    # the owners voted to dismiss the company (art. 278 item 4)
    motions = (
        Motion.objects.filter(
            item=DISMISSAL_ITEM, title__contains=DISMISSAL_WORD, assembly__status__in=RESULT_STATES
        )
        .exclude(Exists(Handover.objects.filter(motion=OuterRef("pk"))))
        .select_related("assembly__estate__town__county")
        .order_by("pk")
    )
    for m in motions:
        if not motion_passed(m):
            continue
        closed = m.assembly.closed_at.date() if m.assembly.closed_at else on
        contract = contracts_in_force(on=closed).filter(estate=m.assembly.estate).first()
        if contract is not None and Handover.objects.filter(contract=contract).exists():
            contract = None
        _, created = handover_open(
            actor=checks.ACTOR,
            estate=m.assembly.estate,
            source=HandoverSource.DISMISSAL,
            motion=m,
            contract=contract,
            deadline=closed + days(m.assembly.estate),
        )
        opened += int(created)
    return opened


def handover_checks(*, out: Callable[[str], None], quiet: bool) -> None:
    """Open the handovers due; past the deadline with items open: the overdue fact and one category-5 lead."""
    on = today()
    opened = open_handovers(on)
    overdue = Handover.objects.filter(status=HandoverStatus.OPEN, deadline__lt=on, overdue_since__isnull=True)
    for h in overdue.order_by("pk"):
        handover_mark_overdue(actor=checks.ACTOR, handover=h, on=on)
    counts = checks.run((checks.check_handover_overdue,), on=on)
    out(f"移交检查：新开启移交 {opened} 个；{_summary(counts)}")
