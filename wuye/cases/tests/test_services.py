import datetime as dt

import pytest

from wuye.audit.models import AuditEntry
from wuye.cases import services
from wuye.cases.models import Case, CaseEvent, CaseStatus
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.intake import services as intake
from wuye.intake.models import Channel, LeadStatus
from wuye.intake.services import lead_create
from wuye.kernel.actors import PublicActor, SystemActor
from wuye.testing import make_estate

from .conftest import future, pdf, png


def test_case_numbers_are_consecutive_per_year_with_the_county_prefix(world):
    a, b = world.case(), world.case()
    assert a.number.startswith(f"ZS{a.year}-")
    assert (a.year, b.seq) == (b.year, a.seq + 1)
    assert a.company == world.company
    assert world.case(world.bare_estate).company is None


def test_full_happy_path_records_one_event_and_one_audit_entry_per_move(world):
    case = world.case()
    audits = AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk))
    assert audits.count() == 1
    case = services.case_verify(actor=world.tf, case=case)
    case = services.case_start_rectification(
        actor=world.tf, case=case, target="清洁", measures="清扫", responsible="王经理", deadline=future()
    )
    case = services.case_submit(actor=world.staff, case=case, progress="已完成", attachments=[png(), pdf()])
    case = services.case_return(actor=world.tf, case=case, reason="仍有堆放")
    case = services.case_submit(actor=world.staff, case=case, progress="全部清走", attachments=[png()])
    case = services.case_accept(actor=world.admin, case=case, note="现场核验合格")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.closed_at is not None
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["create", "verify", "rectify", "submit", "return", "submit", "accept"]
    assert audits.count() == 7
    assert case.attachments.count() == 3


def test_illegal_move_raises_chinese_error_and_changes_nothing(world):
    case = world.case()
    with pytest.raises(InvalidTransition) as exc:
        services.case_accept(actor=world.tf, case=case, note="好")
    assert "已受理" in exc.value.message and "验收销号" in exc.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED and case.events.count() == 1


def test_company_cannot_accept_and_bureau_cannot_submit_for_a_company(world):
    case = world.submitted()
    with pytest.raises(NotAllowed):
        services.case_accept(actor=world.staff, case=case, note="自己验收")
    case2 = world.rectifying()
    with pytest.raises(NotAllowed):
        services.case_submit(actor=world.tf, case=case2, progress="代报", attachments=[png()])
    with pytest.raises(NotAllowed):
        services.case_submit(actor=world.other_staff, case=case2, progress="别家", attachments=[png()])
    case2.refresh_from_db()
    assert case2.status == CaseStatus.RECTIFYING


def test_plan_requires_every_field_and_a_future_deadline(world):
    case = services.case_verify(actor=world.tf, case=world.case())
    with pytest.raises(DomainError) as exc:
        services.case_start_rectification(
            actor=world.tf, case=case, target="x", measures="y", responsible="z", deadline=dt.date(2020, 1, 1)
        )
    assert exc.value.field == "deadline"
    with pytest.raises(DomainError) as exc:
        services.case_start_rectification(
            actor=world.tf, case=case, target=" ", measures="y", responsible="z", deadline=future()
        )
    assert exc.value.field == "target"
    case.refresh_from_db()
    assert case.status == CaseStatus.VERIFYING and case.target == ""


