"""Demo credit: the events the other builders' records imply, then a spread of levels (commendations for the best,
a one-vote veto), an objection in each outcome plus one still open, and one published notice.

Deterministic for a seed; idempotent: skipped when a task-force record exists. Ends with the companies' scores.
"""

import datetime as dt
from typing import Any

from wuye.accounts.models import Role, User
from wuye.common.dates import today
from wuye.kernel.actors import SystemActor

from .models import CreditEvent, CreditRecord, ObjectionStatus
from .scoring import Explanation, explain_all
from .services import (
    credit_events_collect,
    credit_objection_decide,
    credit_objection_raise,
    credit_record_enter,
    notice_publish,
    notice_save,
)
from .types import LEVELS, type_label

OBJECTIONS = [
    (
        ObjectionStatus.UPHELD,
        "处罚时整改已完成，请求撤销该记录。",
        "经核实，处罚决定事实清楚、依据充分，维持原记录。",
        None,
    ),
    (
        ObjectionStatus.AMENDED,
        "问题系业主自行改造引起，企业责任较轻。",
        "企业责任较轻，分值由扣 5 分变更为扣 2 分。",
        -2,
    ),
    (
        ObjectionStatus.ANNULLED,
        "该问题已由复议机关撤销原决定。",
        "复议决定已撤销原决定，撤销该信用记录。",
        None,
    ),
    (ObjectionStatus.OPEN, "约谈后已按期整改完毕，请求复核。", "", None),
]


def _score(explanations: list[Explanation], company_id: int) -> Explanation:
    return next(ex for ex in explanations if ex.company.pk == company_id)


def build(*, seed: int, scale: float, out: Any) -> None:
    if CreditRecord.objects.exists():
        out.write("  信用：已存在，跳过")
        return
    tf = User.objects.filter(role=Role.TASK_FORCE).order_by("id").first()
    if tf is None:
        out.write("  信用：没有专班用户，跳过")
        return
    credit_events_collect(actor=SystemActor("credit_collect"))
    explanations = explain_all()
    if len(explanations) < 3:
        out.write("  信用：企业不足三家，跳过")
        return
    staffed = set(User.objects.filter(role=Role.COMPANY_STAFF).values_list("company_id", flat=True))
    by_score = sorted(explanations, key=lambda ex: (-ex.score, ex.company.name))
    day = today() - dt.timedelta(days=2)
    # the best company earns commendations until AAA; the worst one without staff to object gets a veto
    best = by_score[0]
    for i in range(12):
        if _score(explain_all(), best.company.pk).level == LEVELS[0]:
            break
        credit_record_enter(
            actor=tf,
            type="commendation",
            company=best.company,
            estate=None,
            date=day,
            text=f"获评县级物业服务示范项目（第 {i + 1} 批）。",
            document_no=f"钟住建〔{day.year}〕{seed * 10 + i}号",
        )
    vetoed = next((ex for ex in reversed(by_score) if ex.company.pk not in staffed), by_score[-1])
    credit_record_enter(
        actor=tf,
        type="fund_misuse",
        company=vetoed.company,
        estate=None,
        date=day,
        text="经审计，擅自将公共收益用于企业日常经营支出。",
        document_no=f"钟住建罚〔{day.year}〕{90 + seed}号",
    )
    # objections by companies with staff, on their bad events
    events = list(
        CreditEvent.objects.filter(
            company_id__in=staffed, type__in=["penalty", "interview", "referral"]
        ).order_by("company_id", "pk")
    )
    for (outcome, reasons, decision, points), event in zip(OBJECTIONS, events, strict=False):
        staff = (
            User.objects.filter(role=Role.COMPANY_STAFF, company_id=event.company_id).order_by("id").first()
        )
        assert staff is not None
        objection = credit_objection_raise(actor=staff, event=event, reasons=reasons)
        if outcome != ObjectionStatus.OPEN:
            credit_objection_decide(
                actor=tf, objection=objection, outcome=outcome, reason=decision, points=points
            )
    # one company in the middle lifted to AA (after the reviews and the monthly reports, which move scores)
    now_scores = explain_all()
    middle = next(
        (
            ex
            for ex in sorted(now_scores, key=lambda ex: (-ex.score, ex.company.name))
            if not ex.veto and ex.company.pk not in (best.company.pk, vetoed.company.pk)
        ),
        None,
    )
    for i in range(10):
        if middle is None or _score(explain_all(), middle.company.pk).level not in ("A", "B"):
            break
        credit_record_enter(
            actor=tf,
            type="commendation",
            company=middle.company,
            estate=None,
            date=day,
            text=f"在老旧小区改造中表现突出，受到县住建局通报表扬（第 {i + 1} 次）。",
        )
    # one published notice: the penalties and the failing companies
    explanations = explain_all()
    items = [
        {
            "kind": "event",
            "key": f"event:{e.pk}",
            "text": f"{e.company.name}：{type_label(e.type)}，{e.summary}",
        }
        for e in CreditEvent.objects.filter(type="penalty")
        .select_related("company")
        .order_by("-date", "pk")[:5]
    ] + [
        {
            "kind": "level",
            "key": f"level:{ex.company.pk}",
            "text": f"{ex.company.name}：信用等级 {ex.level} 级，{ex.score} 分{'（一票否决）' if ex.veto else ''}",
        }
        for ex in explanations
        if ex.level == LEVELS[-1]
    ]
    notice = notice_save(
        actor=tf,
        title="关于物业服务领域突出问题整治情况的通报",
        body=(
            "按照全县住宅小区物业服务突出问题专项整治工作安排，专班对群众反映集中的问题开展督办，"
            "对整改不力的企业依法作出处理。现将有关情况通报如下。\n"
            "各物业服务企业要引以为戒，对照问题清单举一反三，切实提升服务质量。"
        ),
        items=items,
    )
    notice = notice_publish(actor=tf, notice=notice)
    out.write(f"  信用：已发布通报 {notice.number}；各企业信用分和等级：")
    for ex in explain_all():
        veto = "（一票否决）" if ex.veto else ""
        out.write(f"    {ex.company.name}  {ex.score} 分  {ex.level} 级{veto}")
