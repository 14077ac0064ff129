"""Urgency carried into the case, tiered time limits, 签收 (issue #13, item 3)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from wuye.audit.models import AuditEntry
from wuye.cases import services
from wuye.cases.models import Case, CaseEvent
from wuye.cases.selectors import case_is_overdue, case_list, overdue_q
from wuye.common.dates import now, today
from wuye.intake.models import Channel
from wuye.intake.services import lead_create
from wuye.kernel.actors import PublicActor
from wuye.testing import login, run_concurrently

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def _lead(world, text="3栋电梯困人，有老人被困在里面", urgent=True):
    lead = lead_create(actor=PublicActor("phone"), channel=Channel.PHONE, text=text, estate=world.estate).lead
    if urgent:
        type(lead).objects.filter(pk=lead.pk).update(urgent=True)
        lead.refresh_from_db()
    return lead


def _plan(world, case, **kw):
    services.case_verify(actor=world.tf, case=case)
    return services.case_start_rectification(
        actor=world.tf, case=case, target="解困并检修", measures="维保单位到场", responsible="王经理", **kw
    )


def _age(case, hours):
    Case.objects.filter(pk=case.pk).update(created_at=now() - dt.timedelta(hours=hours))
    case.refresh_from_db()


def test_a_case_opened_from_an_urgent_lead_is_urgent_and_marked_in_the_lists(world, client):
    case = services.case_create_from_lead(actor=world.tf, lead=_lead(world), category="3.1")
    assert case.urgent and case.tier == "urgent"
    assert case.events.filter(kind="create", title="立案受理（紧急事项）").exists()
    ordinary = world.case(description="绿化带杂草")  # newer, but not urgent
    assert [c.pk for c in case_list(world.tf)][:2] == [case.pk, ordinary.pk]  # urgent first
    login(client, world.tf)
    page = client.get("/cases/").content.decode()
    assert page.index(case.number) < page.index(ordinary.number)
    assert '<span class="badge bad">紧急</span>' in page
    detail = client.get(f"/cases/{case.number}/").content.decode()
    assert "紧急" in detail and "应于" in detail  # the sign limit is shown
    login(client, world.staff)
    todo = client.get("/cases/").content.decode()
    assert "签收事项" in todo and "紧急" in todo


def test_an_urgent_lead_joining_a_case_makes_it_urgent(world):
    case = services.case_create_from_lead(
        actor=world.tf, lead=_lead(world, "电梯异响", urgent=False), category="3.1"
    )
    assert not case.urgent
    services.lead_merge_into_case(actor=world.tf, lead=_lead(world), case=case)
    case.refresh_from_db()
    assert case.urgent


def test_time_limits_follow_the_tier_and_an_urgent_case_is_overdue_to_the_hour(world):
    ordinary = _plan(world, world.case())
    assert ordinary.deadline == today() + dt.timedelta(days=7) and ordinary.due_at is None
    urgent = services.case_create_from_lead(actor=world.tf, lead=_lead(world), category="3.1")
    urgent = _plan(world, urgent)
    assert urgent.due_at is not None and abs((urgent.due_at - now()) - 24 * HOUR) < HOUR
    assert not case_is_overdue(urgent)
    complex_case = world.case(description="外墙脱落，需要专项维修资金")
    services.case_set_tier(actor=world.tf, case=complex_case, tier="complex", reason="需业主大会表决")
    complex_case = _plan(world, complex_case)
    assert complex_case.deadline == today() + dt.timedelta(days=15)
    # 25 hours later the urgent case is overdue, though its deadline day may not have passed
    Case.objects.filter(pk=urgent.pk).update(due_at=now() - HOUR, deadline=today())
    urgent.refresh_from_db()
    assert case_is_overdue(urgent)
    assert set(Case.objects.filter(overdue_q()).values_list("pk", flat=True)) == {urgent.pk}
    call_command("tick", "--only", "mark_overdue", stdout=io.StringIO())
    assert CaseEvent.objects.filter(case=urgent, kind="overdue").count() == 1


def test_the_company_signs_for_its_case_once_and_other_roles_cannot(world, client):
    case = world.case()
    url = f"/cases/{case.number}/sign/"
    login(client, world.other_staff)
    assert client.post(url, {"note": ""}).status_code == 404  # not its case: not even visible
    login(client, world.tf)
    assert client.post(url, {"note": ""}).status_code == 403
    login(client, world.staff)
    assert client.get(f"/cases/{case.number}/").content.decode().count(f"{url}") == 1
    assert client.post(url, {"note": "已安排人员"}).status_code == 302
    case.refresh_from_db()
    assert case.signed_at is not None and case.signed_by == world.staff
    assert client.post(url, {"note": ""}).status_code == 302  # a second click changes nothing
    assert CaseEvent.objects.filter(case=case, kind="sign").count() == 1
    assert AuditEntry.objects.filter(action="case.sign", object_id=str(case.pk)).count() == 1
    assert url not in client.get(f"/cases/{case.number}/").content.decode()


def test_unsigned_past_the_limit_is_listed_for_the_task_force(world, client):
    urgent = services.case_create_from_lead(actor=world.tf, lead=_lead(world), category="3.1")
    ordinary = world.case(description="楼道灯不亮")
    _age(urgent, 3)  # past 2 h
    _age(ordinary, 3)  # within 24 h
    signed = world.case(description="垃圾未清运")
    _age(signed, 30)
    services.case_sign(actor=world.staff, case=signed)
    login(client, world.tf)
    page = client.get("/cases/?unsigned=on").content.decode()
    assert urgent.number in page and ordinary.number not in page and signed.number not in page
    assert "超时未签收" in page
    detail = client.get(f"/cases/{urgent.number}/").content.decode()
    assert "超时未签收" in detail
    home = client.get(reverse("portal:home")).content.decode()
    assert '<a href="/cases/?unsigned=on">超时未签收</a>：<strong>1</strong>' in home
    _age(ordinary, 25)
    assert ordinary.number in client.get("/cases/?unsigned=on").content.decode()
    api = APIClient()
    api.force_authenticate(world.tf)
    rows = api.get("/api/v1/cases/?unsigned=true").json()["results"]
    assert {r["number"] for r in rows} == {urgent.number, ordinary.number}
    assert all(r["sign_late"] for r in rows)


def test_the_task_force_sets_the_tier_through_the_api_and_the_company_cannot(world):
    case = world.case()
    url = f"/api/v1/cases/{case.number}/transitions/"
    staff, tf = APIClient(), APIClient()
    staff.force_authenticate(world.staff)
    tf.force_authenticate(world.tf)
    assert (
        staff.post(url, {"action": "set_tier", "tier": "urgent", "reason": "x"}, format="json").status_code
        == 403
    )
    r = tf.post(url, {"action": "set_tier", "tier": "urgent", "reason": ""}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = tf.post(url, {"action": "set_tier", "tier": "urgent", "reason": "燃气泄漏"}, format="json")
    assert r.status_code == 200 and r.json()["urgent"] is True and r.json()["tier"] == "urgent"
    r = tf.post(url, {"action": "set_tier", "tier": "ordinary", "reason": "已排除险情"}, format="json")
    assert r.json()["urgent"] is False
    assert AuditEntry.objects.filter(action="case.tier", object_id=str(case.pk)).count() == 2
    r = staff.post(url, {"action": "sign", "reason": "收到"}, format="json")
    assert r.status_code == 200 and r.json()["signed_at"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_signs_record_one(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so nothing races")
    case = world.case()
    run_concurrently(
        lambda: services.case_sign(actor=world.staff, case=case),
        lambda: services.case_sign(actor=world.staff, case=case),
    )
    assert CaseEvent.objects.filter(case=case, kind="sign").count() == 1
