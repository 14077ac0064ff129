"""Demo monthly reports: the last two months' reports of the companies that have a staff login (most submitted,
some returned or accepted, a few missing), the lateness events, and the daily summary.

Deterministic for a seed; idempotent: skipped when reports exist.
"""

import random
from typing import Any

from wuye.accounts.models import Role, User
from wuye.common.dates import today
from wuye.kernel.actors import SystemActor
from wuye.registry.models import Estate, PropertyCompany

from . import services
from .calendar import month_start, previous_month
from .models import MonthlyReport
from .selectors import expected_pairs

TEXTS = [
    "本月对小区楼道、绿化开展集中清理，完成台账事项整改并上传照片，已向业主公示整改结果。",
    "本月完成消防通道清理和消防设施检查，电梯维保按期进行，公共收益收支已在公告栏公示。",
    "本月组织业主座谈一次，对反映的停车问题制定了车位调整方案，正在征求业主意见。",
]


def build(*, seed: int, scale: float, out: Any) -> None:
    if MonthlyReport.objects.exists():
        out.write("  月报：已存在，跳过")
        return
    rng = random.Random(seed * 104729 + 15)
    staff_of = {u.company_id: u for u in User.objects.filter(role=Role.COMPANY_STAFF).order_by("id")}
    tf = User.objects.filter(role=Role.TASK_FORCE).order_by("id").first()
    last = previous_month(month_start(today()))
    companies = {c.pk: c for c in PropertyCompany.objects.all()}
    estates = {e.pk: e for e in Estate.objects.all()}
    made = 0
    for month in (previous_month(last), last):
        for company_id, estate_id in expected_pairs(month):
            staff = staff_of.get(company_id)
            if staff is None or rng.random() < 0.1:  # a few never report
                continue
            report, _ = services.report_draft_open(
                actor=staff, company=companies[company_id], estate=estates[estate_id], month=month
            )
            services.report_save(actor=staff, report=report, text=rng.choice(TEXTS))
            if rng.random() < 0.15:
                continue  # a draft never sent
            services.report_submit(actor=staff, report=report)
            made += 1
            if tf is not None and month < last:
                if rng.random() < 0.2:
                    services.report_return(
                        actor=tf, report=report, comment="请补充在办事项的整改时限和责任人。"
                    )
                else:
                    services.report_accept(actor=tf, report=report)
    services.lateness_record(actor=SystemActor("monthly_reports"), on=today())
    services.summary_refresh(actor=SystemActor("daily_summary"), since=None)
    out.write(f"  月报：报送 {made} 份；每日统计已生成")
