import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wuye.audit.models import AuditEntry
from wuye.cases import services as cases
from wuye.intake import services as intake_services
from wuye.intake.models import Lead, LeadFeedback
from wuye.intake.services import lead_create
from wuye.kernel.actors import PublicActor

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(estate):
    return lead_create(
        actor=PublicActor("phone"),
        channel="qr",
        text="5栋门口垃圾堆了一周没人清理",
        estate=estate,
        complainant_name="王秀英",
        complainant_phone="13912345678",
    ).lead


def _close(case, actor, staff):
    cases.case_verify(actor=actor, case=case, note="专班内部：物业经理王某某电话 13700001111")
    cases.case_start_rectification(
        actor=actor,
        case=case,
        target="清理垃圾",
        measures="每日清运",
        responsible="项目经理",
        deadline=dt.date.today() + dt.timedelta(days=7),
    )
    photo = SimpleUploadedFile("after.png", png_bytes(), content_type="image/png")
    cases.case_submit(actor=staff, case=case, progress="已清理完毕", attachments=[photo])
    cases.case_accept(actor=actor, case=case, note="现场核实已清理")
    case.refresh_from_db()
    return case


def test_track_form_finds_code_case_insensitively(client, lead):
    r = client.get(reverse("intake:track"), {"code": lead.tracking_code.lower()})
    assert r.status_code == 302 and r["Location"] == reverse("intake:track_code", args=[lead.tracking_code])
    page = client.get(r["Location"]).content.decode()
    assert "已收到，等待专班分拣" in page


def test_unknown_code_is_explained(client, db):
    r = client.get(reverse("intake:track"), {"code": "ZZZZZZZZZZ"})
    assert r.status_code == 404 and "没有找到这个查询码" in r.content.decode()


def test_tracking_page_never_shows_contact_or_internal_notes(client, lead, task_force, company_staff):
    case = cases.case_create_from_lead(actor=task_force, lead=lead, category="1.1")
    _close(case, task_force, company_staff)
    html = client.get(reverse("intake:track_code", args=[lead.tracking_code])).content.decode()
    assert "已销号" in html and case.number in html
    for secret in ("王秀英", "13912345678", "139****5678", "13700001111", "专班内部"):
        assert secret not in html


def test_rating_only_after_closure_then_once(client, lead, task_force, company_staff):
    url = reverse("intake:track_rate", args=[lead.tracking_code])
    r = client.post(url, {"rating": "5"})
    assert r.status_code == 400 and "办结后才能评价" in r.content.decode()
    assert LeadFeedback.objects.count() == 0
    case = cases.case_create_from_lead(actor=task_force, lead=lead, category="1.1")
    _close(case, task_force, company_staff)
    assert client.post(url, {"rating": "4", "comment": "处理及时"}).status_code == 302
    fb = LeadFeedback.objects.get(lead=lead)
    assert fb.rating == 4 and fb.comment == "处理及时"
    assert AuditEntry.objects.filter(action="lead.feedback_rate").count() == 1
    again = client.post(url, {"rating": "1"})
    assert again.status_code == 400 and "已评价" in again.content.decode()
    fb.refresh_from_db()
    assert fb.rating == 4


def test_rating_out_of_range_is_refused(client, lead, task_force, company_staff):
    case = cases.case_create_from_lead(actor=task_force, lead=lead, category="1.1")
    _close(case, task_force, company_staff)
    r = client.post(reverse("intake:track_rate", args=[lead.tracking_code]), {"rating": "9"})
    assert r.status_code == 400 and "满意度" in r.content.decode()
    assert LeadFeedback.objects.count() == 0


def test_not_fixed_reopens_the_same_case_and_keeps_the_tracking_code(client, lead, task_force, company_staff):
    case = cases.case_create_from_lead(actor=task_force, lead=lead, category="1.1")
    case = _close(case, task_force, company_staff)
    url = reverse("intake:track_not_fixed", args=[lead.tracking_code])
    assert client.post(url, {"comment": "垃圾又堆起来了"}).status_code == 302
    client.post(url, {"comment": "重复点击"})
    assert Lead.objects.count() == 1  # no new lead, no new code
    assert LeadFeedback.objects.filter(lead=lead, not_fixed=True).count() == 1
    case.refresh_from_db()
    assert case.status == "rectifying"  # the same case, reopened
    page = client.get(reverse("intake:track_code", args=[lead.tracking_code])).content.decode()
    assert "已重新办理" in page


def test_not_fixed_is_refused_while_open(client, lead):
    r = client.post(reverse("intake:track_not_fixed", args=[lead.tracking_code]), {})
    assert r.status_code == 400 and Lead.objects.count() == 1


def test_rejected_lead_shows_reason_and_can_be_rated(client, lead, task_force):
    intake_services.lead_reject(actor=task_force, lead=lead, reason="属于市政环卫管理范围")
    html = client.get(reverse("intake:track_code", args=[lead.tracking_code])).content.decode()
    assert "不属于本次整治范围" in html and "属于市政环卫管理范围" in html and "回访评价" in html


def test_phone_typed_into_the_text_is_masked_on_the_tracking_page(client, estate):
    lead = lead_create(
        actor=PublicActor("phone"),
        channel="qr",
        text="我是王秀英，电话13912345678，楼道灯坏了",
        estate=estate,
        complainant_name="王秀英",
    ).lead
    html = client.get(reverse("intake:track_code", args=[lead.tracking_code])).content.decode()
    assert "楼道灯坏了" in html and "139****5678" in html
    assert "13912345678" not in html and "王秀英" not in html
