"""Intake is the one owner of a lead's life: no module outside intake writes a lead's fields.

A source scan (every module under wuye/ but intake, migrations and tests) and behaviour tests: the ledger and
triage change leads only through intake's services, each move audited, each refused where its roles say so.
"""

import ast
import datetime as dt
from pathlib import Path

import pytest

from wuye.accounts.models import Role
from wuye.audit.models import AuditEntry
from wuye.cases import services as ledger
from wuye.cases.models import Case, CaseEvent
from wuye.common.dates import today
from wuye.common.errors import NotAllowed
from wuye.intake import services as intake
from wuye.intake.models import Channel, Lead, LeadStatus
from wuye.intake.workflow import LEAD_MOVES
from wuye.kernel.actors import PUBLIC_ROLE, SYSTEM_ROLE, PublicActor, SystemActor
from wuye.testing import make_company, make_estate, make_user

ROOT = Path(__file__).resolve().parents[2]  # the wuye package
WRITES = {
    "update",
    "bulk_update",
    "create",
    "bulk_create",
    "get_or_create",
    "update_or_create",
    "delete",
    "save",
}
LEAD_FIELDS = {f.name for f in Lead._meta.concrete_fields} | {f.attname for f in Lead._meta.concrete_fields}


def _chain(node: ast.AST) -> list[str]:
    """The names along an attribute/call chain, outermost last: Lead.objects.filter(x).update → [Lead, objects,
    filter, update]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


def _is_lead_name(node: ast.AST) -> bool:
    chain = _chain(node)
    return bool(chain) and "lead" in chain[-1].lower()


def _targets(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Tuple | ast.List):
        return [t for elt in node.elts for t in _targets(elt)]
    return [node]


def lead_writes(source: str) -> list[tuple[int, str]]:
    """Where a module writes a lead: a write through `Lead.objects` or a `.leads` manager, a lead field assigned,
    a lead saved."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            chain = _chain(node.func)
            through_manager = ("Lead" in chain and "objects" in chain) or "leads" in chain[:-1]
            if through_manager or (node.func.attr in {"save", "delete"} and _is_lead_name(node.func.value)):
                found.append((node.lineno, ".".join(chain)))
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets for t in _targets(target)]
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = _targets(node.target)
        for t in targets:
            if isinstance(t, ast.Attribute) and t.attr in LEAD_FIELDS and _is_lead_name(t.value):
                found.append((node.lineno, ".".join(_chain(t))))
    return found


def test_the_scan_sees_each_kind_of_lead_write():
    source = """
Lead.objects.filter(pk=1).update(urgent=True)
Lead.objects.bulk_create([])
case.leads.update(status="new")
lead.status, lead.case = "merged", case
locked_lead.urgent = True
lead.save(update_fields=["urgent"])
lead.refresh_from_db()
Lead.objects.filter(pk=1).exists()
case.status = "merged"
"""
    assert sorted(line for line, _ in lead_writes(source)) == [2, 3, 4, 5, 5, 6, 7]


def test_no_module_outside_intake_writes_a_lead():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {"intake", "testing"} or "migrations" in rel.parts or "tests" in rel.parts:
            continue
        for line, what in lead_writes(path.read_text(encoding="utf-8")):
            offenders.append(f"wuye/{rel}:{line}: {what}")
    assert offenders == [], "leads are written only by wuye.intake.services:\n" + "\n".join(offenders)


# --- behaviour: the ledger and triage go through intake's moves -----------------------------------------------


@pytest.fixture
def world(db):
    company = make_company()
    estate = make_estate(company=company)
    return {
        "estate": estate,
        "tf": make_user(Role.TASK_FORCE),
        "staff": make_user(Role.COMPANY_STAFF, company_id=company.pk),
    }


def _lead(estate, text="电梯经常停运"):
    return intake.lead_create(
        actor=PublicActor("phone"), channel=Channel.PHONE, text=text, estate=estate
    ).lead


