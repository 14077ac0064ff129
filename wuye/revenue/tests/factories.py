"""Revenue test data, built through the services as the company, committee and bureau would."""

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wuye.accounts.models import Role
from wuye.registry.models import Owner, Ownership
from wuye.revenue import services
from wuye.revenue.models import Art278Item, EntryKind, HolderKind, RevenueAccount
from wuye.testing import make_company, make_estate, make_user

OPENED = dt.date(2025, 1, 1)
_n = iter(range(10_000_000, 99_999_999))


def png(name: str = "voucher.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


class World:
    """One estate under a company's current contract, with its staff, committee member and a bureau user."""

    def __init__(self, *, units: int = 2, with_account: bool = True) -> None:
        self.company = make_company()
        self.estate = make_estate(company=self.company, units=units)
        self.staff = make_user(Role.COMPANY_STAFF, company_id=self.company.pk)
        self.committee = make_user(Role.COMMITTEE_MEMBER, estate_id=self.estate.pk)
        self.task_force = make_user(Role.TASK_FORCE)
        self.account: RevenueAccount | None = None
        if with_account:
            self.account = services.account_open(
                actor=self.staff,
                estate=self.estate,
                bank="中国农业银行钟山支行",
                number=f"62284{next(_n)}",
                holder=f"{self.estate.name}业主委员会",
                holder_kind=HolderKind.COMMITTEE,
                opened_on=OPENED,
            )

    def owner_user(self) -> Any:
        unit = self.estate.units.order_by("pk").first()
        owner = Owner.objects.filter(ownerships__unit=unit).first()
        if owner is None:
            owner = Owner.objects.create(name="王业主", phone=f"135{next(_n)}")
            Ownership.objects.create(unit=unit, owner=owner)
        return make_user(Role.OWNER, owner=owner)

    def income(self, amount: str, day: dt.date, **kw: Any) -> Any:
        kw.setdefault("source", "elevator_ad")
        kw.setdefault("description", "电梯广告收入")
        kw.setdefault("counterparty", "钟山传媒广告有限公司")
        return services.entry_create(
            actor=self.staff, estate=self.estate, kind=EntryKind.INCOME, occurred_on=day, amount=amount, **kw
        )

    def outgo(self, kind: str, use: str, amount: str, day: dt.date, **kw: Any) -> Any:
        kw.setdefault("description", "支出")
        return services.entry_create(
            actor=self.staff, estate=self.estate, kind=kind, use=use, occurred_on=day, amount=amount, **kw
        )

    def resolution(
        self, *, item: int = Art278Item.COMMON_BUSINESS, day: dt.date = dt.date(2024, 12, 1)
    ) -> Any:
        return services.resolution_record(
            actor=self.committee,
            estate=self.estate,
            title="公共收益使用决议",
            decided_on=day,
            item=item,
            document_no="业决〔2024〕1号",
        )

    def contract(self, monthly: str = "1000", *, resolution: Any = None) -> Any:
        return services.usage_contract_record(
            actor=self.staff,
            estate=self.estate,
            source="elevator_ad",
            counterparty="钟山传媒广告有限公司",
            monthly_amount=monthly,
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
            location="1-8栋电梯轿厢",
            resolution=resolution,
        )

    def publish(self, key: str = "2025Q1") -> Any:
        return services.disclosure_publish(actor=self.staff, estate=self.estate, period_key=key)


def money(value: str) -> Decimal:
    return Decimal(value)
