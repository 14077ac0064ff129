import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.credit.models import CreditEvent, CreditObjection, EventStatus, ObjectionStatus
from wuye.credit.scoring import explain
from wuye.credit.services import credit_objection_decide, credit_objection_raise
from wuye.testing import login


@pytest.fixture
def event(world):
    world.penalty()
    world.collect()
    return CreditEvent.objects.get()


def test_an_annulled_objection_removes_the_event_from_the_score_and_keeps_it_in_the_history(world, event):
    from wuye.notify.models import Notification

    told = Notification.objects.get(
        key=f"credit.event:{event.pk}:recorded:{world.staff.pk}", user=world.staff
    )
    assert "如有异议" in told.text and not Notification.objects.filter(user=world.other_staff).exists()
    objection = credit_objection_raise(actor=world.staff, event=event, reasons="处罚决定已被复议机关撤销")
    page = Client().get(reverse("credit:company_public", args=[world.company.credit_code])).content.decode()
    assert "有异议，复核中" in page
    assert explain(world.company).score == 70  # disputed, still counting until decided
    credit_objection_decide(
        actor=world.tf, objection=objection, outcome="annulled", reason="复议决定撤销原处罚"
    )
    event.refresh_from_db()
    objection.refresh_from_db()
    assert event.status == EventStatus.ANNULLED and objection.status == ObjectionStatus.ANNULLED
    assert objection.points_before == -10
    note = Notification.objects.get(key=f"credit.objection:{objection.pk}:decided", user=world.staff)
    assert "撤销记录" in note.text
    assert explain(world.company).score == 80
    dossier = login(Client(), world.tf).get(reverse("credit:dossier", args=[world.company.credit_code]))
    assert "复核撤销" in dossier.content.decode() and "复议决定撤销原处罚" in dossier.content.decode()
    page = Client().get(reverse("credit:company_public", args=[world.company.credit_code])).content.decode()
    assert "有异议，复核中" not in page
    assert "行政处罚" not in Client().get(reverse("credit:exposure")).content.decode().split("<tbody>")[1]


def test_an_amended_objection_changes_the_points_and_an_upheld_one_changes_nothing(world, event):
    first = credit_objection_raise(actor=world.staff, event=event, reasons="罚款已缴纳，整改完毕")
    with pytest.raises(InvalidTransition):
        credit_objection_raise(actor=world.staff, event=event, reasons="再次提出")
    with pytest.raises(DomainError) as exc:
        credit_objection_decide(actor=world.tf, objection=first, outcome="amended", reason="酌情减分")
    assert exc.value.field == "points"
    credit_objection_decide(actor=world.tf, objection=first, outcome="amended", reason="酌情减分", points=-4)
    assert explain(world.company).score == 76
    second = credit_objection_raise(actor=world.staff, event=event, reasons="仍有异议")
    credit_objection_decide(actor=world.tf, objection=second, outcome="upheld", reason="维持变更后的分值")
    event.refresh_from_db()
    assert event.status == EventStatus.AMENDED and event.points_override == -4
    assert explain(world.company).score == 76
    assert list(CreditObjection.objects.order_by("pk").values_list("status", flat=True)) == [
        "amended",
        "upheld",
    ]


def test_only_the_company_objects_and_only_within_the_window(world, event):
    with pytest.raises(NotAllowed):
        credit_objection_raise(actor=world.other_staff, event=event, reasons="不是我们")
    with pytest.raises(NotAllowed):
        credit_objection_raise(actor=world.tf, event=event, reasons="专班不能提异议")
    CreditEvent.objects.filter(pk=event.pk).update(created_at=event.created_at - dt.timedelta(days=16))
    with pytest.raises(DomainError) as exc:
        credit_objection_raise(actor=world.staff, event=event, reasons="过期了")
    assert exc.value.field == "reasons" and "异议期限" in exc.value.message
    assert not CreditObjection.objects.exists()


def test_company_objects_through_the_page_and_the_task_force_decides_through_the_page(world, event):
    company = login(Client(), world.staff)
    url = reverse("credit:objection_new", args=[event.pk])
    resp = company.post(url, {"reasons": ""})
    assert resp.status_code == 200 and "异议理由" in resp.content.decode()
    assert not CreditObjection.objects.exists()
    pdf = SimpleUploadedFile("proof.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    resp = company.post(url, {"reasons": "已整改完毕", "evidence": pdf})
    assert resp.status_code == 302
    objection = CreditObjection.objects.get()
    assert login(Client(), world.other_staff).get(url).status_code == 404
    evidence = reverse("credit:objection_evidence", args=[objection.pk])
    assert b"".join(login(Client(), world.tf).get(evidence).streaming_content).startswith(b"%PDF")
    assert company.get(evidence).status_code == 200
    assert login(Client(), world.other_staff).get(evidence).status_code == 404
    assert (
        login(Client(), world.staff).get(reverse("credit:objection_decide", args=[objection.pk])).status_code
        == 403
    )
    tf = login(Client(), world.tf)
    resp = tf.post(
        reverse("credit:objection_decide", args=[objection.pk]), {"outcome": "upheld", "reason": ""}
    )
    assert "复核理由" in resp.content.decode()
    resp = tf.post(
        reverse("credit:objection_decide", args=[objection.pk]), {"outcome": "upheld", "reason": "事实清楚"}
    )
    assert resp.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD and objection.decided_at is not None
