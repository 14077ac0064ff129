"""回头看: a reproducible sample of accepted cases, re-inspected; a failed one is reopened."""

import random

from django.db import IntegrityError, transaction

from wuye.audit.services import audit_record
from wuye.common.dates import now
from wuye.common.errors import DomainError, InvalidTransition
from wuye.kernel.actors import Actor, actor_user, requires_actor
from wuye.kernel.taxonomy import Category

from .. import workflow
from ..models import Case, CaseStatus, Revisit, RevisitBatch, RevisitResult
from .base import check_role, clean_text, record_event
from .locks import lock_case
from .transitions import case_reopen

SEED_MAX = 2**31 - 1  # RevisitBatch.seed is a 32-bit integer column


def revisit_candidates(*, per_estate: int, seed: int, category: str = "") -> list[int]:
    """A reproducible sample: for each estate (by id), `per_estate` accepted cases drawn with Random(seed)
    from the estate's accepted cases ordered by id."""
    qs = Case.objects.filter(status=CaseStatus.ACCEPTED)
    if category:
        qs = qs.filter(category=category)
    by_estate: dict[int, list[int]] = {}
    for case_id, estate_id in qs.order_by("estate_id", "id").values_list("id", "estate_id"):
        by_estate.setdefault(estate_id, []).append(case_id)
    rng = random.Random(seed)
    chosen: list[int] = []
    for estate_id in sorted(by_estate):
        ids = by_estate[estate_id]
        chosen.extend(sorted(rng.sample(ids, min(per_estate, len(ids)))))
    return chosen


@requires_actor
@transaction.atomic
def revisit_sample_draw(
    *, actor: Actor, per_estate: int, seed: int, category: str = ""
) -> tuple[RevisitBatch, bool]:
    """Draw a sample (or return the batch already drawn with the same parameters). Returns (batch, created)."""
    check_role(actor, None, workflow.REVISIT_DRAW_ROLES, "抽取回头看样本")
    if not isinstance(per_estate, int) or per_estate < 1 or per_estate > 50:
        raise DomainError("每小区抽取数量应为 1 至 50", field="per_estate")
    if category and category not in Category.values:
        raise DomainError("问题类别不正确", field="category")
    if not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise DomainError(f"随机种子应为 0 至 {SEED_MAX} 的整数", field="seed")
    params = {"seed": seed, "per_estate": per_estate, "category": category}
    existing = RevisitBatch.objects.filter(**params).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            batch = RevisitBatch.objects.create(**params, drawn_at=now(), drawn_by=actor_user(actor))
    except IntegrityError:
        # A double submit drew the same batch a moment earlier: show that one.
        return RevisitBatch.objects.get(**params), False
    ids = revisit_candidates(per_estate=per_estate, seed=seed, category=category)
    Revisit.objects.bulk_create([Revisit(batch=batch, case_id=i) for i in ids])
    audit_record(
        actor=actor,
        action="revisit.draw",
        obj=batch,
        after={"seed": seed, "per_estate": per_estate, "category": category, "cases": len(ids)},
    )
    return batch, True


@requires_actor
@transaction.atomic
def revisit_record(*, actor: Actor, revisit: Revisit, passed: bool, finding: str) -> Revisit:
    check_role(actor, None, workflow.BUREAU, "登记复查结果")
    finding = clean_text(finding, field="finding", label="复查情况", max_len=5000)
    rv = Revisit.objects.select_for_update().select_related("case").get(pk=revisit.pk)
    if rv.result != RevisitResult.PENDING:
        raise InvalidTransition(f"该事项的复查结果已登记（{rv.get_result_display()}）", field="result")
    rv.result = RevisitResult.PASSED if passed else RevisitResult.FAILED
    rv.finding, rv.recorded_by, rv.recorded_at = finding, actor_user(actor), now()
    rv.save(update_fields=["result", "finding", "recorded_by", "recorded_at"])
    audit_record(
        actor=actor,
        action="revisit.record",
        obj=rv,
        before={"result": RevisitResult.PENDING},
        after={"result": rv.result, "case": rv.case.number},
        reason=finding,
    )
    case = lock_case(rv.case)
    if passed:
        record_event(
            case=case,
            actor=actor,
            kind="revisit_pass",
            title="回头看复查合格",
            text=finding,
            public=True,
            public_text="专班回头看复查：整改成果保持良好。",
            data={"revisit": rv.pk},
        )
    else:
        case_reopen(actor=actor, case=case, reason=f"回头看复查不合格：{finding}")
    return rv
