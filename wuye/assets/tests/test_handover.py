import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.assets import services, tick
from wuye.assets.models import Handover, HandoverSource, HandoverStatus, ItemStatus
from wuye.cases.models import HandoverRecord
from wuye.cases.models import HandoverStatus as RecordStatus
from wuye.cases.services import handover_open as ledger_handover_open
from wuye.common.dates import today
from wuye.intake.models import Lead
from wuye.registry import services as reg
from wuye.testing import login, make_company, make_estate, make_user

from .helpers import DEMO, passed_motion

pytestmark = pytest.mark.django_db


def quiet(_: str) -> None:
    pass


def changing_hands(*, ended_days_ago: int, successor: bool = True):
    """An estate whose contract ended `ended_days_ago` days ago, with or without a new company."""
    old, new = make_company(), make_company()
    estate = make_estate(company=old)
    contract = estate.contracts.get()
    end = today() - dt.timedelta(days=ended_days_ago)
    reg.contract_end(actor=DEMO, contract=contract, end=end, reason="合同期满")
    if successor:
        reg.contract_create(
            actor=DEMO,
            estate=estate,
            company=new,
            start=end,
            end=None,
            fee_per_m2=contract.fee_per_m2,
            hiring="tender",
        )
    return estate, old, new


def test_a_contract_end_opens_one_handover_with_the_legal_checklist_and_the_deadline_from_the_end():
    estate, old, new = changing_hands(ended_days_ago=5)
    tick.handover_checks(out=quiet, quiet=True)
    tick.handover_checks(out=quiet, quiet=True)
    h = Handover.objects.get()
    assert (h.estate, h.source, h.outgoing, h.incoming) == (estate, HandoverSource.CONTRACT_END, old, new)
    assert h.deadline == today() - dt.timedelta(days=5) + dt.timedelta(days=30)
    labels = list(h.items.values_list("label", flat=True))
    assert labels[0] == "物业服务用房" and "业主名册" in labels and any("竣工" in x for x in labels)
    assert (
        any("公共收益" in x for x in labels)
        and any("维修资金" in x for x in labels)
        and any("钥匙" in x for x in labels)
    )


def test_only_the_receiving_side_confirms_an_item_and_the_outgoing_side_answers_disputes(client: Client):
    estate, old, new = changing_hands(ended_days_ago=5)
    tick.handover_checks(out=quiet, quiet=True)
    h = Handover.objects.get()
    item = h.items.get(seq=1)
    url = reverse("assets:handover", kwargs={"pk": h.pk})
    outgoing_staff = make_user(Role.COMPANY_STAFF, company_id=old.pk)
    incoming_staff = make_user(Role.COMPANY_STAFF, company_id=new.pk)

    login(client, outgoing_staff)
    resp = client.post(url, {"op": "confirm", "item": item.pk, "evidence": "已交"})
    assert resp.status_code == 400 and "只有接管方可以确认接收移交事项" in resp.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN

    login(client, incoming_staff)
    assert client.post(url, {"op": "dispute", "item": item.pk, "dispute": "用房钥匙未交"}).status_code == 302
    resp = client.post(url, {"op": "answer", "item": item.pk, "answer": "x"})
    assert "只有退出方物业企业可以答复移交争议" in resp.content.decode()

    login(client, outgoing_staff)
    assert (
        client.post(url, {"op": "answer", "item": item.pk, "answer": "钥匙于下周一移交"}).status_code == 302
    )
    item.refresh_from_db()
    assert (item.status, item.answer) == (ItemStatus.DISPUTED, "钥匙于下周一移交")

    login(client, incoming_staff)
    resp = client.post(url, {"op": "confirm", "item": item.pk, "evidence": ""})
    assert resp.status_code == 400  # no evidence: nothing changes
    assert (
        client.post(url, {"op": "confirm", "item": item.pk, "evidence": "交接单 2026-01"}).status_code == 302
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.CONFIRMED

    login(client, make_user(Role.COMPANY_STAFF, company_id=make_company().pk))
    assert client.get(url).status_code == 404


def test_past_the_deadline_with_items_open_is_one_category_5_lead_updated_not_repeated():
    from wuye.notify.models import Notification

    estate, old, _ = changing_hands(ended_days_ago=40, successor=False)
    staff = make_user(Role.COMPANY_STAFF, company_id=old.pk)
    tick.handover_checks(out=quiet, quiet=True)
    h = Handover.objects.get()
    told = Notification.objects.filter(user=staff, event="handover_overdue")
    assert told.count() == 1 and "移交期限" in told.get().text
    assert h.overdue_since == today() and h.incoming_name.endswith("（临时管理）")
    lead = Lead.objects.get(source_ref=f"handover:{h.pk}:overdue")
    assert lead.category == "5" and old.name in lead.text and len(lead.evidence["open_items"]) == 9
    tick.handover_checks(out=quiet, quiet=True)
    assert Lead.objects.filter(source_ref__startswith="handover:").count() == 1
    assert Notification.objects.filter(user=staff, event="handover_overdue").count() == 1

    services.handover_item_confirm(
        actor=make_user(Role.TASK_FORCE), item=h.items.get(seq=1), evidence="已接收"
    )
    tick.handover_checks(out=quiet, quiet=True)
    lead.refresh_from_db()
    assert Lead.objects.filter(source_ref__startswith="handover:").count() == 1
    assert len(lead.evidence["open_items"]) == 8


def test_a_handover_within_its_deadline_is_left_alone():
    changing_hands(ended_days_ago=10)
    tick.handover_checks(out=quiet, quiet=True)
    assert Handover.objects.get().overdue_since is None
    assert not Lead.objects.filter(source_ref__startswith="handover:").exists()


def test_completion_shows_who_manages_the_estate_since_when_on_the_public_page(client: Client):
    estate, _, new = changing_hands(ended_days_ago=5)
    tick.handover_checks(out=quiet, quiet=True)
    h = Handover.objects.get()
    staff = make_user(Role.COMPANY_STAFF, company_id=new.pk)
    for item in h.items.all():
        services.handover_item_confirm(actor=staff, item=item, evidence="双方签字")
    h.refresh_from_db()
    assert (h.status, h.completed_on) == (HandoverStatus.DONE, today())
    page = client.get(reverse("portal:estate", kwargs={"code": estate.code})).content.decode()
    assert f"由{new.name}管理，自{today().year}年{today().month}月{today().day}日起" in page


def test_the_ledgers_record_is_picked_up_and_closed_on_completion():
    estate = make_estate(company=make_company())
    from django.db import transaction

    with transaction.atomic():
        record = ledger_handover_open(actor=DEMO, estate=estate)
    tick.handover_checks(out=quiet, quiet=True)
    h = Handover.objects.get(record=record)
    assert h.source == HandoverSource.LEDGER and h.deadline == record.deadline
    for item in h.items.all():
        services.handover_item_confirm(actor=DEMO, item=item, evidence="已接收")
    assert HandoverRecord.objects.get(pk=record.pk).status == RecordStatus.DONE


def test_the_owners_vote_to_dismiss_the_company_opens_a_handover():
    estate = make_estate(company=make_company(), units=3)
    passed_motion(estate, item=4, title="解聘现物业服务企业", agree=False)
    tick.handover_checks(out=quiet, quiet=True)
    assert not Handover.objects.exists()  # the motion failed
    motion = passed_motion(estate, item=4, title="解聘现物业服务企业")
    tick.handover_checks(out=quiet, quiet=True)
    h = Handover.objects.get()
    assert (h.source, h.motion) == (HandoverSource.DISMISSAL, motion)
    assert h.outgoing == estate.contracts.get().company
