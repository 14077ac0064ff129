"""The case operations are declared once (`workflow.OPERATIONS`); pages, API and buttons are derived from it."""

import inspect

import pytest

from wuye.cases import forms, services, workflow
from wuye.cases.api import TransitionSerializer
from wuye.cases.models import CaseStatus


@pytest.mark.parametrize("op", workflow.OPERATIONS.values(), ids=list(workflow.OPERATIONS))
def test_each_operation_names_a_form_and_a_service_that_fit_together(op):
    form = getattr(forms, op.form)
    params = inspect.signature(getattr(services, op.service)).parameters
    assert {"actor", "case"} <= set(params)
    assert set(form.base_fields) <= set(params), f"{op.name}: form fields the service does not take"
    api_fields = set(TransitionSerializer().fields)
    for action, fixed in op.api.items():
        assert workflow.API_ACTIONS[action] is op
        for name in form.base_fields:
            assert (
                name in fixed
                or op.api_fields.get(name, name) in api_fields
                or not form.base_fields[name].required
            )


def test_every_move_is_an_operation_with_the_move_s_roles_and_states():
    for name, move in workflow.MOVES.items():
        op = workflow.OPERATIONS[name]
        assert op.roles == move.roles and op.states == frozenset(move.moves)


def test_a_self_managed_estate_s_evidence_is_filed_by_the_task_force():
    submit = workflow.OPERATIONS["submit"]
    assert submit.applies(CaseStatus.RECTIFYING, "task_force", None)
    assert not submit.applies(CaseStatus.RECTIFYING, "task_force", 7)
    assert submit.applies(CaseStatus.RECTIFYING, "company_staff", 7)
