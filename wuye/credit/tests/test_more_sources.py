"""Events other modules record: a late or missing monthly report (oversight) and a handover past its deadline
(assets) become one credit event each, explained with their source, and a second collection adds nothing."""

import datetime as dt

from django.test import Client

from wuye.assets import tick as assets_tick
from wuye.assets.models import Handover
from wuye.common.dates import today
from wuye.credit.models import CreditEvent
from wuye.credit.scoring import explain
from wuye.kernel.actors import SystemActor
from wuye.oversight import services as oversight
from wuye.oversight.models import ReportLateness
from wuye.registry import services as registry
from wuye.testing import login


def test_a_missing_monthly_report_is_one_bad_event_of_the_company(world):
    assert oversight.lateness_record(actor=SystemActor("monthly_reports"), on=today()) >= 1
    rows = ReportLateness.objects.filter(company=world.company)
    assert rows.exists()
    world.collect()
    world.collect()
    events = CreditEvent.objects.filter(company=world.company, type="report_missing")
    assert events.count() == rows.count()
    assert "月报截止日未报送" in events.first().summary
    lines = explain(world.company, on=today()).lines
    assert any(line.source.startswith("企业月报") for line in lines)


def test_a_handover_past_its_deadline_is_one_bad_event_of_the_outgoing_company(world, client):
    contract = world.estate.contracts.get()
    registry.contract_end(
        actor=SystemActor("demo"), contract=contract, end=today() - dt.timedelta(days=40), reason="合同期满"
    )
    assets_tick.handover_checks(out=lambda _: None, quiet=True)
    handover = Handover.objects.get(estate=world.estate)
    assert handover.overdue_since == today()
    world.collect()
    world.collect()
    event = CreditEvent.objects.get(type="handover_overdue")
    assert (event.company, event.estate, event.date) == (world.company, world.estate, today())
    assert CreditEvent.objects.filter(company=world.other_company).count() == 0
    login(client, world.tf)
    page = client.get(f"/credit/bureau/companies/{world.company.credit_code}/").content.decode()
    assert "逾期未完成移交" in page and "整改工作月报" in page
    public = Client().get(f"/credit/companies/{world.company.credit_code}/").content.decode()
    assert "逾期未完成移交" in public
