"""`tick` opens one category-5 lead for an estate whose contract ended without a successor (issue #13, item 8)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from wuye.audit.models import AuditEntry
from wuye.common.dates import today
from wuye.intake.contract_check import contract_finding_key, contracts_ended
from wuye.intake.models import Lead
from wuye.registry.models import ServiceContract
from wuye.testing import make_company, make_estate

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _dated(estate, *, start, end):
    ServiceContract.objects.filter(estate=estate).update(start=start, end=end)


@pytest.fixture
def county(settings):
    settings.WUYE = {**settings.WUYE, "CONTRACT_GRACE_DAYS": 30}
    company = make_company("东城物业有限公司")
    ended = make_estate(company=company, code="DC1", name="东城公寓")
    _dated(ended, start=dt.date(2019, 3, 1), end=dt.date(2022, 3, 1))
    in_grace = make_estate(company=company, code="XC1", name="西城花园")
    _dated(in_grace, start=dt.date(2020, 1, 1), end=today() - 10 * DAY)
    running = make_estate(company=company, code="NB1", name="南北苑")
    _dated(running, start=dt.date(2024, 1, 1), end=today() + 300 * DAY)
    open_ended = make_estate(company=company, code="KF1", name="开放小区")
    _dated(open_ended, start=dt.date(2018, 1, 1), end=None)
    bare = make_estate(code="ZG1", name="自管小区")
    return {"company": company, "ended": ended, "bare": bare}


def _out():
    lines: list[str] = []
    return lines, lines.append


def test_an_estate_whose_contract_ended_without_a_successor_gets_one_category_5_lead(county):
    lines, out = _out()
    contracts_ended(out=out, quiet=False)
    leads = list(Lead.objects.filter(source_ref__startswith="contract.ended:"))
    assert len(leads) == 1
    lead = leads[0]
    contract = ServiceContract.objects.get(estate=county["ended"])
    assert lead.source_ref == contract_finding_key(contract.pk)
    assert lead.estate == county["ended"] and lead.category == "5"
    assert "东城公寓" in lead.text and "2022年3月1日" in lead.text
    assert lead.evidence["company"] == "东城物业有限公司"
    assert "新生成线索 1 条" in lines[-1]


def test_clean_estates_are_left_alone(county):
    contracts_ended(out=lambda s: None, quiet=True)
    estates = set(
        Lead.objects.filter(source_ref__startswith="contract.ended:").values_list("estate__code", flat=True)
    )
    assert estates == {
        "DC1"
    }  # not the one in its grace period, the running one, the open-ended one, nor 自管


def test_an_estate_with_a_later_contract_is_left_alone(county):
    ServiceContract.objects.filter(estate=county["ended"]).update(is_current=False)
    ServiceContract.objects.create(
        estate=county["ended"],
        company=make_company("新物业有限公司"),
        start=today() + 10 * DAY,  # registered, not started yet: the old company is leaving
        fee_per_m2="1.00",
        hiring="tender",
    )
    contracts_ended(out=lambda s: None, quiet=True)
    assert not Lead.objects.filter(source_ref__startswith="contract.ended:").exists()


def test_a_second_tick_opens_nothing_and_changes_no_row(county):
    call_command("tick", stdout=io.StringIO())
    leads, audits = Lead.objects.count(), AuditEntry.objects.count()
    assert Lead.objects.filter(source_ref__startswith="contract.ended:").count() == 1
    lines, out = _out()
    contracts_ended(out=out, quiet=False)
    assert Lead.objects.count() == leads and AuditEntry.objects.count() == audits
    assert "新生成线索 0 条" in lines[-1]
