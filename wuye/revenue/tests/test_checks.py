import datetime as dt

import pytest
from django.core.management import call_command

from wuye.accounts.models import Role
from wuye.common.errors import NotAllowed
from wuye.intake.models import Lead
from wuye.revenue import checks, services
from wuye.revenue.models import Collector, EntryKind, EntryUse
from wuye.testing import make_company, make_estate, make_user

from .factories import World

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 5, 1)  # 2025Q1 ended and its 15 grace days have passed
JAN, FEB = dt.date(2025, 1, 10), dt.date(2025, 2, 10)


def clean_world() -> World:
    """An estate that does everything right for 2025Q1."""
    w = World()
    res = w.resolution()
    contract = w.contract("1000", resolution=res)
    for month in (1, 2, 3):
        w.income("1000.00", dt.date(2025, month, 5), usage_contract=contract)
    w.outgo(EntryKind.EXPENSE, EntryUse.OPERATING_COST, "100.00", FEB, description="广告屏电费")
    w.outgo(EntryKind.ALLOCATION, EntryUse.FUND, "1500.00", FEB, description="补充维修资金")
    w.outgo(EntryKind.ALLOCATION, EntryUse.COMPANY_COST, "600.00", FEB, description="管理成本 20%")
    w.outgo(EntryKind.EXPENSE, EntryUse.WELFARE, "200.00", FEB, description="重阳节活动", resolution=res)
    services.business_record(
        actor=w.task_force,
        estate=w.estate,
        source="elevator_ad",
        location="3栋电梯",
        description="电梯广告框",
        found_on=FEB,
        usage_contract=contract,
    )
    services.fund_dues_generate(
        actor=w.task_force,
        estate=w.estate,
        due_date=dt.date(2025, 3, 1),
        collector=Collector.DEVELOPER,
        collector_name="钟山置业有限公司",
    )
    ids = list(w.estate.fund_dues.values_list("pk", flat=True))
    services.fund_collection_record(actor=w.task_force, estate=w.estate, due_ids=ids, collected_on=JAN)
    services.fund_deposit_record(
        actor=w.task_force, estate=w.estate, due_ids=ids, deposited_on=FEB, reference="ZH2025-001"
    )
    w.publish("2025Q1")
    return w


def plant_no_account():
    make_estate(company=make_company())
    return "revenue:no_account:"


def plant_no_disclosure():
    w = World()
    w.income("10.00", JAN, source="locker", description="快递柜场地费")
    return f"revenue:no_disclosure:{w.estate.code}:2025Q1"


def plant_contract_income_short():
    w = World()
    contract = w.contract("1000", resolution=w.resolution())
    w.income("1000.00", JAN, usage_contract=contract)
    w.income("1000.00", FEB, usage_contract=contract)
    w.publish("2025Q1")
    return f"revenue:contract_income:{contract.pk}:2025Q1"


def plant_expense_without_resolution():
    w = World()
    w.income("1000.00", JAN, source="parking", description="道闸停车费")
    w.outgo(EntryKind.EXPENSE, EntryUse.WELFARE, "300.00", FEB, description="购置业主活动礼品")
    w.publish("2025Q1")
    return f"revenue:no_resolution:{w.estate.code}:2025Q1"


def plant_company_cost_over_cap():
    w = World()
    w.income("1000.00", JAN, source="venue", description="场地租赁")
    w.outgo(EntryKind.ALLOCATION, EntryUse.COMPANY_COST, "450.00", FEB, description="物业分成 45%")
    w.publish("2025Q1")
    return f"revenue:no_resolution:{w.estate.code}:2025Q1"


def plant_business_without_contract():
    w = World()
    w.publish("2025Q1")
    biz = services.business_record(
        actor=w.task_force,
        estate=w.estate,
        source="elevator_ad",
        location="2栋电梯",
        description="检查发现电梯内投放广告 4 块",
        found_on=FEB,
    )
    return f"revenue:business:{biz.pk}"


def plant_negative_balance():
    w = World()
    e = w.income("1000.00", JAN, source="parking", description="停车费")
    w.outgo(EntryKind.EXPENSE, EntryUse.OPERATING_COST, "800.00", FEB, description="道闸维修")
    w.publish("2025Q1")
    services.entry_reverse(actor=w.staff, entry=e, reason="停车费实际未到账")
    return f"revenue:negative:{w.estate.code}"


def plant_fund_held():
    w = World()
    w.publish("2025Q1")
    services.fund_dues_generate(
        actor=w.task_force,
        estate=w.estate,
        due_date=dt.date(2025, 3, 1),
        collector=Collector.COMPANY,
        collector_name="某物业代收",
    )
    ids = list(w.estate.fund_dues.values_list("pk", flat=True))
    services.fund_collection_record(actor=w.task_force, estate=w.estate, due_ids=ids, collected_on=JAN)
    return f"fund:held:{w.estate.code}:company:某物业代收"


PLANTS = {
    "2.1": plant_no_account,
    "2.3": plant_no_disclosure,
    "2.4-income": plant_contract_income_short,
    "2.4-resolution": plant_expense_without_resolution,
    "2.4-cost-share": plant_company_cost_over_cap,
    "2.2": plant_business_without_contract,
    "2.4-negative": plant_negative_balance,
    "6": plant_fund_held,
}


