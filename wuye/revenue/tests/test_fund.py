import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.common.errors import DomainError, NotAllowed
from wuye.revenue import services
from wuye.revenue.models import Collector, FundDue
from wuye.testing import login, make_user

from .factories import World

pytestmark = pytest.mark.django_db
PAST = dt.date(2025, 3, 1)


def test_dues_are_area_times_the_county_rate_read_at_call_time(settings):
    w = World(units=3)
    settings.WUYE = {**settings.WUYE, "FUND_RATE_YUAN_PER_M2": "75.50"}
    n = services.fund_dues_generate(
        actor=w.task_force,
        estate=w.estate,
        due_date=PAST,
        collector=Collector.DEVELOPER,
        collector_name="钟山置业有限公司",
    )
    assert n == 3
    assert {d.amount for d in FundDue.objects.filter(estate=w.estate)} == {Decimal("7550.00")}
    assert (
        services.fund_dues_generate(
            actor=w.task_force,
            estate=w.estate,
            due_date=PAST,
            collector=Collector.DEVELOPER,
            collector_name="钟山置业有限公司",
        )
        == 0
    )


def test_deposit_needs_a_collection_first_and_only_the_bureau_confirms_it():
    w = World(units=2)
    services.fund_dues_generate(
        actor=w.task_force,
        estate=w.estate,
        due_date=PAST,
        collector=Collector.COMPANY,
        collector_name="测试物业",
    )
    ids = list(FundDue.objects.values_list("pk", flat=True))
    with pytest.raises(DomainError, match="尚未登记代收"):
        services.fund_deposit_record(
            actor=w.task_force, estate=w.estate, due_ids=ids, deposited_on=PAST, reference="ZH-1"
        )
    assert (
        services.fund_collection_record(
            actor=w.staff, estate=w.estate, due_ids=ids, collected_on=dt.date(2025, 1, 5)
        )
        == 2
    )
    with pytest.raises(NotAllowed):
        services.fund_deposit_record(
            actor=w.staff, estate=w.estate, due_ids=ids, deposited_on=PAST, reference="ZH-1"
        )
    with pytest.raises(DomainError) as exc:
        services.fund_deposit_record(
            actor=w.task_force, estate=w.estate, due_ids=ids, deposited_on=PAST, reference=""
        )
    assert exc.value.field == "reference" and "专户入账凭证号" in exc.value.message
    assert not FundDue.objects.filter(deposited_on__isnull=False).exists()
    assert (
        services.fund_deposit_record(
            actor=w.task_force, estate=w.estate, due_ids=ids, deposited_on=PAST, reference="ZH-1"
        )
        == 2
    )


def test_dues_of_another_estate_are_refused():
    w, other = World(units=1), World(units=1)
    services.fund_dues_generate(
        actor=w.task_force,
        estate=other.estate,
        due_date=PAST,
        collector=Collector.DEVELOPER,
        collector_name="x",
    )
    with pytest.raises(DomainError, match="不属于本小区"):
        services.fund_collection_record(
            actor=w.task_force,
            estate=w.estate,
            due_ids=FundDue.objects.values_list("pk", flat=True),
            collected_on=PAST,
        )


def test_county_view_sums_undeposited_money_by_collector(client):
    a, b = World(units=2), World(units=1)
    for w, name in ((a, "甲置业"), (b, "乙物业")):
        services.fund_dues_generate(
            actor=w.task_force,
            estate=w.estate,
            due_date=PAST,
            collector=Collector.DEVELOPER,
            collector_name=name,
        )
    services.fund_collection_record(
        actor=a.task_force,
        estate=a.estate,
        due_ids=a.estate.fund_dues.values_list("pk", flat=True),
        collected_on=PAST,
    )
    login(client, make_user(Role.CITY_VIEWER))
    resp = client.get(reverse("revenue:fund_county"))
    html = resp.content.decode()
    assert resp.status_code == 200 and "甲置业" in html and "¥12,000.00" in html and "乙物业" in html
    xlsx = client.get(reverse("revenue:fund_county") + "?format=xlsx")
    assert xlsx.content[:2] == b"PK"
    assert login(client, a.staff).get(reverse("revenue:fund_county")).status_code == 403


def test_fund_page_generate_and_mark(client):
    w = World(units=2)
    url = reverse("revenue:fund_estate", args=[w.estate.code])
    login(client, w.task_force)
    client.post(
        url,
        {"op": "generate", "due_date": "2025-03-01", "collector": "developer", "collector_name": "钟山置业"},
    )
    ids = list(w.estate.fund_dues.values_list("pk", flat=True))
    assert len(ids) == 2
    client.post(url, {"op": "mark", "action": "collect", "day": "2025-01-02", "due": ids})
    client.post(
        url, {"op": "mark", "action": "deposit", "day": "2025-02-02", "reference": "ZH-9", "due": ids}
    )
    assert w.estate.fund_dues.filter(deposited_on=dt.date(2025, 2, 2)).count() == 2
    login(client, w.committee)
    resp = client.post(
        url,
        {"op": "generate", "due_date": "2025-03-01", "collector": "developer", "collector_name": "x"},
        follow=True,
    )
    assert "只有专班" in resp.content.decode()


def test_fund_page_bad_input_names_the_field_and_writes_nothing(client):
    w = World(units=2)
    url = reverse("revenue:fund_estate", args=[w.estate.code])
    login(client, w.task_force)
    resp = client.post(
        url,
        {"op": "generate", "due_date": "2025-03-01", "collector": "developer", "collector_name": ""},
        follow=True,
    )
    assert [str(m).split("：")[0] for m in resp.context["messages"]] == ["代收单位"]
    assert not w.estate.fund_dues.exists()
    resp = client.post(url, {"op": "mark", "action": "launder", "day": "2025-01-02"}, follow=True)
    assert [str(m).split("：")[0] for m in resp.context["messages"]] == ["操作"]
