"""Who hears of a case's steps, once per event (issue #13, item 4)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from wuye.accounts.models import Role
from wuye.accounts.sms import MemorySmsBackend
from wuye.cases import services
from wuye.cases.models import Case
from wuye.common.dates import today
from wuye.intake.models import Channel
from wuye.intake.services import lead_create
from wuye.kernel.actors import PublicActor
from wuye.notify.models import Channel as NotifyChannel
from wuye.notify.models import Notification, Status
from wuye.notify.services import notifications_send_due
from wuye.testing import make_user

from .conftest import png

pytestmark = pytest.mark.django_db

PHONE = "13900002222"


@pytest.fixture(autouse=True)
def outbox(settings):
    # no quiet hours: these tests may run at any hour
    settings.WUYE = {**settings.WUYE, "NOTIFY_QUIET_START": "00:00", "NOTIFY_QUIET_END": "00:00"}
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def staff_with_phone(world):
    world.staff.phone = "13700003333"
    world.staff.save(update_fields=["phone"])
    return world.staff


def _reported(world, *, phone=PHONE, anonymous=False, text="2栋楼道堆满杂物，消防通道堵塞"):
    lead = lead_create(
        actor=PublicActor("qr"),
        channel=Channel.QR,
        text=text,
        estate=world.estate,
        complainant_name="" if anonymous else "李女士",
        complainant_phone=phone,
        anonymous=anonymous,
    ).lead
    return lead


def _sms_to(outbox, phone):
    return [text for p, text in outbox if p == phone]


def test_the_complainant_hears_of_each_step_with_the_tracking_link(
    world, outbox, django_capture_on_commit_callbacks
):
    lead = _reported(world)
    anonymous = _reported(world, phone="13900004444", anonymous=True, text="2栋楼道杂物")
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_create_from_lead(actor=world.tf, lead=lead, category="1.1")
        services.lead_merge_into_case(actor=world.tf, lead=anonymous, case=case)
        services.case_verify(actor=world.tf, case=case)
        services.case_start_rectification(
            actor=world.tf, case=case, target="清理", measures="清运杂物", responsible="王经理"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.case_submit(actor=world.staff, case=case, progress="已清运", attachments=[png()])
    with django_capture_on_commit_callbacks(execute=True):
        services.case_return(actor=world.tf, case=case, reason="仍有杂物")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_submit(actor=world.staff, case=case, progress="已全部清运", attachments=[png()])
        services.case_accept(actor=world.tf, case=case, note="现场核验已清理")
    texts = _sms_to(outbox, PHONE)
    assert len(texts) == 5  # verified, rectified, returned, rectified again, accepted
    assert "经核实已立案" in texts[0] and "验收并销号" in texts[-1]
    assert all(t.endswith(f"/track/{lead.tracking_code}/") for t in texts)
    assert _sms_to(outbox, "13900004444") == []  # anonymous: no message


def test_the_company_hears_of_a_new_case_a_return_and_an_overdue_deadline(
    world, staff_with_phone, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = world.rectifying()
    inbox = Notification.objects.filter(user=staff_with_phone, channel=NotifyChannel.INAPP)
    assert list(inbox.values_list("event", flat=True)) == ["company_case_new"]
    [new] = _sms_to(outbox, "13700003333")
    assert case.number in new and "签收" in new and "核查属实后 7 天内（一般事项）" in new
    assert not Notification.objects.filter(user=world.other_staff).exists()  # another company hears nothing
    with django_capture_on_commit_callbacks(execute=True):
        services.case_submit(actor=world.staff, case=case, progress="已清理", attachments=[png()])
        services.case_return(actor=world.tf, case=case, reason="楼道仍有垃圾")
    assert "楼道仍有垃圾" in _sms_to(outbox, "13700003333")[-1]
    Case.objects.filter(pk=case.pk).update(deadline=today() - dt.timedelta(days=1))
    for _ in range(2):  # a second tick: nothing new
        with django_capture_on_commit_callbacks(execute=True):
            call_command("tick", "--only", "mark_overdue", stdout=io.StringIO())
    assert list(inbox.order_by("pk").values_list("event", flat=True)) == [
        "company_case_new",
        "company_returned",
        "company_overdue",
    ]


def test_the_company_is_reminded_3_days_before_the_deadline_once(world, staff_with_phone, outbox):
    case = world.rectifying()
    Case.objects.filter(pk=case.pk).update(deadline=today() + dt.timedelta(days=3))
    for _ in range(3):
        call_command("tick", "--only", "notify_due_soon", stdout=io.StringIO())
    reminders = Notification.objects.filter(event="company_deadline_soon")
    assert reminders.filter(channel=NotifyChannel.INAPP).count() == 1
    assert reminders.filter(channel=NotifyChannel.SMS).count() == 1
    # a deadline moved by an extension is a new event: one more reminder when it, too, comes near
    Case.objects.filter(pk=case.pk).update(deadline=today() + dt.timedelta(days=2))
    call_command("tick", "--only", "notify_due_soon", stdout=io.StringIO())
    assert reminders.filter(channel=NotifyChannel.INAPP).count() == 2


def test_a_retried_step_or_sending_job_never_sends_twice(world, outbox, django_capture_on_commit_callbacks):
    lead = _reported(world)
    case = services.case_create_from_lead(actor=world.tf, lead=lead, category="1.1")
    services.case_verify(actor=world.tf, case=case)
    plan = {"target": "清理", "measures": "清运", "responsible": "王经理"}
    with django_capture_on_commit_callbacks(execute=True):
        services.case_start_rectification(actor=world.tf, case=case, **plan)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_start_rectification(actor=world.tf, case=case, **plan)  # a repeated click
    for _ in range(2):  # the sending job, retried
        notifications_send_due()
    assert len(_sms_to(outbox, PHONE)) == 1
    row = Notification.objects.get(phone=PHONE)
    assert row.status == Status.SENT and row.attempts == 1


def test_a_staff_member_without_phone_gets_the_message_in_app_only(
    world, outbox, django_capture_on_commit_callbacks
):
    other = make_user(Role.COMPANY_STAFF, company_id=world.company.pk)
    with django_capture_on_commit_callbacks(execute=True):
        world.case()
    assert Notification.objects.filter(user=other, channel=NotifyChannel.INAPP).count() == 1
    assert not Notification.objects.filter(user=other, channel=NotifyChannel.SMS).exists()


def test_the_company_hears_when_a_closed_case_is_reopened_but_never_the_resident_s_words(
    world, staff_with_phone, outbox, django_capture_on_commit_callbacks
):
    lead = _reported(world)
    case = services.case_create_from_lead(actor=world.tf, lead=lead, category="1.1")
    services.case_verify(actor=world.tf, case=case)
    services.case_start_rectification(
        actor=world.tf, case=case, target="清理", measures="清运", responsible="王经理"
    )
    services.case_submit(actor=world.staff, case=case, progress="已清运", attachments=[png()])
    services.case_accept(actor=world.tf, case=case, note="现场核验已清理")
    outbox.clear()
    resident = PublicActor("track")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # a double tap reopens once and tells the company once
            services.case_reopen_not_fixed(
                actor=resident, case=case, lead_code=lead.tracking_code, comment="张三家门口又堆满了"
            )
    reopened = Notification.objects.filter(event="company_reopened", user=staff_with_phone)
    assert reopened.filter(channel=NotifyChannel.INAPP).count() == 1
    [sms] = _sms_to(outbox, "13700003333")
    case.refresh_from_db()
    assert "重新整改" in sms and case.number in sms and "群众回访反映问题没有解决" in sms
    assert (
        "张三" not in sms and lead.tracking_code not in sms
    )  # the resident's words and code stay with the bureau
    assert f"{case.deadline.month}月{case.deadline.day}日" in sms
