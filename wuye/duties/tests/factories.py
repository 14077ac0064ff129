"""An estate whose company keeps every duty, built through the services as the company would enter it."""

import datetime as dt
from decimal import Decimal

from wuye.accounts.models import Role, User
from wuye.common.dates import today
from wuye.duties import services
from wuye.duties.models import DisclosureKind, FireFacility, PlanKind
from wuye.registry.models import Estate, PropertyCompany
from wuye.testing import make_company, make_estate, make_user


class World:
    def __init__(self) -> None:
        self.company: PropertyCompany = make_company()
        self.estate: Estate = make_estate(company=self.company)
        self.staff: User = make_user(Role.COMPANY_STAFF, company_id=self.company.pk)
        self.task_force: User = make_user(Role.TASK_FORCE)
        self.today = today()

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def complete(self) -> "World":
        """Every duty on record and current: the checks must leave this estate alone."""
        a, e = self.staff, self.estate
        services.standard_set(actor=a, estate=e, grade="二级")
        for kind in DisclosureKind:
            services.disclosure_post(
                actor=a,
                estate=e,
                kind=kind,
                summary=f"{kind.label}（见公告栏）",
                published_on=self.ago(30),
                person_title="项目经理" if kind == DisclosureKind.PERSONS else "",
                duty_phone="0774-8981234" if kind == DisclosureKind.PERSONS else "",
                approval_ref="钟价〔2024〕12号" if kind == DisclosureKind.FEES else "",
            )
        for kind in PlanKind:
            services.plan_record(
                actor=a,
                estate=e,
                kind=kind,
                title=kind.label,
                adopted_on=self.ago(100),
                review_due=self.ago(-265),
            )
        services.supply_record(
            actor=a,
            estate=e,
            name="灭火器",
            quantity=Decimal("40"),
            expires_on=self.ago(-300),
            location="各楼栋",
        )
        services.drill_record(
            actor=a, estate=e, kind="drill", plan_kind=PlanKind.FIRE, held_on=self.ago(60), attendance=35
        )
        services.hazard_record(actor=a, estate=e, checked_on=self.ago(20), scope="配电房、水泵房")
        services.hazard_record(
            actor=a,
            estate=e,
            checked_on=self.ago(40),
            scope="3栋外墙",
            hazard="外墙瓷砖松动",
            fix_deadline=self.ago(30),
            fixed_on=self.ago(32),
            handling="已清除松动瓷砖",
        )
        services.confined_work_record(
            actor=a,
            estate=e,
            work="化粪池清掏",
            starts_on=self.ago(10),
            filed_on=self.ago(15),
            permit_no="YX-2026-008",
            operators="李师傅（特种作业证 T4511）",
        )
        for facility in FireFacility:
            services.fire_check_record(
                actor=a, estate=e, facility=facility, checked_on=self.ago(5), passed=True
            )
        r = services.renovation_register(
            actor=a,
            estate=e,
            unit="2栋301",
            start=self.ago(20),
            end=self.ago(-40),
            works="厨卫改造",
            notice_signed_on=self.ago(22),
        )
        services.violation_record(
            actor=a,
            renovation=r,
            kind="balcony",
            found_on=self.ago(10),
            dissuaded_on=self.ago(10),
            stopped=True,
        )
        services.fee_change_record(
            actor=a,
            estate=e,
            item="物业服务费",
            old_rate=Decimal("1.20"),
            new_rate=Decimal("1.50"),
            effective_on=self.ago(60),
            approval="owners",
            approval_ref="业主大会决定〔2026〕1号",
        )
        services.room_record(
            actor=a,
            estate=e,
            location="1栋架空层",
            area=Decimal("80.00"),
            use="service",
            surveyed_on=self.ago(30),
        )
        return self
