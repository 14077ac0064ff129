"""Concurrent second requests: a retried QR submission and a re-imported 12345 file racing the first one."""

import threading

import pytest
from django.db import connection

from wuye.intake.hotline import hotline_import
from wuye.intake.models import Lead
from wuye.intake.services import qr_submit
from wuye.kernel.actors import PublicActor, SystemActor
from wuye.testing import run_concurrently

from .test_hotline import messy_xlsx

pytestmark = pytest.mark.django_db(transaction=True)


def _race(fn, n=4):
    outcomes = run_concurrently(*[fn] * n)
    return (
        [o for o in outcomes if not isinstance(o, Exception)],
        [o for o in outcomes if isinstance(o, Exception)],
    )


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so nothing races")


def test_same_idempotency_key_at_once_gives_one_lead(estate):
    results, errors = _race(
        lambda: qr_submit(actor=PublicActor("qr"), estate=estate, text="电梯停运", idem_key="race" * 5)
    )
    assert errors == []
    assert Lead.objects.count() == 1
    assert len({r.lead.pk for r in results}) == 1 and sum(r.created for r in results) == 1


def test_same_file_imported_twice_at_once_imports_each_work_order_once(estate):
    data = messy_xlsx()
    results, errors = _race(
        lambda: hotline_import(actor=SystemActor("import_12345"), data=data, filename="a.xlsx"), n=2
    )
    assert errors == []
    assert Lead.objects.count() == 3
    assert sum(r.imported for r in results) == 3 and sum(r.duplicates for r in results) == 3


def test_background_hooks_run_after_commit_off_the_request_thread(estate, settings):
    from wuye.intake import hooks

    settings.WUYE = {**settings.WUYE, "LEAD_HOOKS": "background"}
    seen: list[tuple[int, str]] = []

    def record(lead_id):
        seen.append((lead_id, threading.current_thread().name))

    hooks.register_on_lead_created(record)
    try:
        result = qr_submit(actor=PublicActor("qr"), estate=estate, text="楼道灯坏了", idem_key="bg" * 6)
        assert hooks.wait_for_background(10)
        assert (result.lead.pk, "wuye-lead-hooks") in seen
    finally:
        hooks._on_lead_created.remove(record)


def test_same_questionnaire_submitted_twice_at_once_is_one_response(estate):
    from wuye.intake.models import QuestionnaireResponse
    from wuye.intake.selectors import questionnaire
    from wuye.intake.services import questionnaire_submit

    answers = {q["code"]: 4 for q in questionnaire()["questions"]}
    results, errors = _race(
        lambda: questionnaire_submit(
            actor=PublicActor("qr"),
            estate=estate,
            answers=answers,
            problem="垃圾没人清运",
            idem_key="qrace" * 4,
        ),
        n=2,
    )
    assert errors == []
    assert QuestionnaireResponse.objects.count() == 1 and Lead.objects.count() == 1
    assert len({r.pk for r in results}) == 1
