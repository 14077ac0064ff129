import pytest
from django.db import connection
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.audit.models import AuditEntry
from wuye.cases.models import Case
from wuye.intake.models import Lead, LeadStatus
from wuye.testing import login, make_company, make_estate, make_user, run_concurrently
from wuye.triage.models import Correction, Decision, Suggestion
from wuye.triage.selectors import home_panel
from wuye.triage.services import TRIAGE, suggestion_create

from .factories import make_case, make_lead

pytestmark = pytest.mark.django_db

URGENT_TEXT = "3栋电梯困人了，里面有老人，打物业电话没人接，快来救人！"
PLAIN_TEXT = "小区公共收益的账目从来不公示，电梯广告费和停车费收了多少业主都不知道。"


@pytest.fixture
def estate():
    return make_estate(company=make_company(), name="阳光花园")


@pytest.fixture
def staff():
    return make_user(Role.TASK_FORCE)


def _new_lead(estate, text, created_at=None):
    lead = make_lead(estate=estate, text=text, created_at=created_at)
    suggestion_create(actor=TRIAGE, lead_id=lead.pk)
    lead.refresh_from_db()
    return lead


def _approve_pending_corrections():
    from wuye.triage.models import Review
    from wuye.triage.services import correction_review

    head = make_user(Role.BUREAU_ADMIN)
    for c in Correction.objects.filter(review=Review.PENDING):
        correction_review(actor=head, correction_id=c.pk, approve=True)


def _decide(client, lead, **data):
    return client.post(reverse("triage:decide", args=[lead.pk]), data, follow=True)


