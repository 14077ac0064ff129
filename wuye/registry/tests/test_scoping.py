"""Each role, logged in, sees exactly its scope (§1)."""

import pytest

from wuye.accounts.models import Role
from wuye.kernel.actors import SystemActor
from wuye.registry.models import Owner
from wuye.registry.selectors import estates_visible_to
from wuye.testing import login, make_company, make_estate, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    a, b = make_company("甲物业有限公司"), make_company("乙物业有限公司")
    ea1 = make_estate(company=a, name="甲一小区", code="EA1", units=2)
    ea2 = make_estate(company=a, name="甲二小区", code="EA2")
    eb = make_estate(company=b, name="乙小区", code="EB1", units=1)
    bare = make_estate(name="无物业小区", code="E00")
    return {"a": a, "b": b, "ea1": ea1, "ea2": ea2, "eb": eb, "bare": bare}


def codes(user):
    return set(estates_visible_to(user).values_list("code", flat=True))


@pytest.mark.parametrize("role", [Role.BUREAU_ADMIN, Role.TASK_FORCE, Role.CITY_VIEWER])
def test_county_roles_see_every_estate(county, role):
    assert codes(make_user(role)) == {"EA1", "EA2", "EB1", "E00"}


def test_company_staff_sees_only_estates_under_a_current_contract_of_its_company(county, client):
    user = make_user(Role.COMPANY_STAFF, company_id=county["a"].pk)
    assert codes(user) == {"EA1", "EA2"}
    login(client, user)
    assert client.get("/registry/estates/EA1/").status_code == 200
    assert client.get("/registry/estates/EB1/").status_code == 404
    listing = client.get("/registry/estates/").content.decode()
    assert "甲一小区" in listing and "乙小区" not in listing
    assert client.get(f"/registry/companies/{county['b'].pk}/").status_code == 404


def test_company_loses_sight_of_an_estate_when_its_contract_ends(county):
    import datetime as dt

    from wuye.registry.services import contract_end

    user = make_user(Role.COMPANY_STAFF, company_id=county["a"].pk)
    contract = county["ea2"].contracts.get(is_current=True)
    contract_end(
        actor=SystemActor("demo"), contract=contract, end=dt.date(2025, 6, 30), reason="业主大会解聘"
    )
    assert codes(user) == {"EA1"}


def test_committee_member_sees_only_its_estate(county, client):
    user = make_user(Role.COMMITTEE_MEMBER, estate_id=county["eb"].pk)
    assert codes(user) == {"EB1"}
    login(client, user)
    assert client.get("/registry/estates/EA1/").status_code == 404
    assert client.get("/registry/estates/EB1/").status_code == 200


def test_owner_sees_the_estates_of_their_units(county):
    owner = Owner.objects.filter(ownerships__unit__estate=county["ea1"]).first()
    user = make_user(Role.OWNER, owner=owner)
    assert codes(user) == {"EA1"}


def test_owner_cannot_open_staff_registry_pages(county, client):
    owner = Owner.objects.filter(ownerships__unit__estate=county["ea1"]).first()
    login(client, make_user(Role.OWNER, owner=owner))
    assert client.get("/registry/estates/EA1/").status_code == 403


