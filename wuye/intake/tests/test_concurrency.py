"""Concurrent second requests: a retried QR submission and a re-imported 12345 file racing the first one."""

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


def test_not_fixed_twice_at_once_reopens_the_case_once(estate, company):
    from wuye.accounts.models import Role
    from wuye.cases.models import CaseEvent
    from wuye.cases.services import case_create_from_lead, lead_merge_into_case
    from wuye.intake.models import LeadFeedback
    from wuye.intake.services import feedback_not_fixed, lead_create
    from wuye.testing import make_user

    from .test_not_fixed import _accept, _lead

    task_force = make_user(Role.TASK_FORCE)
    staff = make_user(Role.COMPANY_STAFF, company_id=company.pk)
    lead = _lead(estate)
    case = case_create_from_lead(actor=task_force, lead=lead, category="1.1")
    other = lead_create(actor=PublicActor("phone"), channel="qr", text="5栋门口垃圾", estate=estate).lead
    lead_merge_into_case(actor=task_force, lead=other, case=case)
    case.refresh_from_db()
    _accept(case, task_force, staff)
    track = PublicActor("track")
    # the same resident twice (a double tap) and another resident of the same case, all at once
    outcomes = run_concurrently(
        lambda: feedback_not_fixed(actor=track, lead=lead, comment="没解决"),
        lambda: feedback_not_fixed(actor=track, lead=lead, comment="没解决"),
        lambda: feedback_not_fixed(actor=track, lead=other, comment="还是脏"),
    )
    assert not [o for o in outcomes if isinstance(o, Exception) and "办理中" not in str(o)]
    assert CaseEvent.objects.filter(case=case, kind="reopen").count() == 1
    assert LeadFeedback.objects.filter(lead=lead, not_fixed=True).count() == 1
    assert LeadFeedback.objects.filter(reopened=True).count() == 1
    case.refresh_from_db()
    assert case.status == "rectifying"
