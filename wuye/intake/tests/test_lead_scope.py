"""leads_visible_to: the one scoping rule for leads (issue #11 item 4), built on the estates' and the cases' rules."""

import pytest

from wuye.accounts.models import Role
from wuye.cases.services import case_create_from_lead
from wuye.intake.selectors import leads_visible_to
from wuye.intake.services import lead_create
from wuye.kernel.actors import PublicActor
from wuye.registry.models import Owner
from wuye.testing import make_company, make_estate, make_user

pytestmark = pytest.mark.django_db


def _lead(estate, text, **extra):
    return lead_create(actor=PublicActor("qr"), channel="qr", text=text, estate=estate, **extra).lead


@pytest.fixture
def county():
    ours, theirs = make_company("甲物业"), make_company("乙物业")
    a, b = make_estate(company=ours, name="荷花苑"), make_estate(company=theirs, name="桂花园")
    staff = make_user(Role.TASK_FORCE)
    cased_a = _lead(a, "3栋电梯困人", complainant_phone="13800001111")
    case_create_from_lead(actor=staff, lead=cased_a, category="3.1")
    cased_b = _lead(b, "垃圾堆积无人清运")
    case_create_from_lead(actor=staff, lead=cased_b, category="1.1")
    new_a = _lead(a, "小区门禁坏了", complainant_phone="13800002222")
    return {"ours": ours, "a": a, "b": b, "cased_a": cased_a, "cased_b": cased_b, "new_a": new_a}


def test_the_bureau_and_the_city_see_every_lead_of_the_county(county):
    for role in (Role.BUREAU_ADMIN, Role.TASK_FORCE, Role.CITY_VIEWER):
        assert leads_visible_to(make_user(role)).count() == 3, role


def test_a_company_sees_only_the_reports_of_its_own_cases_never_a_lead_that_is_not_a_case(county):
    company = make_user(Role.COMPANY_STAFF, company_id=county["ours"].pk)
    assert list(leads_visible_to(company)) == [county["cased_a"]]


def test_a_committee_member_sees_the_reports_of_its_estates_cases(county):
    member = make_user(Role.COMMITTEE_MEMBER, estate_id=county["b"].pk)
    assert list(leads_visible_to(member)) == [county["cased_b"]]


def test_an_owner_sees_the_complaints_filed_under_their_phone_and_the_public_sees_none(county):
    owner = Owner.objects.create(name="张三", phone="13800002222")
    user = make_user(Role.OWNER, owner=owner)
    assert list(leads_visible_to(user)) == [county["new_a"]]
    anonymous = _lead(county["a"], "匿名反映", complainant_phone="13800002222", anonymous=True)
    assert anonymous not in leads_visible_to(user)
    from django.contrib.auth.models import AnonymousUser

    assert not leads_visible_to(AnonymousUser()).exists()
