"""Each check finds its planted gap, leaves a complete estate alone, opens no second lead on a re-run, and the lead
carries the evidence."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from wuye.duties import services
from wuye.duties.checks import DUTIES
from wuye.duties.models import DisclosureItem, DisclosureKind, EmergencyPlan, PlanKind
from wuye.duties.selectors import readiness
from wuye.duties.tick import run_checks
from wuye.intake.models import Lead

from .factories import World

pytestmark = pytest.mark.django_db


def _shift(model: type, estate, **changes) -> None:
    """Age a record the company entered (time passes; nothing the company can do through a service)."""
    model.objects.filter(estate=estate, **changes.pop("where", {})).update(**changes)


def plant_disclosure(w: World) -> None:
    DisclosureItem.objects.filter(estate=w.estate, kind=DisclosureKind.FUND).delete()
    _shift(DisclosureItem, w.estate, where={"kind": DisclosureKind.PERSONS}, published_on=w.ago(400))


def plant_renovation_violation(w: World) -> None:
    r = services.renovation_register(
        actor=w.staff,
        estate=w.estate,
        unit="5栋102",
        start=w.ago(15),
        end=w.ago(-30),
        works="全屋装修",
        notice_signed_on=w.ago(16),
    )
    services.violation_record(actor=w.staff, renovation=r, kind="load_bearing", found_on=w.ago(10))


def plant_renovation_notice(w: World) -> None:
    services.renovation_register(
        actor=w.staff, estate=w.estate, unit="6栋201", start=w.ago(3), end=w.ago(-30), works="卫生间防水"
    )


def plant_plan_missing(w: World) -> None:
    EmergencyPlan.objects.filter(estate=w.estate, kind=PlanKind.WEATHER).delete()


def plant_plan_review(w: World) -> None:
    _shift(
        EmergencyPlan, w.estate, where={"kind": PlanKind.FIRE}, adopted_on=w.ago(800), review_due=w.ago(70)
    )


def plant_supply_expired(w: World) -> None:
    services.supply_record(
        actor=w.staff, estate=w.estate, name="应急照明灯", quantity=Decimal("12"), expires_on=w.ago(5)
    )


def plant_no_drill(w: World) -> None:
    from wuye.duties.models import Drill

    _shift(Drill, w.estate, held_on=w.ago(500))


def plant_hazard_open(w: World) -> None:
    services.hazard_record(
        actor=w.staff,
        estate=w.estate,
        checked_on=w.ago(20),
        scope="地下车库",
        hazard="排水沟盖板破损",
        fix_deadline=w.ago(5),
    )


def plant_confined_unfiled(w: World) -> None:
    services.confined_work_record(actor=w.staff, estate=w.estate, work="污水井疏通", starts_on=w.ago(2))


def plant_fire_unfixed(w: World) -> None:
    services.fire_check_record(
        actor=w.staff,
        estate=w.estate,
        facility="hydrant",
        checked_on=w.ago(10),
        passed=False,
        finding="3栋消火栓无水压",
    )


def plant_exit_blocked(w: World) -> None:
    services.fire_check_record(
        actor=w.staff,
        estate=w.estate,
        facility="exit",
        checked_on=w.ago(6),
        passed=False,
        finding="2栋安全出口堆放杂物",
    )


def plant_fee_rise(w: World) -> None:
    services.fee_change_record(
        actor=w.staff,
        estate=w.estate,
        item="车位管理费",
        old_rate=Decimal("60"),
        new_rate=Decimal("80"),
        rate_unit="元/个·月",
        effective_on=w.ago(20),
        approval="none",
    )


def plant_room_use(w: World) -> None:
    services.room_record(
        actor=w.staff,
        estate=w.estate,
        location="2栋一楼",
        area=Decimal("45.5"),
        use="leased",
        use_note="出租给便利店",
        surveyed_on=w.ago(3),
    )


PLANTS: list[tuple[Callable[[World], None], str, str, bool, str]] = [
    # plant, key prefix, category, urgent, duty
    (plant_disclosure, "duties:disclosure:", "1.2", False, "disclosure"),
    (plant_renovation_violation, "duties:renovation_violation:", "1.2", False, "renovation"),
    (plant_renovation_notice, "duties:renovation_notice:", "1.2", False, "renovation"),
    (plant_plan_missing, "duties:plan_missing:", "1.3", False, "plans"),
    (plant_plan_review, "duties:plan_review:", "1.3", False, "plans"),
    (plant_supply_expired, "duties:supply_expired:", "1.3", False, "supplies"),
    (plant_no_drill, "duties:no_drill:", "1.3", False, "drills"),
    (plant_hazard_open, "duties:hazard_open:", "1.3", False, "hazards"),
    (plant_confined_unfiled, "duties:confined_unfiled:", "1.3", False, "confined"),
    (plant_fire_unfixed, "duties:fire_unfixed:", "1.3", True, "fire"),
    (plant_exit_blocked, "duties:fire_unfixed:", "1.3", True, "fire"),
    (plant_fee_rise, "duties:fee_rise:", "7", False, "fees"),
    (plant_room_use, "duties:room_use:", "2.2", False, "rooms"),
]


def _check_leads():
    return Lead.objects.filter(source_ref__startswith="duties:")


def test_a_complete_estate_is_left_alone_and_fully_ready():
    w = World().complete()
    assert run_checks() == {}
    assert not _check_leads().exists()
    (row,) = readiness([w.estate])
    assert row.score == 100, [(d.label, d.gaps) for d in row.gaps]


@pytest.mark.parametrize(
    ("plant", "prefix", "category", "urgent", "duty"), PLANTS, ids=[p[0].__name__ for p in PLANTS]
)
def test_each_check_finds_its_planted_gap_once_with_evidence(plant, prefix, category, urgent, duty):
    clean = World().complete()
    w = World().complete()
    plant(w)
    opened = run_checks()
    leads = list(_check_leads())
    assert len(leads) == 1, [(lead.source_ref, lead.text) for lead in leads]
    lead = leads[0]
    assert lead.source_ref.startswith(prefix)
    assert lead.category == category
    assert lead.estate_id == w.estate.pk
    assert lead.urgent is urgent
    assert lead.evidence["check"] in lead.source_ref
    assert w.estate.name in lead.text
    assert sum(opened.values()) == 1
    # a re-run opens nothing and changes nothing
    before = (lead.text, lead.evidence)
    assert run_checks() == {}
    assert _check_leads().count() == 1
    lead.refresh_from_db()
    assert (lead.text, lead.evidence) == before
    # the readiness score lists the gap under its duty; the complete estate stays at 100
    planted, complete = readiness([w.estate, clean.estate])
    assert [d.code for d in planted.gaps] == [duty]
    assert complete.score == 100


def test_disclosure_evidence_names_the_missing_and_the_stale_items():
    w = World().complete()
    plant_disclosure(w)
    run_checks()
    lead = _check_leads().get()
    assert lead.evidence["missing"] == [DisclosureKind.FUND.label]
    assert lead.evidence["stale"] == {DisclosureKind.PERSONS.label: w.ago(400).isoformat()}


def test_a_fixed_hazard_or_a_reported_obstruction_is_no_longer_a_gap():
    w = World().complete()
    plant_hazard_open(w)
    plant_exit_blocked(w)
    from wuye.duties.models import FireCheck, HazardCheck

    services.hazard_fix(
        actor=w.staff, hazard=HazardCheck.objects.get(hazard="排水沟盖板破损"), fixed_on=w.ago(1)
    )
    services.fire_check_fix(actor=w.staff, check=FireCheck.objects.get(passed=False), reported_on=w.ago(4))
    assert run_checks() == {}


def test_an_estate_with_no_records_lists_every_standing_duty_as_missing():
    w = World()
    (row,) = readiness([w.estate])
    # renovations, confined-space works and fee changes may rightly be none: nothing is missing there
    assert {d.code for d in row.gaps} == set(DUTIES) - {"renovation", "confined", "fees"}
    assert row.score == 25
    run_checks()
    categories = set(_check_leads().values_list("category", flat=True))
    assert categories == {"1.2", "1.3"}


def test_a_new_gap_after_a_new_drill_is_a_new_lead():
    w = World().complete()
    plant_no_drill(w)
    run_checks(on=w.today)
    services.drill_record(
        actor=w.staff, estate=w.estate, kind="drill", plan_kind="fire", held_on=w.ago(0), attendance=5
    )
    assert run_checks(on=w.today) == {}
    assert run_checks(on=w.today + dt.timedelta(days=400))["no_drill"] == 1
