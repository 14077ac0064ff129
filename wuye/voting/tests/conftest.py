import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wuye.accounts.models import Role
from wuye.common.dates import now
from wuye.kernel.actors import SystemActor
from wuye.registry import services as reg
from wuye.registry.models import Owner, Ownership
from wuye.testing import make_company, make_estate, make_units, make_user
from wuye.voting import services


def png(name: str = "ballot.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 30, 200)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


class World:
    """An estate whose persons exercise every counting rule (R2):

    1栋-001 co-owned by O0 (designated voter) and C; O1 owns 1栋-002 and 1栋-007 (one person, 150 m²);
    1栋-003…006 one owner each; 1栋-008 and 1栋-009 developer-held (one person, 100 m²).
    Persons: 7; total area 750.00 m².
    """

    def __init__(self) -> None:
        self.estate = make_estate(company=make_company())
        units = make_units(self.estate, 6, area="100.00")
        self.owners = [Owner.objects.get(ownerships__unit=u) for u in units]
        building = units[0].building
        reg.owner_link(actor=SystemActor("demo"), unit=units[0], name="共有人丙", phone="13500000001")
        self.co_owner = Owner.objects.get(phone="13500000001")
        Ownership.objects.filter(unit=units[0], owner=self.owners[0]).update(is_designated_voter=True)
        u7, _ = reg.unit_upsert(
            actor=SystemActor("demo"), building=building, number="007", area=Decimal("50.00")
        )
        reg.owner_link(
            actor=SystemActor("demo"), unit=u7, name=self.owners[1].name, phone=self.owners[1].phone
        )
        reg.unit_upsert(
            actor=SystemActor("demo"),
            building=building,
            number="008",
            area=Decimal("80.00"),
            developer_held=True,
        )
        reg.unit_upsert(
            actor=SystemActor("demo"),
            building=building,
            number="009",
            area=Decimal("20.00"),
            developer_held=True,
        )
        self.committee = make_user(Role.COMMITTEE_MEMBER, estate_id=self.estate.pk)
        self.other_estate = make_estate(units=2)
        self.other_committee = make_user(Role.COMMITTEE_MEMBER, estate_id=self.other_estate.pk)
        self.task_force = make_user(Role.TASK_FORCE)
        self.company_staff = make_user(Role.COMPANY_STAFF, company_id=make_company().pk)
        self.owner_users = [make_user(Role.OWNER, owner=o) for o in self.owners]
        self.co_owner_user = make_user(Role.OWNER, owner=self.co_owner)
        self.outsider = make_user(
            Role.OWNER, owner=Owner.objects.filter(ownerships__unit__estate=self.other_estate).first()
        )

    def assembly(self, *, open_it: bool = True, items: tuple[int, ...] = (4, 8)):
        a = services.assembly_create(
            actor=self.committee,
            estate=self.estate,
            title="2026年第一次业主大会",
            notice="表决选聘物业服务企业和电梯广告事项。",
            vote_start=now() - dt.timedelta(hours=1),
            vote_end=now() + dt.timedelta(days=1),
        )
        for i, item in enumerate(items, start=1):
            services.motion_add(actor=self.committee, assembly=a, item=item, title=f"事项{i}")
        if open_it:
            services.assembly_open(actor=self.committee, assembly=a)
        a.refresh_from_db()
        return a


@pytest.fixture
def world(db) -> World:
    return World()
