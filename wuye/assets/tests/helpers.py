"""Builders for the assets tests: through the services, as users would."""

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook

from wuye.assets import services
from wuye.assets.models import Elevator
from wuye.common.dates import today
from wuye.kernel.actors import SystemActor
from wuye.registry.models import Estate

DEMO = SystemActor("demo")
HEADERS = [
    "使用登记证编号",
    "小区编码",
    "楼栋",
    "单元",
    "制造单位",
    "型号",
    "安装日期",
    "最近定期检验日期",
    "检验结论",
    "维保单位",
]


def register_xlsx(rows: list[list[Any]]) -> bytes:
    """A special-equipment register as the market regulator exports it: a title line, the header, the rows."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["钟山县特种设备使用登记台账（电梯）"])
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def elevator(
    estate: Estate, *, code: str = "", years: int = 5, maintained_days_ago: int | None = 3
) -> Elevator:
    e, _ = services.elevator_save(
        actor=DEMO,
        estate=estate,
        reg_code=code or f"梯{estate.code}{Elevator.objects.count() + 1:03d}",
        installed_on=today().replace(year=today().year - years, day=1),
    )
    if maintained_days_ago is not None:
        services.maintenance_record(
            actor=DEMO,
            elevator=e,
            done_on=today() - dt.timedelta(days=maintained_days_ago),
            done_by="安达电梯",
        )
    return e


def passed_motion(estate: Estate, *, item: int, title: str, agree: bool = True) -> Any:
    """An assembly of the estate (which needs units with owners) in which every owner votes on one motion, closed:
    the motion passes when they agree."""
    from unittest import mock

    from wuye.accounts.models import Role, User
    from wuye.common.dates import now
    from wuye.registry.models import Owner
    from wuye.testing import make_user
    from wuye.voting import services as voting

    committee = make_user(Role.COMMITTEE_MEMBER, estate_id=estate.pk)
    a = voting.assembly_create(
        actor=committee,
        estate=estate,
        title="2026年临时业主大会",
        notice="表决本次事项。",
        vote_start=now() - dt.timedelta(hours=1),
        vote_end=now() + dt.timedelta(days=1),
    )
    motion = voting.motion_add(actor=committee, assembly=a, item=item, title=title)
    voting.assembly_open(actor=committee, assembly=a)
    for owner in Owner.objects.filter(ownerships__unit__estate=estate).distinct():
        user = User.objects.filter(owner=owner).first() or make_user(Role.OWNER, owner=owner)
        voting.ballot_cast(actor=user, assembly=a, choices={motion.code: "agree" if agree else "disagree"})
    with mock.patch("wuye.voting.services.now", return_value=a.vote_end + dt.timedelta(minutes=1)):
        voting.assembly_close(actor=committee, assembly=a)
    motion.refresh_from_db()
    return motion
