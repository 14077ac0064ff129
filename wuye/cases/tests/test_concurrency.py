"""Concurrent requests on the ledger (PostgreSQL): rows are locked in one order, cases before leads, each by pk."""

import pytest
from django.db import connection
from django.db.utils import OperationalError

from wuye.cases import services
from wuye.cases.models import Case, CaseStatus
from wuye.common.errors import InvalidTransition
from wuye.intake.models import Channel, Lead, LeadStatus
from wuye.intake.services import lead_create
from wuye.kernel.actors import PublicActor
from wuye.testing import run_concurrently

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so nothing races")


def _lead(world, text):
    return lead_create(actor=PublicActor("phone"), channel=Channel.PHONE, text=text, estate=world.estate).lead


def test_a_split_and_a_merge_on_the_same_case_finish_without_deadlock(world):
    for round_no in range(4):
        source = services.case_create_from_lead(
            actor=world.tf, lead=_lead(world, f"电梯停运（{round_no}）"), category="3.1"
        )
        extra = _lead(world, f"电梯又停了（{round_no}）")
        services.lead_merge_into_case(actor=world.tf, lead=extra, case=source)
        target = world.case(description=f"电梯问题（{round_no}）")

        split, merge = run_concurrently(
            lambda lead=extra: services.lead_split_from_case(
                actor=world.tf, lead=lead, reason="不是同一部电梯"
            ),
            lambda src=source, dst=target: services.case_merge_into_case(
                actor=world.tf, case=src, target=dst
            ),
        )

        for outcome in (split, merge):
            assert not isinstance(outcome, OperationalError), f"round {round_no}: {outcome!r}"
        assert isinstance(merge, Case) and merge.status == CaseStatus.MERGED
        extra.refresh_from_db()
        if isinstance(split, InvalidTransition):
            # the merge went first: the lead followed its case, and the split saw it had moved
            assert extra.status == LeadStatus.MERGED and extra.case_id == target.pk
        else:
            assert split is None and extra.status == LeadStatus.NEW and extra.case_id is None
        target.refresh_from_db()
        assert target.report_count == Lead.objects.filter(case=target).count()
