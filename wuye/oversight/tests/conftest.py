import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wuye.accounts.models import Role
from wuye.cases import services as cases
from wuye.common.dates import today
from wuye.oversight.calendar import month_start, previous_month
from wuye.testing import make_company, make_estate, make_town, make_user


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def last_month() -> dt.date:
    return previous_month(month_start(today()))


class World:
    def __init__(self) -> None:
        self.town = make_town("钟山镇")
        self.town2 = make_town("回龙镇")
        self.company = make_company()
        self.other_company = make_company()
        self.estate = make_estate(company=self.company, town=self.town)
        self.estate2 = make_estate(company=self.company, town=self.town2)
        self.other_estate = make_estate(company=self.other_company, town=self.town2)
        self.tf = make_user(Role.TASK_FORCE)
        self.admin = make_user(Role.BUREAU_ADMIN)
        self.city = make_user(Role.CITY_VIEWER)
        self.staff = make_user(Role.COMPANY_STAFF, company_id=self.company.pk)
        self.other_staff = make_user(Role.COMPANY_STAFF, company_id=self.other_company.pk)
        self.committee = make_user(Role.COMMITTEE_MEMBER, estate_id=self.estate.pk)

    def case(self, estate=None, category="1.1", **kw):
        return cases.case_create(
            actor=self.tf,
            estate=estate or self.estate,
            category=category,
            description=kw.pop("description", "楼道垃圾长期无人清理"),
            **kw,
        )

    def rectifying(self, estate=None, category="1.1", deadline=None):
        case = self.case(estate, category)
        cases.case_verify(actor=self.tf, case=case)
        return cases.case_start_rectification(
            actor=self.tf,
            case=case,
            target="楼道清洁",
            measures="每日清扫",
            responsible="王经理",
            deadline=deadline or today() + dt.timedelta(days=30),
        )

    def staff_of(self, case):
        return self.staff if case.company_id == self.company.pk else self.other_staff

    def accepted(self, estate=None, category="1.1"):
        case = self.rectifying(estate, category)
        cases.case_submit(actor=self.staff_of(case), case=case, progress="已清理完毕", attachments=[png()])
        return cases.case_accept(actor=self.tf, case=case, note="验收合格")


@pytest.fixture
def world(db):
    return World()
