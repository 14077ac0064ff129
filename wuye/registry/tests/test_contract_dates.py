"""A contract binds, and is called 履行中 or 已到期, by its dates alone (issue #13, item 8)."""

import datetime as dt
from decimal import Decimal

import pytest

from wuye.common.dates import today
from wuye.kernel.actors import SystemActor
from wuye.kernel.roles import Role
from wuye.registry.models import ServiceContract
from wuye.registry.selectors import company_serves_estate, estate_current_contract
from wuye.registry.services import contract_create
from wuye.testing import login, make_company, make_estate, make_user

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _dated(estate, *, start, end):
    ServiceContract.objects.filter(estate=estate).update(start=start, end=end)


@pytest.fixture
def grace(settings):
    settings.WUYE = {**settings.WUYE, "CONTRACT_GRACE_DAYS": 30}
    return 30


def test_a_contract_flagged_current_but_past_its_end_and_grace_is_not_current(grace):
    company = make_company()
    estate = make_estate(company=company, code="DC1", name="东城公寓")
    _dated(estate, start=dt.date(2019, 3, 1), end=dt.date(2022, 3, 1))
    assert ServiceContract.objects.get(estate=estate).is_current  # the old flag says nothing any more
    assert estate_current_contract(estate) is None
    assert not company_serves_estate(company.pk, estate.pk)


def test_pages_say_expired_for_an_ended_contract(grace, client):
    company = make_company("东城物业有限公司")
    estate = make_estate(company=company, code="DC1", name="东城公寓")
    _dated(estate, start=dt.date(2019, 3, 1), end=dt.date(2022, 3, 1))
    login(client, make_user(Role.TASK_FORCE))
    page = client.get("/registry/estates/DC1/").content.decode()
    assert "没有履行中的物业服务合同" in page and "已于2022年3月1日到期" in page and "已到期" in page
    listing = client.get("/registry/estates/").content.decode()
    assert "原东城物业有限公司" in listing and "已到期" in listing
    company_page = client.get(f"/registry/companies/{company.pk}/").content.decode()
    assert "已到期的合同" in company_page and "东城公寓" in company_page and "已到期" in company_page


def test_during_the_grace_period_the_company_still_serves_and_the_pages_say_so(grace, client):
    company = make_company("西城物业有限公司")
    estate = make_estate(company=company, code="XC1", name="西城花园")
    _dated(estate, start=dt.date(2020, 1, 1), end=today() - 10 * DAY)
    staff = make_user(Role.COMPANY_STAFF, company_id=company.pk)
    login(client, staff)
    page = client.get("/registry/estates/XC1/").content.decode()
    assert "西城物业有限公司" in page and "已到期（过渡期至" in page
    company_page = client.get(f"/registry/companies/{company.pk}/").content.decode()
    assert "仍在过渡期" in company_page
    login(client, make_user(Role.TASK_FORCE))
    listing = client.get("/registry/estates/").content.decode()
    assert "西城物业有限公司" in listing and "已到期" in listing


def test_a_running_contract_is_shown_as_running(grace, client):
    estate = make_estate(company=make_company(), code="NB1", name="南北苑")
    _dated(estate, start=dt.date(2024, 1, 1), end=today() + 100 * DAY)
    login(client, make_user(Role.BUREAU_ADMIN))
    page = client.get("/registry/estates/NB1/").content.decode()
    assert "履行中" in page and "已到期" not in page


def test_a_successor_takes_over_from_its_start_and_the_old_one_steps_down(grace):
    a, b = make_company("甲物业有限公司"), make_company("乙物业有限公司")
    estate = make_estate(company=a, code="SC1")
    _dated(estate, start=dt.date(2020, 1, 1), end=today() - 5 * DAY)
    new = contract_create(
        actor=SystemActor("demo"),
        estate=estate,
        company=b,
        start=today() - 4 * DAY,
        end=None,
        fee_per_m2=Decimal("1.20"),
        hiring="tender",
    )
    old = ServiceContract.objects.get(estate=estate, company=a)
    assert not old.is_current and old.ended_reason
    # a is within its grace period by the dates, but b has started: b serves, a no longer does
    assert estate_current_contract(estate) == new
    assert company_serves_estate(b.pk, estate.pk) and not company_serves_estate(a.pk, estate.pk)


def test_a_new_contract_overlapping_the_current_one_is_refused_naming_the_field(grace, client):
    a, b = make_company("甲物业有限公司"), make_company("乙物业有限公司")
    estate = make_estate(company=a, code="SC2")
    _dated(estate, start=dt.date(2024, 1, 1), end=today() + 100 * DAY)
    login(client, make_user(Role.BUREAU_ADMIN))
    response = client.post(
        "/registry/estates/SC2/contract/",
        {
            "company": b.pk,
            "start": today().isoformat(),
            "fee_per_m2": "1.00",
            "hiring": "tender",
        },
    )
    assert response.status_code == 200
    assert "新合同应在其结束后开始" in response.content.decode()
    assert ServiceContract.objects.filter(estate=estate).count() == 1


def test_the_public_estate_page_shows_the_term_and_expired(grace, client):
    estate = make_estate(company=make_company("西城物业有限公司"), code="XC1", name="西城花园")
    _dated(estate, start=dt.date(2020, 1, 1), end=today() - 10 * DAY)
    page = client.get("/estates/XC1/").content.decode()
    assert "合同期 2020年1月1日" in page and "已到期" in page
