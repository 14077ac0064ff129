"""Concurrent second requests on PostgreSQL: the estate row lock serialises fund-use applications, and one estate
gets one open handover however many ticks run at once."""

from decimal import Decimal

import pytest
from django.db import connection

from wuye.assets import services, tick
from wuye.assets.models import FundRoute, FundUse, Handover, ParkingSpace, SpaceKind, WorkKind
from wuye.common.errors import DomainError
from wuye.testing import make_company, make_estate, make_user, run_concurrently

from .test_fund import funded_estate
from .test_handover import changing_hands, quiet

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are only meaningful on PostgreSQL"
    ),
]


def test_two_concurrent_applications_cannot_spend_more_than_the_balance():
    estate, _, tf = funded_estate()  # 18,000.00 deposited

    def apply():
        return services.fund_use_apply(
            actor=tf,
            estate=estate,
            title="电梯维修",
            work_kind=WorkKind.ELEVATOR,
            amount=Decimal("12000.00"),
            parts="1栋",
            route=FundRoute.EMERGENCY,
            emergency_facts="停梯",
        )

    results = run_concurrently(apply, apply)
    assert sum(isinstance(r, FundUse) for r in results) == 1
    assert sum(isinstance(r, DomainError) and "可用余额" in r.message for r in results) == 1
    assert FundUse.objects.count() == 1


def test_two_ticks_at_once_open_one_handover():
    changing_hands(ended_days_ago=3)
    results = run_concurrently(
        lambda: tick.handover_checks(out=quiet, quiet=True),
        lambda: tick.handover_checks(out=quiet, quiet=True),
    )
    assert not [r for r in results if isinstance(r, BaseException)]
    assert Handover.objects.count() == 1 and Handover.objects.get().items.count() == 9


def test_the_same_new_space_entered_twice_at_once_makes_one_space():
    from wuye.accounts.models import Role

    company = make_company()
    estate = make_estate(company=company)
    staff = make_user(Role.COMPANY_STAFF, company_id=company.pk)

    def save():
        return services.parking_space_save(
            actor=staff,
            estate=estate,
            number="A001",
            kind=SpaceKind.COMMON,
            user_label="1栋101",
            monthly_rent=Decimal("150"),
        )

    results = run_concurrently(save, save)
    assert not [r for r in results if isinstance(r, BaseException)]
    assert sorted(created for _, created in results) == [False, True]
    assert ParkingSpace.objects.count() == 1
