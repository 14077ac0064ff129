""" "问题没有解决" stays in one loop: the same case is reopened, the complainant keeps their code, the case page shows
every answer, and satisfaction is aggregated per company."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.audit.models import AuditEntry
from wuye.cases import services as cases
from wuye.cases.models import CaseEvent
from wuye.common.dates import today
from wuye.intake import services as intake_services
from wuye.intake.models import Lead, LeadFeedback
from wuye.intake.selectors import feedback_by_company
from wuye.intake.services import lead_create
from wuye.kernel.actors import PublicActor
from wuye.testing import login, make_company, make_estate, make_user

from .conftest import png_bytes

pytestmark = pytest.mark.django_db
TRACK = PublicActor("track")
WORDS = "垃圾又堆起来了，物业说没人手"


def _lead(estate, text="5栋门口垃圾堆了一周没人清理", phone="13912345678"):
    return lead_create(
        actor=PublicActor("phone"), channel="qr", text=text, estate=estate, complainant_phone=phone
    ).lead


def _accept(case, task_force, company_staff):
    if case.status == "received":
        case = cases.case_verify(actor=task_force, case=case)
    if case.status == "verifying":
        case = cases.case_start_rectification(
            actor=task_force,
            case=case,
            target="清理垃圾",
            measures="每日清运",
            responsible="项目经理",
            deadline=today() + dt.timedelta(days=7),
        )
    photo = SimpleUploadedFile("after.png", png_bytes(), content_type="image/png")
    cases.case_submit(actor=company_staff, case=case, progress="已清理完毕", attachments=[photo])
    cases.case_accept(actor=task_force, case=case, note="现场核实已清理")
    case.refresh_from_db()
    return case


@pytest.fixture
def closed(estate, task_force, company_staff):
    lead = _lead(estate)
    case = cases.case_create_from_lead(actor=task_force, lead=lead, category="1.1")
    return lead, _accept(case, task_force, company_staff)


def test_not_fixed_reopens_the_same_case_with_a_timeline_entry_and_an_audit(client, closed):
    lead, case = closed
    r = client.post(reverse("intake:track_not_fixed", args=[lead.tracking_code]), {"comment": WORDS})
    assert r.status_code == 302 and r["Location"] == reverse("intake:track_code", args=[lead.tracking_code])
    case.refresh_from_db()
    assert case.status == "rectifying" and case.deadline > today() and case.closed_at is None
    event = CaseEvent.objects.get(case=case, kind="reopen")
    assert event.from_status == "accepted" and event.public and "已重新办理" in event.public_text
    assert WORDS not in event.text and lead.tracking_code not in event.text  # the company reads the timeline
    audit = AuditEntry.objects.get(action="case.reopen")
    assert WORDS in audit.reason and lead.tracking_code in audit.reason
    assert AuditEntry.objects.filter(action="lead.not_fixed").count() == 1
    fb = LeadFeedback.objects.get(lead=lead)
    assert fb.not_fixed and fb.reopened and fb.comment == WORDS and fb.followup_lead is None
    page = client.get(reverse("intake:track_code", args=[lead.tracking_code])).content.decode()
    assert "已重新办理（整改中）" in page and lead.tracking_code in page and WORDS not in page
    assert Lead.objects.count() == 1


def test_the_case_page_shows_every_rating_and_not_fixed_report(client, closed, task_force, company_staff):
    lead, case = closed
    intake_services.feedback_rate(actor=TRACK, lead=lead, rating=2, comment="拖了很久")
    intake_services.feedback_not_fixed(actor=TRACK, lead=lead, comment=WORDS)
    with pytest.raises(Exception, match="办结后"):
        intake_services.feedback_rate(actor=TRACK, lead=lead, rating=5)  # open again: no rating now
    case.refresh_from_db()
    _accept(case, task_force, company_staff)
    page = client.get(reverse("intake:track_code", args=[lead.tracking_code])).content.decode()
    assert (
        "提交评价" in page and "问题没有解决，请重新处理" in page
    )  # closed again: both answers offered again
    intake_services.feedback_rate(actor=TRACK, lead=lead, rating=5, comment="这次解决了")
    with pytest.raises(Exception, match="已评价"):
        intake_services.feedback_rate(actor=TRACK, lead=lead, rating=4)
    assert list(LeadFeedback.objects.filter(lead=lead).values_list("rating", "not_fixed")) == [
        (2, False),
        (None, True),
        (5, False),
    ]
    login(client, task_force)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "群众回访（3 条）" in page and "2 分" in page and "5 分" in page
    assert WORDS in page and "拖了很久" in page and "反映问题没有解决（已重新办理）" in page
    login(client, company_staff)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "群众回访（3 条）" in page and "5 分" in page
    assert WORDS not in page and lead.tracking_code not in page  # the complainant's words: task force only


def test_an_unfounded_case_goes_back_to_verification(client, estate, task_force):
    lead = _lead(estate)
    case = cases.case_create_from_lead(actor=task_force, lead=lead, category="1.1")
    cases.case_verify(actor=task_force, case=case)
    cases.case_mark_unfounded(actor=task_force, case=case, reason="现场未见垃圾")
    client.post(reverse("intake:track_not_fixed", args=[lead.tracking_code]), {"comment": WORDS})
    case.refresh_from_db()
    assert case.status == "verifying"
    page = client.get(reverse("intake:track_code", args=[lead.tracking_code])).content.decode()
    assert "已重新办理（核查中）" in page


def test_two_complainants_of_one_case_reopen_it_once(client, closed, estate, task_force, company_staff):
    lead, case = closed
    other = _lead(estate, text="5栋门口的垃圾没人清", phone="13700002222")
    # the second complainant joined the case before it was accepted the first time: reopen, join, accept again
    cases.case_reopen(actor=task_force, case=case, reason="补充核查")
    cases.lead_merge_into_case(actor=task_force, lead=other, case=case)
    case.refresh_from_db()
    _accept(case, task_force, company_staff)
    first = client.post(reverse("intake:track_not_fixed", args=[lead.tracking_code]), {"comment": WORDS})
    assert first.status_code == 302
    # the second page was loaded while the case was closed: the case is already being handled again
    second = client.post(reverse("intake:track_not_fixed", args=[other.tracking_code]), {"comment": WORDS})
    assert second.status_code == 400 and "办理中" in second.content.decode()
    case.refresh_from_db()
    assert case.status == "rectifying"
    assert (
        CaseEvent.objects.filter(case=case, kind="reopen").count() == 2
    )  # the task force's and one resident's
    assert (
        "已重新办理" in client.get(reverse("intake:track_code", args=[other.tracking_code])).content.decode()
    )


def test_a_rejected_lead_still_opens_a_linked_follow_up(client, estate, task_force):
    lead = _lead(estate)
    intake_services.lead_reject(actor=task_force, lead=lead, reason="属于市政环卫管理范围")
    url = reverse("intake:track_not_fixed", args=[lead.tracking_code])
    client.post(url, {"comment": WORDS})
    client.post(url, {"comment": "重复点击"})
    follow = Lead.objects.exclude(pk=lead.pk).get()
    assert follow.status == "new" and WORDS in follow.text
    assert LeadFeedback.objects.get(lead=lead).followup_lead == follow


def test_not_fixed_is_refused_while_the_case_is_open(client, estate, task_force):
    lead = _lead(estate)
    cases.case_create_from_lead(actor=task_force, lead=lead, category="1.1")
    r = client.post(reverse("intake:track_not_fixed", args=[lead.tracking_code]), {"comment": WORDS})
    assert r.status_code == 400 and "办结后" in r.content.decode()
    assert LeadFeedback.objects.count() == 0


def test_satisfaction_per_company_for_the_task_force_and_the_company(
    client, closed, estate, company, task_force, company_staff
):
    lead, case = closed
    second = _lead(estate, text="3栋电梯按钮坏了", phone="13700003333")
    case2 = cases.case_create_from_lead(actor=task_force, lead=second, category="3.1")
    _accept(case2, task_force, company_staff)
    intake_services.feedback_rate(actor=TRACK, lead=lead, rating=5)
    intake_services.feedback_rate(actor=TRACK, lead=second, rating=2)
    intake_services.feedback_not_fixed(actor=TRACK, lead=second, comment=WORDS)
    other = make_company(name="另一家物业")
    other_estate = make_estate(company=other)
    third = _lead(other_estate, text="楼道灯坏了", phone="13700004444")
    case3 = cases.case_create_from_lead(actor=task_force, lead=third, category="1.1")
    _accept(case3, task_force, make_user(Role.COMPANY_STAFF, company_id=other.pk))
    intake_services.feedback_rate(actor=TRACK, lead=third, rating=4)

    rows = {r["id"]: r for r in feedback_by_company(task_force)}
    mine = rows[company.pk]
    assert (mine["n"], mine["avg"], mine["satisfied_pct"], mine["not_fixed"]) == (2, 2 + 1.5, 50.0, 1)
    assert rows[other.pk]["n"] == 1 and rows[other.pk]["satisfied_pct"] == 100.0
    assert [r["id"] for r in feedback_by_company(company_staff)] == [company.pk]

    login(client, task_force)
    page = client.get(reverse("intake:questionnaire_results")).content.decode()
    assert "群众回访满意度（按物业企业）" in page and "另一家物业" in page and "50.0%" in page
    login(client, company_staff)
    home = client.get("/").content.decode()
    assert "群众回访满意度" in home and "3.50" in home and "50.0%" in home
    assert client.get(reverse("intake:questionnaire_results")).status_code == 403