def test_every_move_declares_its_roles_and_only_some_admit_the_system_or_the_public():
    assert {name for name, m in LEAD_MOVES.items() if PUBLIC_ROLE in m.roles} == {"join_case"}
    assert {name for name, m in LEAD_MOVES.items() if SYSTEM_ROLE in m.roles} == {
        "mark_urgent",
        "refresh_finding",
    }


def test_opening_joining_splitting_and_merging_move_the_leads_with_an_audit_entry_each(world):
    tf, estate = world["tf"], world["estate"]
    first, second, third = _lead(estate), _lead(estate, "又坏了"), _lead(estate, "还是坏")
    a = ledger.case_create_from_lead(actor=tf, lead=first, category="3.1")
    b = ledger.case_create_from_lead(actor=tf, lead=second, category="3.1")
    ledger.lead_merge_into_case(actor=tf, lead=third, case=a)
    ledger.lead_split_from_case(actor=tf, lead=third, reason="不是同一部电梯")
    third.refresh_from_db()
    assert third.status == LeadStatus.NEW and third.case_id is None
    ledger.case_merge_into_case(actor=tf, case=b, target=a)
    second.refresh_from_db()
    assert second.status == LeadStatus.MERGED and second.case_id == a.pk
    actions = list(
        AuditEntry.objects.filter(object_type="intake.lead").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["lead.case", "lead.case", "lead.merge", "lead.split", "lead.follow_case"]


def test_the_system_may_mark_urgent_but_not_reject_and_a_company_may_not_split(world):
    lead = _lead(world["estate"])
    with pytest.raises(NotAllowed):
        intake.lead_reject(actor=SystemActor("triage"), lead=lead, reason="不属于物业服务")
    with pytest.raises(NotAllowed):
        intake.lead_mark_urgent(actor=PublicActor("qr"), lead=lead, urgent=True)
    marked = intake.leads_flag_urgent(
        actor=SystemActor("triage"), leads=[lead], model_version="m1", reasons=["困人"]
    )
    assert [x.pk for x in marked] == [lead.pk]
    lead.refresh_from_db()
    assert lead.urgent is True
    case = ledger.case_create(
        actor=world["tf"], estate=world["estate"], category="3.1", description="电梯困人"
    )
    ledger.lead_merge_into_case(actor=world["tf"], lead=lead, case=case)
    with pytest.raises(NotAllowed):
        ledger.lead_split_from_case(actor=world["staff"], lead=lead, reason="不是一回事")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.MERGED and lead.case_id == case.pk


def test_a_resident_joining_from_the_qr_form_is_named_on_the_timeline(world):
    estate = world["estate"]
    case = ledger.case_create(actor=world["tf"], estate=estate, category="4", description="车位被占")
    result = intake.qr_join_case(actor=PublicActor("qr"), estate=estate, case=case, idem_key="join-key-0001")
    assert result.lead.status == LeadStatus.MERGED and result.lead.case_id == case.pk
    event = CaseEvent.objects.get(case=case, kind="lead_merge")
    assert event.actor_label == "群众（扫码即办）" and event.actor is None


def test_the_scheduler_marks_overdue_under_its_own_name_and_nobody_else_may(world):
    tf = world["tf"]
    case = ledger.case_create(actor=tf, estate=world["estate"], category="1.1", description="垃圾无人清理")
    ledger.case_verify(actor=tf, case=case)
    ledger.case_start_rectification(
        actor=tf,
        case=case,
        target="清理",
        measures="每日清运",
        responsible="经理",
        deadline=today() + dt.timedelta(days=5),
    )
    Case.objects.filter(pk=case.pk).update(deadline=dt.date(2020, 1, 1))
    with pytest.raises(NotAllowed):
        ledger.case_mark_overdue(actor=tf, case=case)
    assert ledger.case_mark_overdue(actor=SystemActor("tick"), case=case) is True
    assert CaseEvent.objects.get(case=case, kind="overdue").actor_label == "系统（逾期检查）"
