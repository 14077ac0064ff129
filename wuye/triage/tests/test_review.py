"""Issue 14: corrections reviewed by the office head before training uses them; the queue's confidence display,
transfer suggestion and accuracy by class."""

import pytest
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.audit.models import AuditEntry
from wuye.testing import login, make_company, make_estate, make_user, run_concurrently
from wuye.triage import ml
from wuye.triage.departments import suggest_department
from wuye.triage.models import Correction, Review, Suggestion
from wuye.triage.selectors import accuracy_by_class, correction_examples
from wuye.triage.services import TRIAGE, correction_review, suggestion_create

from .factories import make_lead

pytestmark = pytest.mark.django_db

TEXT = "小区公共收益的账目从来不公示，电梯广告费和停车费收了多少业主都不知道。"


@pytest.fixture
def estate():
    return make_estate(company=make_company(), name="荷花苑")


@pytest.fixture
def staff():
    return make_user(Role.TASK_FORCE)


@pytest.fixture
def head():
    return make_user(Role.BUREAU_ADMIN)


def _corrected_lead(client, estate, staff, category="7"):
    lead = make_lead(estate=estate, text=TEXT)
    suggestion_create(actor=TRIAGE, lead_id=lead.pk)
    login(client, staff)
    client.post(reverse("triage:decide", args=[lead.pk]), {"action": "correct", "category": category})
    return Correction.objects.get(lead=lead)


def test_a_correction_waits_for_the_office_head_before_training_uses_it(client, model, estate, staff, head):
    correction = _corrected_lead(client, estate, staff)
    assert correction.review == Review.PENDING
    assert correction_examples() == []
    login(client, head)
    page = client.get(reverse("triage:corrections")).content.decode()
    assert TEXT[:10] in page and "采用（用于训练）" in page
    resp = client.post(
        reverse("triage:correction_review", args=[correction.pk]), {"action": "approve"}, follow=True
    )
    assert "已采用该更正" in resp.content.decode()
    correction.refresh_from_db()
    assert correction.review == Review.APPROVED and correction.reviewed_by == head
    assert [(e.text, e.category) for e in correction_examples()] == [(TEXT, "7")]
    entry = AuditEntry.objects.filter(action="triage.correction_approved").get()
    assert entry.after["category"] == "7"


def test_a_rejected_correction_needs_a_reason_and_is_never_used(client, model, estate, staff, head):
    correction = _corrected_lead(client, estate, staff)
    login(client, head)
    resp = client.post(
        reverse("triage:correction_review", args=[correction.pk]), {"action": "reject"}, follow=True
    )
    assert "不采用时请填写理由" in resp.content.decode()
    correction.refresh_from_db()
    assert correction.review == Review.PENDING  # nothing half-written
    client.post(
        reverse("triage:correction_review", args=[correction.pk]),
        {"action": "reject", "note": "原建议是对的"},
    )
    correction.refresh_from_db()
    assert correction.review == Review.REJECTED and correction.review_note == "原建议是对的"
    assert correction_examples() == []
    assert AuditEntry.objects.filter(action="triage.correction_rejected").count() == 1


def test_only_the_office_head_reviews_corrections(client, model, estate, staff):
    correction = _corrected_lead(client, estate, staff)
    assert client.get(reverse("triage:corrections")).status_code == 403
    resp = client.post(reverse("triage:correction_review", args=[correction.pk]), {"action": "approve"})
    assert resp.status_code == 403
    correction.refresh_from_db()
    assert correction.review == Review.PENDING
    with pytest.raises(Exception, match="只有专班办公室负责人"):
        correction_review(actor=staff, correction_id=correction.pk, approve=True)


def test_a_correction_is_reviewed_once(client, model, estate, staff, head):
    correction = _corrected_lead(client, estate, staff)
    correction_review(actor=head, correction_id=correction.pk, approve=True)
    login(client, head)
    resp = client.post(
        reverse("triage:correction_review", args=[correction.pk]),
        {"action": "reject", "note": "改主意"},
        follow=True,
    )
    assert "该更正已审核" in resp.content.decode()
    correction.refresh_from_db()
    assert correction.review == Review.APPROVED