def test_a_clean_estate_has_no_findings():
    w = clean_world()
    assert checks.collect_findings(on=ON) == []
    assert w.estate.leads.count() == 0


@pytest.mark.parametrize("name", sorted(PLANTS))
def test_each_check_finds_its_planted_violation_and_nothing_in_a_clean_estate(name):
    clean = clean_world()
    key = PLANTS[name]()
    found = checks.collect_findings(on=ON)
    keys = [f.key for f in found]
    assert len(found) == 1, keys
    assert keys[0].startswith(key)
    assert found[0].estate != clean.estate
    first = checks.run_checks(on=ON)
    assert first == {"found": 1, "opened": 1}
    lead = Lead.objects.get(source_ref=keys[0])
    assert lead.channel == "check" and lead.category == found[0].category and lead.evidence["check"]
    second = checks.run_checks(on=ON)
    assert second == {"found": 1, "opened": 0}
    assert Lead.objects.count() == 1


def test_the_command_runs_all_checks_and_is_idempotent(capsys):
    clean_world()
    plant_no_account()
    plant_fund_held()
    call_command("revenue_checks", "--on", ON.isoformat())
    call_command("revenue_checks", "--on", ON.isoformat())
    out = capsys.readouterr().out
    assert "新开线索 2 条" in out and "新开线索 0 条" in out
    assert Lead.objects.count() == 2
    assert set(Lead.objects.values_list("category", flat=True)) == {"2.1", "6"}


def test_a_contract_without_an_owners_vote_is_an_unauthorised_business():
    w = World()
    w.publish("2025Q1")
    contract = w.contract("500")
    found = checks.collect_findings(on=ON, only={"unauthorised_business"})
    assert [f.key for f in found] == [f"revenue:contract_no_resolution:{contract.pk}"]
    assert found[0].category == "2.2"


def test_findings_follow_the_disclosure_grace_setting(settings):
    w = World()
    w.income("10.00", JAN, source="locker", description="快递柜")
    settings.WUYE = {**settings.WUYE, "DISCLOSURE_GRACE_DAYS": 60}
    assert checks.collect_findings(on=ON, only={"no_disclosure"}) == []
    settings.WUYE = {**settings.WUYE, "DISCLOSURE_GRACE_DAYS": 15}
    assert [f.key for f in checks.collect_findings(on=ON, only={"no_disclosure"})] == [
        f"revenue:no_disclosure:{w.estate.code}:2025Q1"
    ]


def test_an_estate_without_a_contract_needs_no_account():
    make_estate()
    assert checks.collect_findings(on=ON, only={"no_account"}) == []


def test_only_the_bureau_sets_fund_dues():
    w = World()
    for actor in (w.staff, w.committee, make_user(Role.CITY_VIEWER)):
        with pytest.raises(NotAllowed, match="只有专班"):
            services.fund_dues_generate(
                actor=actor, estate=w.estate, due_date=ON, collector="developer", collector_name="x"
            )
    assert not w.estate.fund_dues.exists()


def test_an_objection_unanswered_past_its_deadline_is_a_finding():
    from wuye.revenue.models import Disclosure, Objection

    w = World()
    e = w.income("10.00", JAN, source="locker", description="快递柜")
    w.publish("2025Q1")
    obj = services.objection_raise(
        actor=w.owner_user(), disclosure=Disclosure.objects.get(), entry=e, text="为何这么少"
    )
    later = obj.answer_due + dt.timedelta(days=1)
    assert checks.collect_findings(on=obj.answer_due, only={"objection_late"}) == []
    found = checks.collect_findings(on=later, only={"objection_late"})
    assert [(f.key, f.category) for f in found] == [(f"revenue:objection_late:{obj.pk}", "1.2")]
    services.objection_answer(actor=w.staff, objection=Objection.objects.get(), answer="已到账，见第二季度")
    assert checks.collect_findings(on=later, only={"objection_late"}) == []


def test_home_panels_for_each_role(client):
    from django.urls import reverse

    from wuye.testing import login

    w = World()
    expected = {
        w.staff: "待答复异议",
        w.committee: "未开设专门账户",
        w.task_force: "已纳入监管的公共收益账户",
        make_user(Role.CITY_VIEWER): "逾期未上缴维修资金",
    }
    for user, label in expected.items():
        resp = login(client, user).get(reverse("portal:home"))
        assert resp.status_code == 200
        assert label in resp.content.decode(), (user.role, label)


def test_the_estate_s_county_sets_its_own_disclosure_grace():
    """A county's override (County.settings) decides for its estates; the deployment's value for the others."""
    from wuye.registry.models import default_county

    w = World()
    w.income("10.00", JAN, source="locker", description="快递柜")
    county = default_county()
    county.settings = {"DISCLOSURE_GRACE_DAYS": 60}
    county.save()
    assert checks.collect_findings(on=ON, only={"no_disclosure"}) == []
    county.settings = {}
    county.save()
    found = checks.collect_findings(on=ON, only={"no_disclosure"})
    assert [f.key for f in found] == [f"revenue:no_disclosure:{w.estate.code}:2025Q1"]
    assert "15 日内" in found[0].text