def test_anonymous_visitor_is_sent_to_login(county, client):
    resp = client.get("/registry/estates/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_city_viewer_cannot_edit(county, client):
    login(client, make_user(Role.CITY_VIEWER))
    assert client.get("/registry/estates/EA1/").status_code == 200
    assert client.post("/registry/companies/new/", {}).status_code == 403


def test_api_estates_are_scoped_too(county, client):
    login(client, make_user(Role.COMPANY_STAFF, company_id=county["b"].pk))
    data = client.get("/api/v1/registry/estates/").json()
    assert [e["code"] for e in data["results"]] == ["EB1"]


def test_city_viewer_sees_units_without_names_or_phones(county, client):
    login(client, make_user(Role.CITY_VIEWER))
    body = client.get("/registry/estates/EA1/units/").content.decode()
    assert "100.00 ㎡" in body and "不显示个人信息" in body
    owner = Owner.objects.filter(ownerships__unit__estate=county["ea1"]).first()
    assert owner.name not in body and owner.phone[-4:] not in body


def test_task_force_sees_owner_names_with_masked_phones(county, client):
    login(client, make_user(Role.TASK_FORCE))
    body = client.get("/registry/estates/EA1/units/").content.decode()
    owner = Owner.objects.filter(ownerships__unit__estate=county["ea1"]).first()
    assert owner.name in body and owner.phone not in body and owner.phone[:3] + "****" in body


def test_committee_designates_the_voter_of_a_co_owned_unit(client):
    from wuye.audit.models import AuditEntry
    from wuye.registry.models import Ownership, Unit
    from wuye.registry.services import owner_link

    estate = make_estate(name="共有小区", code="CO1", units=1)
    unit = Unit.objects.get(estate=estate)
    owner_link(actor=SystemActor("demo"), unit=unit, name="共有人乙", phone="13811112222")
    second = Owner.objects.get(phone="13811112222")
    login(client, make_user(Role.COMMITTEE_MEMBER, estate_id=estate.pk))
    page = client.get("/registry/estates/CO1/units/").content.decode()
    assert "共有人投票人" in page and "共有人乙" in page
    resp = client.post(f"/registry/estates/CO1/units/{unit.pk}/voter/", {"owner": second.pk})
    assert resp.status_code == 302
    assert Ownership.objects.get(unit=unit, is_designated_voter=True).owner == second
    assert AuditEntry.objects.filter(action="ownership.designate_voter", object_id=str(unit.pk)).exists()


def test_a_stranger_cannot_be_designated_and_other_estates_are_404(county, client):
    from wuye.registry.models import Ownership, Unit

    unit = Unit.objects.filter(estate=county["ea1"]).first()
    stranger = Owner.objects.filter(ownerships__unit__estate=county["eb"]).first()
    login(client, make_user(Role.COMMITTEE_MEMBER, estate_id=county["ea1"].pk))
    before = list(Ownership.objects.filter(unit=unit).values_list("owner_id", "is_designated_voter"))
    client.post(f"/registry/estates/EA1/units/{unit.pk}/voter/", {"owner": stranger.pk})
    assert list(Ownership.objects.filter(unit=unit).values_list("owner_id", "is_designated_voter")) == before
    other = Unit.objects.filter(estate=county["eb"]).first()
    assert (
        client.post(f"/registry/estates/EB1/units/{other.pk}/voter/", {"owner": stranger.pk}).status_code
        == 404
    )


def _contract_dated(estate, *, start, end):
    from wuye.registry.models import ServiceContract

    ServiceContract.objects.filter(estate=estate, is_current=True).update(start=start, end=end)


def test_a_contract_past_its_end_date_and_the_grace_period_no_longer_gives_access(county, settings, client):
    import datetime as dt

    from wuye.common.dates import today

    settings.WUYE = {**settings.WUYE, "CONTRACT_GRACE_DAYS": 30}
    user = make_user(Role.COMPANY_STAFF, company_id=county["a"].pk)
    _contract_dated(county["ea2"], start=dt.date(2019, 1, 1), end=today() - dt.timedelta(days=31))
    assert codes(user) == {"EA1"}
    login(client, user)
    assert client.get("/registry/estates/EA2/").status_code == 404


def test_a_company_keeps_its_estate_during_the_grace_period_after_the_end_date(county, settings):
    import datetime as dt

    from wuye.common.dates import today

    settings.WUYE = {**settings.WUYE, "CONTRACT_GRACE_DAYS": 30}
    user = make_user(Role.COMPANY_STAFF, company_id=county["a"].pk)
    _contract_dated(county["ea2"], start=dt.date(2019, 1, 1), end=today() - dt.timedelta(days=30))
    assert codes(user) == {"EA1", "EA2"}
    settings.WUYE = {**settings.WUYE, "CONTRACT_GRACE_DAYS": 0}
    assert codes(user) == {"EA1"}


def test_a_contract_that_has_not_started_gives_no_access_yet(county):
    import datetime as dt

    from wuye.common.dates import today

    user = make_user(Role.COMPANY_STAFF, company_id=county["a"].pk)
    _contract_dated(county["ea2"], start=today() + dt.timedelta(days=1), end=None)
    assert codes(user) == {"EA1"}


def test_the_company_page_counts_and_lists_only_the_estates_served_today(county, client):
    import datetime as dt

    from wuye.common.dates import today
    from wuye.registry.selectors import company_list

    admin = make_user(Role.BUREAU_ADMIN)
    _contract_dated(county["ea2"], start=dt.date(2019, 1, 1), end=today() - dt.timedelta(days=400))
    counts = {c.name: c.estate_count for c in company_list(admin)}
    assert counts == {"甲物业有限公司": 1, "乙物业有限公司": 1}
    login(client, admin)
    body = client.get(f"/registry/companies/{county['a'].pk}/").content.decode()
    served, ended = body.split("已到期的合同")
    assert "甲一小区" in served and "甲二小区" not in served
    assert "甲二小区" in ended and "已到期" in ended


def test_cases_and_revenue_follow_the_same_rule(county):
    import datetime as dt

    from wuye.cases.selectors import cases_visible_to
    from wuye.common.dates import today
    from wuye.revenue.selectors import user_company_runs

    user = make_user(Role.COMPANY_STAFF, company_id=county["a"].pk)
    assert user_company_runs(user, county["ea2"])
    _contract_dated(county["ea2"], start=dt.date(2019, 1, 1), end=today() - dt.timedelta(days=400))
    assert not user_company_runs(user, county["ea2"])
    assert user_company_runs(user, county["ea1"])
    assert not cases_visible_to(user).filter(estate=county["ea2"]).exists()


def test_the_public_and_company_staff_cannot_change_the_registry(county):
    import datetime as dt

    from wuye.common.errors import NotAllowed
    from wuye.kernel.actors import PublicActor
    from wuye.registry.services import contract_end, estate_save

    contract = county["ea1"].contracts.get(is_current=True)
    with pytest.raises(NotAllowed, match="群众（扫码即办）无权"):
        contract_end(actor=PublicActor("qr"), contract=contract, end=dt.date(2025, 6, 30), reason="x")
    staff = make_user(Role.COMPANY_STAFF, company_id=county["a"].pk)
    with pytest.raises(NotAllowed):
        estate_save(actor=staff, estate=county["ea1"], town=county["ea1"].town, code="EA1", name="改名")
    contract.refresh_from_db()
    assert contract.is_current


def test_a_registry_service_called_without_an_actor_is_refused(county):
    from typing import Any, cast

    from wuye.registry.services import estate_save

    with pytest.raises(TypeError):
        estate_save(actor=cast(Any, None), town=county["ea1"].town, code="NEW", name="无主体小区")