@pytest.mark.django_db(transaction=True)
def test_two_heads_reviewing_the_same_correction_at_once_one_wins(client, model, estate, staff):
    correction = _corrected_lead(client, estate, staff)
    heads = [make_user(Role.BUREAU_ADMIN) for _ in range(2)]
    results = run_concurrently(
        lambda: correction_review(actor=heads[0], correction_id=correction.pk, approve=True),
        lambda: correction_review(actor=heads[1], correction_id=correction.pk, approve=False, note="不采用"),
    )
    assert sum(isinstance(r, Correction) for r in results) == 1
    assert AuditEntry.objects.filter(action__startswith="triage.correction_").count() == 1


def test_the_queue_shows_a_percentage_only_when_confident_and_otherwise_uncertain(
    client, model, estate, staff
):
    lead = make_lead(estate=estate, text=TEXT)
    suggestion_create(actor=TRIAGE, lead_id=lead.pk)
    s = Suggestion.objects.get(lead=lead)
    login(client, staff)
    s.top3 = [["2.3", 0.97], ["2.4", 0.02], ["2.1", 0.01]]
    s.save(update_fields=["top3"])
    page = client.get(reverse("triage:queue")).content.decode()
    assert "97%" in page and ml.UNCERTAIN not in page
    s.top3 = [["2.3", 0.41], ["2.4", 0.38], ["2.1", 0.21]]
    s.save(update_fields=["top3"])
    page = client.get(reverse("triage:queue")).content.decode()
    assert ml.UNCERTAIN in page and "41%" not in page


def test_a_none_suggestion_proposes_a_department_to_transfer_to(client, model, estate, staff):
    text = "楼上邻居半夜吵闹，报警了派出所民警来了也没用"
    assert suggest_department(text) == "县公安局（辖区派出所）"
    assert (
        suggest_department("房产证拖了五年办不下来，不动产登记中心说资料不全") == "县自然资源局（不动产登记）"
    )
    assert suggest_department("物业不修电梯") == ""
    lead = make_lead(estate=estate, text=text)
    suggestion_create(actor=TRIAGE, lead_id=lead.pk)
    Suggestion.objects.filter(lead=lead).update(category="NONE", top3=[["NONE", 0.9]])
    login(client, staff)
    page = client.get(reverse("triage:queue")).content.decode()
    assert "建议转办：</strong>县公安局（辖区派出所）" in page
    assert 'value="县公安局（辖区派出所）"' in page  # the transfer form is prefilled


def test_the_queue_shows_last_30_days_accuracy_by_class_to_the_office_head(
    client, model, estate, staff, head
):
    _corrected_lead(client, estate, staff, category="7")  # suggested (whatever) → corrected: not kept
    lead = make_lead(estate=estate, text="电梯又坏了，困了人")
    suggestion_create(actor=TRIAGE, lead_id=lead.pk)
    suggested = Suggestion.objects.get(lead=lead).category
    client.post(reverse("triage:decide", args=[lead.pk]), {"action": "correct", "category": suggested})
    rows = {r["code"]: r for r in accuracy_by_class()}
    assert rows[suggested]["right"] >= 1
    assert sum(r["n"] for r in rows.values()) == 2
    login(client, head)
    page = client.get(reverse("triage:queue")).content.decode()
    assert "各类建议的准确率" in page and "待审核的分拣更正" in page
    login(client, staff)
    assert "各类建议的准确率" not in client.get(reverse("triage:queue")).content.decode()


def test_the_api_returns_the_calibrated_confidence_and_the_transfer_department(client, model, staff):
    login(client, staff)
    resp = client.post(
        "/api/v1/triage/suggest/",
        {"text": "楼上邻居半夜吵闹，报警了派出所也不管"},
        content_type="application/json",
    )
    body = resp.json()
    assert resp.status_code == 200
    top = body["top3"][0]["probability"]
    expected = f"{round(top * 100)}%" if top >= model.confident_threshold else ml.UNCERTAIN
    assert body["confidence"] == expected and body["confident"] == (expected != ml.UNCERTAIN)
    assert body["department"] == ("县公安局（辖区派出所）" if body["category"] == "NONE" else "")
