import datetime as dt

import pytest

from wuye.accounts.models import Role
from wuye.cases import services as cases
from wuye.common.dates import today
from wuye.credit.services import credit_events_collect, credit_record_enter
from wuye.kernel.actors import SystemActor
from wuye.testing import make_company, make_estate, make_user

COLLECT = SystemActor("credit_collect")


class World:
    def __init__(self) -> None:
        self.company = make_company("甲物业服务有限公司")
        self.other_company = make_company("乙物业服务有限公司")
        self.estate = make_estate(company=self.company, name="金山花园")
        self.other_estate = make_estate(company=self.other_company, name="银河小区")
        self.tf = make_user(Role.TASK_FORCE)
        self.admin = make_user(Role.BUREAU_ADMIN)
        self.city = make_user(Role.CITY_VIEWER)
        self.staff = make_user(Role.COMPANY_STAFF, company_id=self.company.pk)
        self.other_staff = make_user(Role.COMPANY_STAFF, company_id=self.other_company.pk)
        self.owner = make_user(Role.OWNER)

    def case(self, estate=None):
        case = cases.case_create(
            actor=self.tf,
            estate=estate or self.estate,
            category="1.1",
            description="楼道垃圾长期无人清理，联系电话13812345678，反映人李四",
        )
        cases.case_verify(actor=self.tf, case=case)
        return cases.case_start_rectification(
            actor=self.tf,
            case=case,
            target="楼道清洁",
            measures="每日清扫",
            responsible="王经理",
            deadline=today() + dt.timedelta(days=30),
        )

    def penalty(self, *, days_ago: int = 10, estate=None, number: str = "钟住建罚〔2026〕1号"):
        return cases.case_action_record(
            actor=self.tf,
            case=self.case(estate),
            kind="penalty",
            date=today() - dt.timedelta(days=days_ago),
            amount="5000",
            legal_basis="《物业管理条例》第六十三条",
            decision_number=number,
        )

    def interview(self, *, days_ago: int = 5, estate=None):
        return cases.case_action_record(
            actor=self.tf,
            case=self.case(estate),
            kind="interview",
            date=today() - dt.timedelta(days=days_ago),
            interviewee="赵经理",
            interviewers="钱科长",
            minutes="要求限期整改",
        )

    def record(self, type: str, *, company=None, days_ago: int = 3, text: str = "专班认定的事实"):
        return credit_record_enter(
            actor=self.tf,
            type=type,
            company=company or self.company,
            estate=self.estate,
            date=today() - dt.timedelta(days=days_ago),
            text=text,
        )

    def collect(self):
        return credit_events_collect(actor=COLLECT)


@pytest.fixture
def world(db):
    return World()