def test_hook_stores_a_suggestion_and_flags_urgent_leads_at_intake(
    model, estate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lead = make_lead(estate=estate, text=URGENT_TEXT, channel="qr")
    lead.refresh_from_db()
    s = lead.suggestion
    assert s.model_version == model.version and s.category == s.top3[0][0] and s.terms
    assert lead.urgent and s.urgent and s.urgent_reason
    assert AuditEntry.objects.filter(action="lead.triage_urgent", object_id=str(lead.pk)).exists()
    assert suggestion_create(actor=TRIAGE, lead_id=lead.pk) is None  # a second run adds nothing
    assert Suggestion.objects.filter(lead=lead).count() == 1


def test_without_a_model_the_lead_is_kept_and_has_no_suggestion(
    no_model, estate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lead = make_lead(estate=estate, text=URGENT_TEXT)
    assert Lead.objects.filter(pk=lead.pk, status=LeadStatus.NEW).exists()
    assert not Suggestion.objects.filter(lead=lead).exists()


def test_queue_lists_urgent_first_with_suggestion_terms_and_duplicates(client, model, estate, staff):
    plain = _new_lead(estate, PLAIN_TEXT)
    urgent = _new_lead(estate, URGENT_TEXT)
    dup = make_case(estate=estate, text="公共收益账目不公示，电梯广告费停车费收入不公开", category="2.3")
    login(client, staff)
    resp = client.get(reverse("triage:queue"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert html.index(urgent.tracking_code) < html.index(plain.tracking_code)
    assert "紧急原因" in html and "判断依据" in html
    assert dup.number in html and "并入此事项" in html
    assert "建议类别准确率" not in html  # the accuracy figure is for the bureau admin


@pytest.mark.parametrize("role", [Role.COMPANY_STAFF, Role.COMMITTEE_MEMBER, Role.CITY_VIEWER])
def test_other_roles_cannot_open_or_post_to_the_queue(client, model, estate, role):
    extra = (
        {"company_id": make_company().pk}
        if role == Role.COMPANY_STAFF
        else ({"estate_id": estate.pk} if role == Role.COMMITTEE_MEMBER else {})
    )
    lead = _new_lead(estate, PLAIN_TEXT)
    login(client, make_user(role, **extra))
    assert client.get(reverse("triage:queue")).status_code == 403
    assert client.post(reverse("triage:decide", args=[lead.pk]), {"action": "accept"}).status_code == 403
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


def test_anonymous_is_sent_to_login(client):
    resp = client.get(reverse("triage:queue"))
    assert resp.status_code == 302 and "login" in resp["Location"]


def test_accept_opens_a_case_in_the_suggested_category(client, model, estate, staff):
    lead = _new_lead(estate, PLAIN_TEXT)
    login(client, staff)
    resp = _decide(client, lead, action="accept")
    assert "已按建议立案" in resp.content.decode()
    lead.refresh_from_db()
    s = Suggestion.objects.get(lead=lead)
    assert lead.status == LeadStatus.CASED and lead.case.category == s.category
    assert s.decision == Decision.ACCEPTED and s.final_category == s.category and s.decided_by == staff
    assert not Correction.objects.exists()


def test_correct_stores_a_correction_and_opens_the_case_in_the_chosen_category(client, model, estate, staff):
    lead = _new_lead(estate, PLAIN_TEXT)
    s = Suggestion.objects.get(lead=lead)
    chosen = "7" if s.category != "7" else "1.1"
    login(client, staff)
    _decide(client, lead, action="correct", category=chosen)
    lead.refresh_from_db()
    assert lead.case.category == chosen
    c = Correction.objects.get(lead=lead)
    assert (c.suggested_category, c.category, c.text, c.actor) == (s.category, chosen, lead.text, staff)
    s.refresh_from_db()
    assert s.decision == Decision.CORRECTED and s.was_right is False


def test_bad_category_is_refused_in_chinese_and_nothing_changes(client, model, estate, staff):
    lead = _new_lead(estate, PLAIN_TEXT)
    login(client, staff)
    resp = _decide(client, lead, action="correct", category="9.9")
    assert "请选择正确的问题类别" in resp.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW and not Case.objects.exists() and not Correction.objects.exists()


def test_reject_needs_a_reason_and_counts_as_a_correction_to_none(client, model, estate, staff):
    lead = _new_lead(estate, "小区外面马路上的路灯坏了")
    s = Suggestion.objects.get(lead=lead)
    login(client, staff)
    resp = _decide(client, lead, action="reject", reason="  ")
    assert "不予立案理由" in resp.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW
    _decide(client, lead, action="reject", reason="属市政道路，不属于物业服务范围")
    lead.refresh_from_db()
    s.refresh_from_db()
    assert lead.status == LeadStatus.REJECTED and s.final_category == "NONE"
    assert Correction.objects.filter(lead=lead).exists() == (s.category != "NONE")


def test_transfer_names_the_department(client, model, estate, staff):
    lead = _new_lead(estate, "邻居家的狗天天半夜叫")
    login(client, staff)
    _decide(client, lead, action="transfer", department="县公安局", reason="噪音扰民属公安管辖")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.TRANSFERRED and lead.transfer_department == "县公安局"
    assert Suggestion.objects.get(lead=lead).decision == Decision.TRANSFERRED


def test_merge_joins_the_suggested_duplicate_case(client, model, estate, staff):
    case = make_case(estate=estate, text="公共收益账目不公示", category="2.3")
    lead = _new_lead(estate, PLAIN_TEXT)
    login(client, staff)
    resp = _decide(client, lead, action="merge", case=case.pk)
    assert case.number in resp.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.MERGED and lead.case == case
    assert Suggestion.objects.get(lead=lead).final_category == "2.3"


def test_staff_can_mark_and_unmark_urgent_and_the_model_learns_from_it(client, model, estate, staff):
    from wuye.triage.selectors import correction_examples

    lead = _new_lead(estate, PLAIN_TEXT)
    assert not Suggestion.objects.get(lead=lead).urgent
    login(client, staff)
    _decide(client, lead, action="urgent")
    lead.refresh_from_db()
    assert lead.urgent
    _approve_pending_corrections()  # issue 14: the office head approves corrections before training uses them
    assert [(e.text, e.urgency) for e in correction_examples()] == [(lead.text, "urgent")]
    _decide(client, lead, action="not_urgent")
    lead.refresh_from_db()
    assert not lead.urgent
    _approve_pending_corrections()
    assert [(e.text, e.urgency) for e in correction_examples()] == [(lead.text, "normal")]  # the latest wins


def test_a_lead_already_handled_cannot_be_handled_again(client, model, estate, staff):
    lead = _new_lead(estate, PLAIN_TEXT)
    login(client, staff)
    _decide(client, lead, action="accept")
    resp = _decide(client, lead, action="correct", category="7")
    assert "已被处理" in resp.content.decode()
    assert Case.objects.count() == 1 and not Correction.objects.exists()


def test_bureau_admin_sees_the_30_day_accuracy_of_suggestions(client, model, estate, staff):
    right, wrong = _new_lead(estate, PLAIN_TEXT), _new_lead(estate, PLAIN_TEXT + "！")
    login(client, staff)
    _decide(client, right, action="accept")
    wrong_cat = "7" if Suggestion.objects.get(lead=wrong).category != "7" else "1.1"
    _decide(client, wrong, action="correct", category=wrong_cat)
    admin = make_user(Role.BUREAU_ADMIN)
    login(client, admin)
    html = client.get(reverse("triage:queue")).content.decode()
    assert "近30天建议类别准确率" in html and "采纳 1 / 已处理 2" in html
    panel = home_panel(admin)
    assert any("准确率" in label and "50.0%" in str(value) for label, value, _ in panel["items"])
    assert all("准确率" not in label for label, _, _ in home_panel(staff)["items"])
    assert home_panel(make_user(Role.CITY_VIEWER)) is None


@pytest.mark.django_db(transaction=True)
def test_two_staff_accepting_the_same_lead_at_once_open_one_case(model):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) are only meaningful on PostgreSQL")
    from wuye.common.errors import DomainError
    from wuye.triage.services import triage_accept

    estate = make_estate(company=make_company())
    lead = _new_lead(estate, PLAIN_TEXT)
    users = [make_user(Role.TASK_FORCE), make_user(Role.TASK_FORCE)]
    results = run_concurrently(*[lambda u=u: triage_accept(actor=u, lead=lead) for u in users])
    outcomes = [
        "refused" if isinstance(r, DomainError) else repr(r) if isinstance(r, Exception) else "ok"
        for r in results
    ]
    assert sorted(outcomes) == ["ok", "refused"]
    assert Case.objects.filter(leads=lead).count() == 1


def test_api_suggests_category_urgency_and_duplicates_for_staff(client, model, estate, staff):
    case = make_case(estate=estate, text="3栋电梯困人，物业半小时才来", category="3.1")
    login(client, staff)
    resp = client.post(
        "/api/v1/triage/suggest/",
        {"text": URGENT_TEXT, "estate": estate.code},
        content_type="application/json",
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["urgent"] is True and len(body["top3"]) == 3 and body["terms"]
    assert [d["number"] for d in body["duplicates"]] == [case.number]
    bad = client.post("/api/v1/triage/suggest/", {"text": ""}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["detail"] == "请填写反映内容"


def test_api_refuses_roles_outside_the_bureau(client, model, estate):
    login(client, make_user(Role.COMMITTEE_MEMBER, estate_id=estate.pk))
    resp = client.post("/api/v1/triage/suggest/", {"text": URGENT_TEXT}, content_type="application/json")
    assert resp.status_code == 403


def test_queue_page_runs_a_constant_number_of_queries(client, model, staff):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    login(client, staff)
    estates = [make_estate(company=make_company()) for _ in range(3)]
    for e in estates:
        make_case(estate=e, text="电梯经常停运没人修", category="3.1")
    _new_lead(estates[0], PLAIN_TEXT)
    client.get(reverse("triage:queue"))  # warm caches (session, content types)
    with CaptureQueriesContext(conn) as few:
        assert client.get(reverse("triage:queue")).status_code == 200
    for e in estates:
        _new_lead(e, URGENT_TEXT)
        _new_lead(e, "电梯又坏了停运好几天")
    with CaptureQueriesContext(conn) as many:
        assert client.get(reverse("triage:queue")).status_code == 200
    assert len(many) == len(few)


def test_merge_into_a_case_closed_meanwhile_is_refused_in_chinese(client, model, estate, staff):
    from wuye.cases.models import CaseStatus

    case = make_case(estate=estate, text="公共收益账目不公示", category="2.3")
    lead = _new_lead(estate, PLAIN_TEXT)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.UNFOUNDED)  # closed after the queue was rendered
    login(client, staff)
    resp = _decide(client, lead, action="merge", case=case.pk)
    assert resp.status_code == 200 and "不能再并入线索" in resp.content.decode()
    resp = _decide(client, lead, action="merge", case=case.pk + 999)
    assert resp.status_code == 200 and "要并入的事项不存在" in resp.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW and lead.case is None
    assert Suggestion.objects.get(lead=lead).decision == Decision.PENDING


def test_merge_service_itself_refuses_a_closed_case(model, estate, staff):
    from wuye.cases.models import CaseStatus
    from wuye.common.errors import InvalidTransition
    from wuye.triage.services import triage_merge

    case = make_case(estate=estate, text="公共收益账目不公示", category="2.3")
    lead = _new_lead(estate, PLAIN_TEXT)
    stale = Case.objects.get(pk=case.pk)  # the object the caller holds, still "open"
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.UNFOUNDED)
    with pytest.raises(InvalidTransition):
        triage_merge(actor=staff, lead=lead, case=stale)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW and lead.case is None
