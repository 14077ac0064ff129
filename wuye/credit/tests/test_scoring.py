import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from wuye.common.dates import today
from wuye.common.errors import DomainError, NotAllowed
from wuye.credit.models import CreditEvent
from wuye.credit.scoring import explain
from wuye.credit.services import add_months, credit_rule_version_create
from wuye.credit.tick import collect_events
from wuye.kernel.conf import county_setting


def _last_json(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def _rule(world, *, effective_from, penalty, actor=None, note="处罚分值调整"):
    points = dict(county_setting("CREDIT_EVENT_POINTS"))
    points["penalty"] = penalty
    return credit_rule_version_create(
        actor=actor or world.admin,
        effective_from=effective_from,
        base_score=80,
        points=points,
        bands={"AAA": 95, "AA": 85, "A": 70},
        veto_types=["fund_misuse", "refuse_to_leave", "safety_incident"],
        note=note,
    )


def test_score_of_a_planted_company_equals_the_sum_its_explanation_shows(world):
    world.penalty()
    world.interview()
    world.record("commendation")
    world.collect()
    ex = explain(world.company)
    assert ex.score == 80 - 10 - 5 + 5 == sum(line.points for line in ex.lines)
    assert ex.level == "A"
    explained = _last_json("credit_explain", world.company.credit_code, "--json")
    assert explained["score"] == 70 and explained["level"] == "A"
    assert sum(line["points"] for line in explained["lines"]) == explained["score"]
    assert {line["event"].split("：")[0] for line in explained["lines"]} == {
        "基础分",
        "行政处罚",
        "约谈企业法人",
        "表彰奖励",
    }
    penalty = next(line for line in explained["lines"] if line["event"].startswith("行政处罚"))
    assert (
        penalty["source"].startswith("台账事项 ")
        and penalty["expires"] == add_months(today() - dt.timedelta(days=10), 12).isoformat()
    )
    scores = {row["credit_code"]: row for row in _last_json("credit_scores", "--json")}
    assert scores[world.company.credit_code] == {
        "company": world.company.name,
        "credit_code": world.company.credit_code,
        "score": 70,
        "level": "A",
        "veto": False,
    }
    assert scores[world.other_company.credit_code]["score"] == 80


def test_collecting_twice_records_each_fact_once(world):
    world.penalty()
    assert len(world.collect()) == 1
    out: list[str] = []
    collect_events(out=out.append, quiet=False)
    assert out == ["新记录信用事件 0 条。"]
    assert CreditEvent.objects.count() == 1


def test_a_veto_event_sets_the_lowest_level_whatever_the_points(world):
    for _ in range(5):
        world.record("commendation")
    assert explain(world.company).level == "AAA"
    world.record("fund_misuse", text="挪用公共收益用于企业经营")
    ex = explain(world.company)
    assert ex.score == 80 + 25 - 20 == 85  # the points alone would give AA
    assert ex.veto and ex.level == "B"
    assert _last_json("credit_explain", world.company.credit_code, "--json")["level"] == "B"
    row = next(
        r for r in _last_json("credit_scores", "--json") if r["credit_code"] == world.company.credit_code
    )
    assert row["veto"] is True and row["level"] == "B"


def test_an_expired_event_stops_counting_on_its_expiry_day(world):
    world.penalty(days_ago=20)
    world.collect()
    event = CreditEvent.objects.get()
    assert event.expires == add_months(event.date, 12)
    day_before = event.expires - dt.timedelta(days=1)
    assert explain(world.company, on=day_before).score == 70
    assert explain(world.company, on=event.expires).score == 80
    last = _last_json(
        "credit_explain", world.company.credit_code, "--on", event.expires.isoformat(), "--json"
    )
    assert last == {"score": 80, "level": "A", "lines": [last["lines"][0]]}


def test_a_changed_rule_applies_from_its_date_and_an_earlier_date_keeps_the_old_rule(world):
    world.penalty(days_ago=10)
    world.collect()
    start = today() + dt.timedelta(days=10)
    _rule(world, effective_from=start, penalty=-30)
    before, after = start - dt.timedelta(days=1), start
    assert explain(world.company, on=before).score == 70
    assert explain(world.company, on=after).score == 50
    assert explain(world.company, on=after).level == "B"
    assert (
        _last_json("credit_explain", world.company.credit_code, "--on", before.isoformat(), "--json")["score"]
        == 70
    )
    rows = _last_json("credit_scores", "--on", after.isoformat(), "--json")
    assert next(r for r in rows if r["credit_code"] == world.company.credit_code)["score"] == 50


def test_only_the_office_head_changes_the_rules_and_never_for_the_past(world):
    from wuye.audit.models import AuditEntry

    with pytest.raises(NotAllowed):
        _rule(world, effective_from=today(), penalty=-30, actor=world.tf)
    with pytest.raises(DomainError) as exc:
        _rule(world, effective_from=today() - dt.timedelta(days=1), penalty=-30)
    assert exc.value.field == "effective_from"
    version = _rule(world, effective_from=today(), penalty=-30)
    entry = AuditEntry.objects.get(action="credit.rule_changed")
    assert entry.object_id == str(version.pk)
