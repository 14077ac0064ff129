"""Concurrent second requests: two first entries of a contract's standard leave one standard; two runs of the
checks at once open each lead once."""

import pytest
from django.db import connection

from wuye.duties import services
from wuye.duties.models import ServiceStandard
from wuye.duties.tick import run_checks
from wuye.intake.models import Lead
from wuye.testing import run_concurrently

from .factories import World

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (select_for_update) are only meaningful on PostgreSQL",
    ),
]


def test_two_concurrent_first_standards_leave_one():
    w = World()
    results = run_concurrently(
        lambda: services.standard_set(actor=w.staff, estate=w.estate, grade="一级"),
        lambda: services.standard_set(actor=w.staff, estate=w.estate, grade="二级"),
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert ServiceStandard.objects.count() == 1


def test_two_concurrent_check_runs_open_each_lead_once():
    w = World()
    results = run_concurrently(run_checks, run_checks)
    assert not [r for r in results if isinstance(r, BaseException)], results
    keys = list(Lead.objects.filter(estate=w.estate).values_list("source_ref", flat=True))
    assert keys and len(keys) == len(set(keys))
