import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wuye.accounts.models import Role
from wuye.cases import services
from wuye.testing import make_company, make_estate, make_user


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="application/pdf"
    )


def future(days: int = 30) -> dt.date:
    from wuye.common.dates import today

    return today() + dt.timedelta(days=days)


class World:
    def __init__(self) -> None:
        self.company = make_company()
        self.other_company = make_company()
        self.estate = make_estate(company=self.company)
        self.other_estate = make_estate(company=self.other_company)
        self.bare_estate = make_estate()
        self.tf = make_user(Role.TASK_FORCE)
        self.admin = make_user(Role.BUREAU_ADMIN)
        self.city = make_user(Role.CITY_VIEWER)
        self.staff = make_user(Role.COMPANY_STAFF, company_id=self.company.pk)
        self.other_staff = make_user(Role.COMPANY_STAFF, company_id=self.other_company.pk)
        self.committee = make_user(Role.COMMITTEE_MEMBER, estate_id=self.estate.pk)
        self.owner = make_user(Role.OWNER)

    def case(self, estate=None, **kw):
        return services.case_create(
            actor=self.tf,
            estate=estate or self.estate,
            category=kw.pop("category", "1.1"),
            description=kw.pop("description", "楼道垃圾长期无人清理"),
            **kw,
        )

    def rectifying(self, estate=None, **kw):
        case = self.case(estate, **kw)
        services.case_verify(actor=self.tf, case=case)
        return services.case_start_rectification(
            actor=self.tf,
            case=case,
            target="楼道清洁",
            measures="每日清扫",
            responsible="王经理",
            deadline=future(),
        )

    def submitted(self, estate=None, **kw):
        case = self.rectifying(estate, **kw)
        return services.case_submit(actor=self.staff, case=case, progress="已清理完毕", attachments=[png()])


@pytest.fixture
def world(db):
    return World()
