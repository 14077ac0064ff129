import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.assets import checks, services
from wuye.assets.fundbalance import fund_balance
from wuye.assets.models import FundRoute, FundUse, FundUseStatus, WorkKind
from wuye.common.dates import today
from wuye.intake.models import Lead
from wuye.revenue import services as revenue
from wuye.testing import login, make_company, make_estate, make_user

from .helpers import passed_motion

pytestmark = pytest.mark.django_db


def funded_estate(units: int = 3):
    """An estate whose first deposits (60 元/㎡ × 100 ㎡ per unit) are in the county special account."""
    company = make_company()
    estate = make_estate(company=company, units=units)
    tf = make_user(Role.TASK_FORCE)
    revenue.fund_dues_generate(
        actor=tf, estate=estate, due_date=today(), collector="developer", collector_name="钟山置业有限公司"
    )
    ids = list(estate.fund_dues.values_list("pk", flat=True))
    day = today() - dt.timedelta(days=30)
    revenue.fund_collection_record(actor=tf, estate=estate, due_ids=ids, collected_on=day)
    revenue.fund_deposit_record(actor=tf, estate=estate, due_ids=ids, deposited_on=day, reference="ZH-1")
    return estate, company, tf


def spend(tf, use: FundUse) -> FundUse:
    services.fund_use_move(actor=tf, use=use, to=FundUseStatus.APPROVED)
    return services.fund_use_move(actor=tf, use=use, to=FundUseStatus.PAID)


def apply(estate, actor, **kw):
    values = {
        "title": "2栋屋面防水",
        "work_kind": WorkKind.ROOF,
        "amount": Decimal("5000.00"),
        "parts": "2栋全体业主",
        "route": FundRoute.VOTE,
    }
    return services.fund_use_apply(actor=actor, estate=estate, **(values | kw))


def test_a_use_larger_than_the_balance_is_refused_in_chinese_and_nothing_is_stored(client: Client):
    estate, company, _ = funded_estate()
    assert fund_balance(estate)["available"] == Decimal("18000.00")
    login(client, make_user(Role.COMPANY_STAFF, company_id=company.pk))
    url = reverse("assets:fund_use_create", kwargs={"code": estate.code})
    form = {
        "title": "电梯更换",
        "work_kind": "elevator",
        "amount": "18000.01",
        "parts": "1栋",
        "route": "emergency",
    }
    resp = client.post(url, form)
    assert resp.status_code == 400 and "超过本小区维修资金可用余额" in resp.content.decode()
    assert not FundUse.objects.exists()
    assert (
        client.post(url, form | {"amount": "18000.00", "emergency_facts": "曳引机故障停梯"}).status_code
        == 302
    )
    assert fund_balance(estate)["available"] == Decimal("0.00")


def test_the_balance_is_deposits_minus_uses_and_the_bureau_pays():
    estate, company, tf = funded_estate()
    use = apply(estate, make_user(Role.COMMITTEE_MEMBER, estate_id=estate.pk))
    with pytest.raises(Exception, match="只有专班人员可以审核或划拨维修资金"):
        services.fund_use_move(
            actor=make_user(Role.COMPANY_STAFF, company_id=company.pk), use=use, to="approved"
        )
    spend(tf, use)
    b = fund_balance(estate)
    assert (b["deposited"], b["spent"], b["balance"]) == (
        Decimal("18000.00"),
        Decimal("5000.00"),
        Decimal("13000.00"),
    )


def fund_leads() -> list[tuple[str, str]]:
    return list(
        Lead.objects.filter(source_ref__startswith="fund_use:")
        .order_by("pk")
        .values_list("source_ref", "category")
    )


def test_the_fund_checks_find_each_planted_use_leave_the_clean_ones_alone_and_open_nothing_twice():
    estate, _, tf = funded_estate()
    motion = passed_motion(estate, item=5, title="使用维修资金维修2栋屋面")
    clean_vote = spend(tf, apply(estate, tf, motion=motion))
    clean_emergency = spend(
        tf,
        apply(estate, tf, work_kind=WorkKind.ELEVATOR, route=FundRoute.EMERGENCY, emergency_facts="困人停梯"),
    )
    no_vote = spend(tf, apply(estate, tf, amount=Decimal("1000.00")))
    cleaning = spend(
        tf, apply(estate, tf, work_kind=WorkKind.CLEANING, motion=motion, amount=Decimal("1000.00"))
    )
    no_facts = spend(tf, apply(estate, tf, route=FundRoute.EMERGENCY, amount=Decimal("1000.00")))
    apply(estate, tf, amount=Decimal("500.00"))  # applied only, not yet spent: nothing to find
    checks.run((checks.check_fund_uses,))
    assert fund_leads() == [
        (f"fund_use:{no_vote.pk}:no_vote", "6"),
        (f"fund_use:{cleaning.pk}:not_allowed", "6"),
        (f"fund_use:{no_facts.pk}:emergency", "6"),
    ]
    assert clean_vote.pk and clean_emergency.pk
    checks.run((checks.check_fund_uses,))
    assert len(fund_leads()) == 3


def test_the_estate_pages_show_the_balance_and_the_public_page_the_uses(client: Client):
    estate, _, tf = funded_estate()
    spend(
        tf, apply(estate, tf, work_kind=WorkKind.ELEVATOR, route=FundRoute.EMERGENCY, emergency_facts="困人")
    )
    login(client, tf)
    page = client.get(reverse("assets:estate", kwargs={"code": estate.code})).content.decode()
    assert "13,000.00" in page or "13000.00" in page
    public = Client().get(reverse("portal:estate", kwargs={"code": estate.code})).content.decode()
    assert "2栋屋面防水" in public and "住宅专项维修资金" in public
