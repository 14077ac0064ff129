"""Each county's own thresholds (County.settings) decide the elevator checks for its estates (issue #19, item 3):
two estates with the same elevators, in two counties, get findings by their own county's rule."""

import pytest
from django.test import Client
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.assets import checks
from wuye.intake.models import Lead
from wuye.testing import make_company, make_county, make_estate, make_town, make_town_in, make_user

from .helpers import elevator

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    strict = make_county(ELEVATOR_MAINTENANCE_DAYS=10, OLD_ELEVATOR_YEARS=12)
    ours = make_estate(company=make_company(), town=make_town())  # the deployment's rules: 15 days, 15 years
    theirs = make_estate(company=make_company(), town=make_town_in(strict))
    return ours, theirs, strict


def test_maintenance_and_renewal_follow_the_estate_s_county(two):
    ours, theirs, _ = two
    for estate in (ours, theirs):
        elevator(estate, code=f"梯{estate.code}", years=13, maintained_days_ago=12)
    checks.run(checks.ELEVATOR_CHECKS)
    lapsed = Lead.objects.filter(source_ref__startswith="elevator:maintenance:")
    assert [lead.estate_id for lead in lapsed] == [theirs.pk]
    assert "超过 10 天未维护保养" in lapsed[0].text
    due = Lead.objects.filter(source_ref__startswith="elevator:renewal_due:")
    assert [lead.estate_id for lead in due] == [theirs.pk] and "使用满 12 年" in due[0].text


def test_the_estate_page_states_its_county_s_interval(two, client: Client):
    _, theirs, strict = two
    elevator(theirs, maintained_days_ago=3)
    client.force_login(make_user(Role.TASK_FORCE, county_id=strict.pk))
    page = client.get(reverse("assets:estate", args=[theirs.code]))
    assert page.status_code == 200
    assert "电梯应至少每 10 天维护保养一次" in page.content.decode()


def test_the_register_import_reads_a_date_cell_formatted_as_a_number_and_full_width_digits():
    """Two ways a county's register carries dates that a plain text parser refused: an Excel serial (40299 is
    2010-05-01) and full-width digits; both now read as the day they are, through the importers' one reader."""
    import datetime as dt

    from wuye.assets import services
    from wuye.assets.models import Elevator

    from .helpers import DEMO, register_xlsx

    make_estate(code="ZS9101")
    data = register_xlsx(
        [
            [
                "梯11B0001",
                "ZS9101",
                "1栋",
                "1单元",
                "日立",
                "HGP",
                40299,
                "２０２６－０３－０１",
                "合格",
                "安达电梯",
            ],
            ["梯11B0002", "ZS9101", "2栋", "1单元", "日立", "HGP", "2010年5月1日", None, "合格", "安达电梯"],
        ]
    )
    result = services.import_elevators(actor=DEMO, data=data)
    assert not result.errors, result.errors
    installed = dict(Elevator.objects.values_list("reg_code", "installed_on"))
    assert installed == {"梯11B0001": dt.date(2010, 5, 1), "梯11B0002": dt.date(2010, 5, 1)}
