"""`suggestions_create_many`: a batch of leads in one model call, skipping those already done."""

import pytest

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


def _submit(estate, texts):
    return [
        qr_submit(actor=PublicActor("qr"), estate=estate, text=t, idem_key=f"batch-{i:04d}-0000").lead
        for i, t in enumerate(texts)
    ]


def test_a_batch_skips_leads_already_suggested_or_no_longer_new(estate, model):
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


def test_a_lead_job_after_a_burst_takes_the_waiting_leads_with_it(
    estate, model, settings, django_assert_max_num_queries
):
    """The intake hook in a worker: a job finding other leads waiting classifies them with its own in one batch
    (as the backfill would), and their own jobs then end at once; the urgent one is flagged as it would be alone."""
    leads = _submit(estate, TEXTS)
    settings.WUYE = {**settings.WUYE, "JOBS": "procrastinate"}  # the hook as a worker runs it
    assert not Suggestion.objects.exists()  # hooks run after commit: none has run in this test's transaction
    services.on_lead_created(leads[2].pk)
    assert Suggestion.objects.count() == len(TEXTS)
    assert Lead.objects.get(pk=leads[0].pk).urgent  # 困人: flagged by the batch
    with django_assert_max_num_queries(1):
        services.on_lead_created(leads[4].pk)  # already taken: one look, nothing else
    assert Suggestion.objects.count() == len(TEXTS)


def test_a_lead_job_with_nothing_waiting_suggests_for_its_own_lead_only(estate, model):
    [lead] = _submit(estate, TEXTS[1:2])
    services.on_lead_created(lead.pk)
    assert list(Suggestion.objects.values_list("lead_id", flat=True)) == [lead.pk]


def test_inline_the_hook_never_makes_a_resident_s_request_wait_for_a_backlog(estate, model):
    """JOBS=inline runs the hook in the request that filed the lead: it suggests for that lead alone."""
    leads = _submit(estate, TEXTS[:3])
    services.on_lead_created(leads[2].pk)
    assert list(Suggestion.objects.values_list("lead_id", flat=True)) == [leads[2].pk]