def test_submit_rejects_a_fake_image(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = world.rectifying()
    fake = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(DomainError) as exc:
        services.case_submit(actor=world.staff, case=case, progress="好了", attachments=[fake])
    assert "按内容检查" in exc.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.RECTIFYING


def test_lead_to_case_merge_and_split_keep_report_counts(world):
    l1 = lead_create(
        actor=PublicActor("phone"),
        channel=Channel.QR,
        text="电梯经常困人",
        estate=world.estate,
        complainant_name="李四",
        complainant_phone="13800001111",
    ).lead
    l2 = lead_create(
        actor=PublicActor("phone"), channel=Channel.PHONE, text="电梯又坏了", estate=world.estate
    ).lead
    l3 = lead_create(
        actor=PublicActor("phone"), channel=Channel.WEB, text="别的小区", estate=world.other_estate
    ).lead
    case = services.case_create_from_lead(actor=world.tf, lead=l1, category="3.1")
    assert case.report_count == 1 and case.source_channel == Channel.QR
    l1.refresh_from_db()
    assert l1.status == LeadStatus.CASED and l1.case == case and l1.category == "3.1"
    services.lead_merge_into_case(actor=world.tf, lead=l2, case=case)
    case.refresh_from_db()
    assert case.report_count == 2
    with pytest.raises(DomainError):
        services.lead_merge_into_case(actor=world.tf, lead=l3, case=case)
    with pytest.raises(InvalidTransition):
        services.lead_split_from_case(actor=world.tf, lead=l1, reason="误")
    services.lead_split_from_case(actor=world.tf, lead=l2, reason="不是同一部电梯")
    case.refresh_from_db()
    l2.refresh_from_db()
    assert case.report_count == 1 and l2.status == LeadStatus.NEW and l2.case is None


def test_case_merge_moves_reports_and_keeps_number(world):
    l1 = lead_create(actor=PublicActor("phone"), channel=Channel.QR, text="停车难", estate=world.estate).lead
    l2 = lead_create(
        actor=PublicActor("phone"), channel=Channel.QR, text="车位被占", estate=world.estate
    ).lead
    a = services.case_create_from_lead(actor=world.tf, lead=l1, category="4")
    b = services.case_create_from_lead(actor=world.tf, lead=l2, category="4")
    services.case_merge_into_case(actor=world.tf, case=b, target=a, reason="同一问题")
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.status == CaseStatus.MERGED and b.merged_into == a and b.report_count == 0
    assert a.report_count == 2
    assert Case.objects.filter(number=b.number).exists()
    other = world.case(world.other_estate)
    with pytest.raises(DomainError):
        services.case_merge_into_case(actor=world.tf, case=other, target=a)


def test_lead_reject_and_transfer_need_a_reason_and_name_the_department(world):
    lead = lead_create(
        actor=PublicActor("phone"), channel=Channel.PHONE, text="噪音扰民", estate=world.estate
    ).lead
    with pytest.raises(DomainError) as exc:
        intake.lead_transfer(actor=world.tf, lead=lead, department="", reason="属公安")
    assert exc.value.field == "department"
    intake.lead_transfer(actor=world.tf, lead=lead, department="县公安局", reason="治安问题")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.TRANSFERRED and lead.transfer_department == "县公安局"
    lead2 = lead_create(
        actor=PublicActor("phone"), channel=Channel.PHONE, text="与物业无关", estate=world.estate
    ).lead
    with pytest.raises(NotAllowed):
        intake.lead_reject(actor=world.staff, lead=lead2, reason="不管")
    intake.lead_reject(actor=world.tf, lead=lead2, reason="不属于物业服务范围")
    lead2.refresh_from_db()
    assert lead2.status == LeadStatus.REJECTED


def test_extension_request_and_approval_move_the_deadline_with_history(world):
    case = world.rectifying()
    old = case.deadline
    ext = services.extension_request(
        actor=world.staff, case=case, requested_deadline=future(60), reason="材料未到"
    )
    with pytest.raises(DomainError):
        services.extension_request(actor=world.staff, case=case, requested_deadline=future(70), reason="再延")
    services.extension_decide(actor=world.tf, extension=ext, approve=True)
    case.refresh_from_db()
    assert case.deadline == future(60) and case.deadline != old
    from wuye.cases.selectors import deadline_history

    assert [h["new"] for h in deadline_history(case)] == [old.isoformat(), future(60).isoformat()]
    ext2 = services.extension_request(
        actor=world.staff, case=case, requested_deadline=future(90), reason="还要"
    )
    with pytest.raises(DomainError):
        services.extension_decide(actor=world.tf, extension=ext2, approve=False, reason="")
    services.extension_decide(actor=world.tf, extension=ext2, approve=False, reason="不同意")
    case.refresh_from_db()
    assert case.deadline == future(60)


def test_overdue_is_marked_once(world):
    case = world.rectifying()
    Case.objects.filter(pk=case.pk).update(deadline=dt.date(2020, 1, 1))
    assert services.case_mark_overdue(actor=SystemActor("tick"), case=case) is True
    assert services.case_mark_overdue(actor=SystemActor("tick"), case=case) is False
    assert CaseEvent.objects.filter(case=case, kind="overdue").count() == 1


def test_actions_penalty_and_dismissal_open_handover(world):
    from wuye.cases.models import HandoverRecord

    case = world.rectifying()
    with pytest.raises(DomainError) as exc:
        services.case_action_record(
            actor=world.tf,
            case=case,
            kind="penalty",
            date=dt.date(2025, 1, 2),
            amount="abc",
            legal_basis="物业管理条例第六十三条",
            decision_number="钟住建罚〔2025〕1号",
        )
    assert exc.value.field == "amount"
    act = services.case_action_record(
        actor=world.tf,
        case=case,
        kind="penalty",
        date=dt.date(2025, 1, 2),
        amount="50,000",
        legal_basis="物业管理条例第六十三条",
        decision_number="钟住建罚〔2025〕1号",
    )
    assert str(act.amount) == "50000.00" and act.company == world.company
    act2 = services.case_action_record(actor=world.tf, case=case, kind="dismissal", date=dt.date(2025, 1, 3))
    act3 = services.case_action_record(actor=world.tf, case=case, kind="dismissal", date=dt.date(2025, 1, 4))
    assert act2.handover is not None and act2.handover == act3.handover
    assert HandoverRecord.objects.filter(estate=world.estate).count() == 1
    with pytest.raises(NotAllowed):
        services.case_action_record(
            actor=world.staff, case=case, kind="referral", date=dt.date(2025, 1, 2), department="公安局"
        )


def test_revisit_is_reproducible_and_a_failed_one_reopens(world):
    estates = [world.estate, make_estate(company=world.company)]
    for e in estates:
        for _ in range(4):
            c = world.submitted(e)
            services.case_accept(actor=world.tf, case=c, note="合格")
    a = services.revisit_candidates(per_estate=2, seed=7)
    assert a == services.revisit_candidates(per_estate=2, seed=7) and len(a) == 4
    batch, created = services.revisit_sample_draw(actor=world.tf, per_estate=2, seed=7)
    again, created2 = services.revisit_sample_draw(actor=world.tf, per_estate=2, seed=7)
    assert created and not created2 and again == batch
    rv = batch.revisits.first()
    services.revisit_record(actor=world.tf, revisit=rv, passed=False, finding="垃圾又堆起来了")
    rv.case.refresh_from_db()
    assert rv.case.status == CaseStatus.RECTIFYING and rv.case.deadline > dt.date.today()


def _in_state(world, state):
    if state == "received":
        return world.case()
    if state == "verifying":
        return services.case_verify(actor=world.tf, case=world.case())
    if state == "unfounded":
        c = services.case_verify(actor=world.tf, case=world.case())
        return services.case_mark_unfounded(actor=world.tf, case=c, reason="不属实")
    if state == "rectifying":
        return world.rectifying()
    if state == "submitted":
        return world.submitted()
    if state == "returned":
        return services.case_return(actor=world.tf, case=world.submitted(), reason="不行")
    if state == "accepted":
        return services.case_accept(actor=world.tf, case=world.submitted(), note="好")
    if state == "merged":
        return services.case_merge_into_case(actor=world.tf, case=world.case(), target=world.case())
    raise AssertionError(state)


def _call(world, name, case):
    calls = {
        "verify": lambda a: services.case_verify(actor=a, case=case),
        "mark_unfounded": lambda a: services.case_mark_unfounded(actor=a, case=case, reason="r"),
        "start_rectification": lambda a: services.case_start_rectification(
            actor=a, case=case, target="t", measures="m", responsible="r", deadline=future()
        ),
        "submit": lambda a: services.case_submit(actor=a, case=case, progress="p", attachments=[png()]),
        "accept": lambda a: services.case_accept(actor=a, case=case, note="n"),
        "return": lambda a: services.case_return(actor=a, case=case, reason="r"),
        "reopen": lambda a: services.case_reopen(actor=a, case=case, reason="r"),
    }
    return calls[name]


MOVE_ACTOR = {
    "verify": "tf",
    "mark_unfounded": "tf",
    "start_rectification": "tf",
    "submit": "staff",
    "accept": "tf",
    "return": "tf",
    "reopen": "tf",
}


def test_every_illegal_move_from_every_state_is_refused_and_changes_nothing(world):
    from wuye.cases.workflow import MOVES

    states = [s.value for s in CaseStatus]
    refused = 0
    for state in states:
        case = _in_state(world, state)
        for name, actor_attr in MOVE_ACTOR.items():
            move = MOVES[name]
            if state in move.moves or state in move.targets:
                continue  # legal, or a quiet repeat
            before = (case.status, case.events.count(), AuditEntry.objects.count())
            with pytest.raises(InvalidTransition) as exc:
                _call(world, name, case)(getattr(world, actor_attr))
            assert "不能" in exc.value.message
            case.refresh_from_db()
            assert (case.status, case.events.count(), AuditEntry.objects.count()) == before
            refused += 1
    assert refused >= 30


@pytest.mark.parametrize("name", list(MOVE_ACTOR))
def test_every_wrong_role_is_refused_for_every_move(world, name):
    from wuye.cases.workflow import MOVES

    source = next(iter(MOVES[name].moves))
    case = _in_state(world, source)
    right = MOVE_ACTOR[name]
    wrong = ["city", "committee", "owner", "other_staff"] + (
        ["tf", "admin"] if right == "staff" else ["staff"]
    )
    for attr in wrong:
        with pytest.raises(NotAllowed):
            _call(world, name, case)(getattr(world, attr))
        case.refresh_from_db()
        assert case.status == source
    _call(world, name, case)(getattr(world, right))
    case.refresh_from_db()
    assert case.status == MOVES[name].moves[source]
