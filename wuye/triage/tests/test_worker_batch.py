"""LEAD_HOOKS="worker": `manage.py lead_worker` classifies a batch of leads in one model call."""

import io

import pytest
from django.core.management import call_command

from wuye.audit.models import AuditEntry
from wuye.intake import hooks
from wuye.intake.models import Lead, LeadStatus
from wuye.intake.services import qr_submit
from wuye.kernel.actors import PublicActor
from wuye.testing import make_company, make_estate
from wuye.triage import services
from wuye.triage.models import Suggestion

pytestmark = pytest.mark.django_db

URGENT_TEXT = "3栋电梯困人了，里面有老人，打物业电话没人接，快来救人！"
TEXTS = [
    URGENT_TEXT,
    "小区公共收益的账目从来不公示，电梯广告费和停车费收了多少业主都不知道。",
    "楼道灯坏了两个月没人修",
    "物业把会所租出去开麻将馆",
    "消防通道被杂物堵死了",
]


@pytest.fixture
def estate():
    return make_estate(company=make_company(), name="阳光花园")


@pytest.fixture
def worker_mode(settings):
    settings.WUYE = {**settings.WUYE, "LEAD_HOOKS": "worker"}


def _submit(estate, texts):
    return [
        qr_submit(actor=PublicActor("qr"), estate=estate, text=t, idem_key=f"batch-{i:04d}-0000").lead
        for i, t in enumerate(texts)
    ]


def _run_once():
    out = io.StringIO()
    call_command("lead_worker", "--once", stdout=out)
    return out.getvalue()


@pytest.fixture
def spy(model, monkeypatch):
    """Counts the model calls: the worker must use one batch call, not one call per lead."""
    calls = {"batch": 0, "single": 0}
    batch, single = model.predict_batch, model.predict

    def predict_batch(texts, **kw):
        calls["batch"] += 1
        return batch(texts, **kw)

    def predict(text, **kw):
        calls["single"] += 1
        return single(text, **kw)

    monkeypatch.setattr(model, "predict_batch", predict_batch)
    monkeypatch.setattr(model, "predict", predict)
    return calls


def test_the_worker_classifies_a_batch_in_one_model_call_with_the_same_results(
    estate, model, spy, worker_mode
):
    leads = _submit(estate, TEXTS)
    assert not Suggestion.objects.exists()  # nothing in the requests
    assert "已处理 5 条线索" in _run_once()
    assert spy == {"batch": 1, "single": 0}
    for lead in leads:
        s = Suggestion.objects.get(lead=lead)
        expected = model.predict(lead.text)
        assert (s.category, s.urgent, s.urgent_probability, s.terms) == (
            expected.category,
            expected.urgent,
            expected.urgent_probability,
            expected.terms,
        )
        assert [tuple(x) for x in s.top3] == expected.top3
    urgent = Lead.objects.get(pk=leads[0].pk)
    assert urgent.urgent
    assert AuditEntry.objects.filter(action="lead.triage_urgent", object_id=str(urgent.pk)).count() == 1


def test_a_batch_skips_leads_already_suggested_or_no_longer_new(estate, model, worker_mode):
    leads = _submit(estate, TEXTS[:3])
    services.suggestion_create(actor=services.TRIAGE, lead_id=leads[0].pk)
    Lead.objects.filter(pk=leads[1].pk).update(status=LeadStatus.REJECTED)
    assert services.suggestions_create_many(actor=services.TRIAGE, lead_ids=[lead.pk for lead in leads]) == 1
    assert Suggestion.objects.filter(lead=leads[0]).count() == 1
    assert not Suggestion.objects.filter(lead=leads[1]).exists()
    assert Suggestion.objects.filter(lead=leads[2]).exists()
    assert (
        services.suggestions_create_many(actor=services.TRIAGE, lead_ids=[lead.pk for lead in leads]) == 0
    )  # a rerun adds nothing


def test_when_the_batch_fails_one_failing_lead_loses_only_its_own_suggestion(
    estate, model, worker_mode, monkeypatch
):
    leads = _submit(estate, TEXTS[:3])
    store = services._store_suggestion

    def store_or_fail(lead_id, prediction, actor):
        if lead_id == leads[1].pk:
            raise RuntimeError("disk full")
        return store(lead_id, prediction, actor)

    def bulk_fails(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_store_suggestion", store_or_fail)
    monkeypatch.setattr(Suggestion.objects, "bulk_create", bulk_fails)
    assert "已处理 3 条线索" in _run_once()
    assert set(Suggestion.objects.values_list("lead_id", flat=True)) == {leads[0].pk, leads[2].pk}


def test_a_failing_batch_version_falls_back_to_one_lead_at_a_time(estate, model, worker_mode, monkeypatch):
    leads = _submit(estate, TEXTS[:3])

    def broken_many(lead_ids):
        Suggestion.objects.create(
            lead_id=lead_ids[0],
            model_version="half",
            category="1.1",
            top3=[],
            urgent=False,
            urgent_probability=0,
            terms=[],
            created_at=leads[0].created_at,
        )
        raise RuntimeError("model crashed mid-batch")

    monkeypatch.setitem(hooks._batch_versions, services.on_lead_created, broken_many)
    assert "已处理 3 条线索" in _run_once()
    # the half-written batch rolled back; each lead then got its suggestion from the single-lead callback
    assert not Suggestion.objects.filter(model_version="half").exists()
    assert Suggestion.objects.filter(lead__in=leads, model_version=model.version).count() == 3


def test_without_a_model_the_batch_keeps_the_leads_and_makes_no_suggestion(estate, no_model, worker_mode):
    leads = _submit(estate, TEXTS[:2])
    assert "已处理 2 条线索" in _run_once()
    assert not Suggestion.objects.exists()
    assert Lead.objects.filter(pk__in=[lead.pk for lead in leads], status=LeadStatus.NEW).count() == 2


def test_the_batch_audit_entries_chain_like_single_ones(estate, model, worker_mode):
    """Urgent marks written in one batch still form one unbroken hash chain with the entries around them."""
    _submit(estate, [URGENT_TEXT, "5栋电梯困人了，快来救人！", "2栋楼道着火了，浓烟很大"])
    assert "已处理 3 条线索" in _run_once()
    assert AuditEntry.objects.filter(action="lead.triage_urgent").count() == 3
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "审计链完整" in out.getvalue()
