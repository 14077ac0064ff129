"""The check of let common-part spaces' rent against the parking income in the public-revenue ledger (2.4)."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from wuye.assets import services
from wuye.assets.models import SpaceKind
from wuye.assets.tick import parking_checks
from wuye.common.dates import today
from wuye.intake.models import Lead
from wuye.revenue import services as revenue
from wuye.revenue.periods import Period, period_of
from wuye.revenue.tests.factories import World

pytestmark = pytest.mark.django_db


def last_period() -> Period:
    return period_of(period_of(today()).start - dt.timedelta(days=1))


def world_with_let_spaces(*, parking_income: str, rent: str = "200") -> World:
    """An estate with three let common-part spaces, an owned one and an empty common one; the last ended period
    records `parking_income` of parking income and is published."""
    w = World()
    for number, kind, user, monthly in [
        ("B001", SpaceKind.COMMON, "1栋101", rent),
        ("B002", SpaceKind.COMMON, "1栋102", rent),
        ("B003", SpaceKind.COMMON, "2栋201", rent),
        ("B004", SpaceKind.COMMON, "", None),
        ("B005", SpaceKind.OWNED, "3栋301", None),
    ]:
        services.parking_space_save(
            actor=w.staff,
            estate=w.estate,
            number=number,
            kind=kind,
            user_label=user,
            monthly_rent=Decimal(monthly) if monthly else None,
        )
    p = last_period()
    w.income(parking_income, p.start + dt.timedelta(days=4), source="parking", description="共有车位租金")
    w.income("900", p.start + dt.timedelta(days=5))  # an elevator ad: not parking income
    revenue.disclosure_publish(actor=w.staff, estate=w.estate, period_key=p.key)
    return w


def run() -> str:
    buf = io.StringIO()
    parking_checks(out=buf.write, quiet=True)
    return buf.getvalue()


def test_a_short_parking_income_opens_one_2_4_lead_with_the_evidence_and_a_rerun_opens_none():
    p = last_period()
    expected = Decimal("600") * p.months
    short = world_with_let_spaces(parking_income=str(expected * Decimal("0.5")))
    matching = world_with_let_spaces(parking_income=str(expected * Decimal("0.95")))  # within the 10 %
    run()
    lead = Lead.objects.get()
    assert lead.estate_id == short.estate.pk and lead.category == "2.4"
    ev = lead.evidence
    assert ev["check"] == "parking_rent" and ev["monthly_expected"] == "600.00"
    assert ev["periods"] == [
        {"period": p.key, "expected": f"{expected:.2f}", "recorded": f"{expected * Decimal('0.5'):.2f}"}
    ]
    assert [s["number"] for s in ev["spaces"]] == ["B001", "B002", "B003"]
    assert "出租共有部位车位 3 个" in lead.text
    assert not Lead.objects.filter(estate=matching.estate).exists()

    before = list(Lead.objects.values_list("pk", "evidence", "text"))
    run()
    assert list(Lead.objects.values_list("pk", "evidence", "text")) == before


def test_the_tolerance_is_a_county_setting(settings):
    p = last_period()
    world_with_let_spaces(parking_income=str(Decimal("600") * p.months * Decimal("0.85")))
    settings.WUYE = {**settings.WUYE, "PARKING_RENT_TOLERANCE_PCT": 20}
    run()
    assert not Lead.objects.exists()  # 15 % short, 20 % allowed
    settings.WUYE = {**settings.WUYE, "PARKING_RENT_TOLERANCE_PCT": 10}
    run()
    assert Lead.objects.get().category == "2.4"


def test_an_estate_without_let_common_spaces_or_without_a_disclosure_is_left_alone():
    w = World()
    services.parking_space_save(
        actor=w.staff, estate=w.estate, number="C001", kind=SpaceKind.COMMON, monthly_rent=Decimal("300")
    )  # not let: no user
    p = last_period()
    w.income("10", p.start + dt.timedelta(days=4), source="parking", description="停车费")
    run()
    assert not Lead.objects.exists()
