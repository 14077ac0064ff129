"""Cases in many counties (issue #19, item 3): numbers carry the county's prefix, deadlines follow the county's
settings, a bureau sees and acts on its own county's cases only."""

import pytest
from django.db import connection

from wuye.accounts.models import Role
from wuye.cases import services, timelimits
from wuye.cases.models import Case
from wuye.cases.selectors import case_get_visible, cases_visible_to
from wuye.common.dates import now
from wuye.common.errors import NotAllowed
from wuye.kernel.conf import county_setting
from wuye.registry.models import default_county
from wuye.testing import (
    make_company,
    make_county,
    make_estate,
    make_town,
    make_town_in,
    make_user,
    run_concurrently,
)


def _world():
    a = default_county()
    b = make_county(CASE_HANDLE_DAYS=20, CASE_SIGN_HOURS="12")
    return {
        "a": a,
        "b": b,
        "estate_a": make_estate(company=make_company(), town=make_town()),
        "estate_b": make_estate(company=make_company(), town=make_town_in(b)),
        "tf_a": make_user(Role.TASK_FORCE),
        "tf_b": make_user(Role.TASK_FORCE, county_id=b.pk),
        "city": make_user(Role.CITY_VIEWER),
        "province": make_user(Role.PROVINCE_VIEWER),
    }


@pytest.mark.django_db
def test_each_county_numbers_its_own_ledger_without_gaps():
    w = _world()
    made = []
    for i in range(3):
        made.append(
            services.case_create(actor=w["tf_a"], estate=w["estate_a"], category="1.1", description=f"甲{i}")
        )
        made.append(
            services.case_create(actor=w["tf_b"], estate=w["estate_b"], category="1.1", description=f"乙{i}")
        )
    prefix_a = county_setting("CASE_NUMBER_PREFIX")
    assert all(c.number.startswith(prefix_a) for c in made[0::2])
    assert all(c.number.startswith("ZP") for c in made[1::2])
    assert len({c.number for c in made}) == 6
    # each county's ledger reads 1, 2, 3 whatever the other does
    assert [c.seq for c in made[0::2]] == [1, 2, 3] and [c.seq for c in made[1::2]] == [1, 2, 3]
    year = made[0].year
    assert made[1].number == f"ZP{year}-00001" and made[4].number == f"{prefix_a}{year}-00003"


@pytest.mark.django_db
def test_a_bureau_sees_and_acts_on_its_own_county_only():
    w = _world()
    case_a = services.case_create(actor=w["tf_a"], estate=w["estate_a"], category="1.1", description="甲")
    case_b = services.case_create(actor=w["tf_b"], estate=w["estate_b"], category="1.1", description="乙")
    assert set(cases_visible_to(w["tf_b"])) == {case_b}
    assert set(cases_visible_to(w["tf_a"])) == {case_a}
    assert set(cases_visible_to(w["city"])) == {case_a, case_b}
    assert set(cases_visible_to(w["province"])) == {case_a, case_b}
    with pytest.raises(Exception, match="没有找到"):
        case_get_visible(w["tf_b"], number=case_a.number)
    with pytest.raises(NotAllowed):
        services.case_create(actor=w["tf_b"], estate=w["estate_a"], category="1.1", description="越界立案")
    with pytest.raises(NotAllowed):
        services.case_verify(actor=w["tf_b"], case=case_a, note="越界核查")


@pytest.mark.django_db
def test_deadlines_follow_the_county_s_settings():
    w = _world()
    case_b = services.case_create(actor=w["tf_b"], estate=w["estate_b"], category="1.1", description="乙")
    case_a = services.case_create(actor=w["tf_a"], estate=w["estate_a"], category="1.1", description="甲")
    start = now()
    day_b, _ = timelimits.handle_due("ordinary", start=start, county=timelimits.county_of(case_b))
    day_a, _ = timelimits.handle_due("ordinary", start=start, county=timelimits.county_of(case_a))
    assert (day_b - start.date()).days == 20
    assert (day_a - start.date()).days == county_setting("CASE_HANDLE_DAYS")
    assert timelimits.sign_hours(False, timelimits.county_of(case_b)) == 12
    assert timelimits.handle_limit_words("ordinary", timelimits.county_of(case_b)) == "20 天"


@pytest.mark.django_db
def test_a_case_not_signed_for_is_late_by_its_own_county_s_limit():
    """County B gives companies 12 hours to sign for an ordinary case, the deployment 24: the late list, its count
    and the province's view apply each case's own county's limit."""
    import datetime as dt

    from wuye.cases.selectors import unsigned_late_count, unsigned_late_q

    w = _world()
    case_a = services.case_create(actor=w["tf_a"], estate=w["estate_a"], category="1.1", description="甲")
    case_b = services.case_create(actor=w["tf_b"], estate=w["estate_b"], category="1.1", description="乙")
    assert case_a.company_id and case_b.company_id and not case_a.urgent

    def late() -> set[int]:
        return set(Case.objects.filter(unsigned_late_q()).values_list("pk", flat=True))

    Case.objects.update(created_at=now() - dt.timedelta(hours=13))
    assert late() == {case_b.pk}
    assert unsigned_late_count(w["tf_b"])[0] == 1 and unsigned_late_count(w["tf_a"])[0] == 0
    assert unsigned_late_count(w["province"])[0] == 1
    Case.objects.update(created_at=now() - dt.timedelta(hours=25))
    assert late() == {case_a.pk, case_b.pk}


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_two_counties_number_cases_at_the_same_moment_without_collision():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so nothing races")
    w = _world()

    def make(actor, estate, i):
        return lambda: services.case_create(
            actor=actor, estate=estate, category="1.1", description=f"并发{i}"
        )

    calls = []
    for i in range(6):
        calls.append(make(w["tf_a"], w["estate_a"], i))
        calls.append(make(w["tf_b"], w["estate_b"], i))
    results = run_concurrently(*calls)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    numbers = [r.number for r in results]
    assert len(set(numbers)) == 12
    assert sum(n.startswith("ZP") for n in numbers) == 6
    for prefix in {n[: -len("2026-00001")] for n in numbers}:
        seqs = sorted(Case.objects.filter(number__startswith=prefix).values_list("seq", flat=True))
        assert seqs == [1, 2, 3, 4, 5, 6], prefix  # each county's ledger gap-free from 1
