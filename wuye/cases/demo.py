"""Demo ledger: a few hundred cases in every state, with leads from every channel, plans, extensions,
escalations, merges and revisits, all made through the services so each has a real timeline and audit trail.

Deterministic for a seed; idempotent (a county that already has cases is left as it is). Dates are spread over the
past months afterwards so the ledger looks lived-in (the audit chain keeps the true load time).
"""

import datetime as dt
import random
from typing import Any
from unittest import mock

from django.db import transaction

from wuye.accounts.models import Role, User
from wuye.accounts.services import staff_user_create
from wuye.common.dates import cn_date, now, today
from wuye.intake.models import Channel
from wuye.intake.services import lead_create
from wuye.kernel.actors import SystemActor
from wuye.registry.selectors import contracts_in_force

from . import notices, services
from .models import Case, CaseEvent, CaseStatus, Revisit

DEMO = SystemActor("demo")

TEXTS: dict[str, list[str]] = {
    "1.1": [
        "楼道垃圾长期无人清理，气味很大",
        "绿化带无人修剪，杂草丛生",
        "小区夜间无保安巡逻，门岗经常无人",
        "单元门禁损坏两个月未修",
        "路灯坏了很久没人修，晚上出行不安全",
    ],
    "1.2": ["物业收费项目和标准没有公示", "维修资金使用情况从未公开", "物业服务合同内容不对业主公开"],
    "1.3": ["消防通道被杂物和车辆堵塞", "消防栓没有水，灭火器过期", "地下车库消防喷淋系统损坏"],
    "2.1": ["小区公共收益没有开设专门账户", "公共收益存在物业公司自己的账户里"],
    "2.2": ["物业擅自把架空层出租做仓库", "电梯里投放广告，业主不知情", "物业在绿地上设置收费摊位"],
    "2.3": ["公共收益收支从未公示", "广告费、场地费收入去向不明"],
    "2.4": ["停车费收入被物业全部占用", "电梯广告收入没有按业主大会决议分配"],
    "3.1": ["电梯经常困人，维修不及时", "电梯维保记录造假，半年没人来保养", "电梯异响抖动，多次报修无果"],
    "3.2": ["电梯使用超过二十年，一直不申报更新", "老旧电梯频繁故障，未启动更新改造"],
    "3.3": ["电梯更新改造资金迟迟不到位", "电梯改造维修资金申请卡住"],
    "4": ["小区停车难，车位被外来车辆占用", "有人在公共车位私装地锁", "物业私自出租公共车位"],
    "5": ["合同到期物业拒不退出，不移交资料", "原物业拒绝移交物业服务用房"],
    "6": ["开发商未缴存住宅专项维修资金", "维修资金被挪用于日常开支"],
    "7": ["物业乱收费，强制收取装修押金", "物业工作人员态度恶劣，推诿扯皮", "物业收费后不开发票"],
}
CHANNELS = [
    Channel.QR,
    Channel.QR,
    Channel.QR,
    Channel.HOTLINE_12345,
    Channel.HOTLINE_12345,
    Channel.PHONE,
    Channel.WEB,
    Channel.EMAIL,
    Channel.INSPECTION,
    Channel.QUESTIONNAIRE,
    Channel.COLLECTION_STATION,
]
# Final states, with weights: every state appears.
PLAN = [
    ("received", 9),
    ("verifying", 9),
    ("unfounded", 7),
    ("rectifying", 20),
    ("overdue", 8),
    ("submitted", 11),
    ("returned", 7),
    ("accepted", 24),
    ("merged", 5),
]
SURNAMES = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌海燕鹏辉波宁"
RESPONSIBLE = ["项目经理", "客服主管", "工程部主管", "保洁主管", "秩序维护主管"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _staff_for(company_id: int, cache: dict[int, User]) -> User:
    if company_id not in cache:
        user = User.objects.filter(role=Role.COMPANY_STAFF, company_id=company_id).order_by("id").first()
        if user is None:
            user = staff_user_create(
                actor=SystemActor("demo"),
                username=f"demo-company-{company_id}",
                password=None,
                role=Role.COMPANY_STAFF,
                display_name="物业客服（演示）",
                company_id=company_id,
            )
        cache[company_id] = user
    return cache[company_id]


def _pick(rng: random.Random) -> str:
    total = sum(w for _, w in PLAN)
    x = rng.uniform(0, total)
    for name, w in PLAN:
        x -= w
        if x <= 0:
            return name
    return PLAN[-1][0]


def build(*, seed: int, scale: float, out: Any) -> None:
    # The demo's residents are fictitious numbers: their step-by-step SMS are not recorded (the company's staff
    # still get their in-app messages, wuye.cases.notices).
    with mock.patch.object(notices, "tell_complainants", lambda **kw: None):
        _build(seed=seed, scale=scale, out=out)


@transaction.atomic
def _build(*, seed: int, scale: float, out: Any) -> None:
    if Case.objects.exists():
        out.write("  台账：已存在，跳过")
        return
    rng = random.Random(seed * 7919 + 3)
    contracts = list(contracts_in_force().select_related("estate", "company").order_by("estate__code"))
    tf = list(User.objects.filter(role__in=[Role.TASK_FORCE, Role.BUREAU_ADMIN]).order_by("id"))
    if not contracts or not tf:
        out.write("  台账：没有现行合同或专班用户，跳过")
        return
    staff_cache: dict[int, User] = {}
    n_cases = max(40, round(300 * scale))
    created: list[tuple[Case, str]] = []
    counts: dict[str, int] = {}
    for i in range(n_cases):
        contract = contracts[rng.randrange(len(contracts))] if i % 5 else contracts[i % len(contracts)]
        estate = contract.estate
        category = rng.choice(list(TEXTS))
        text = rng.choice(TEXTS[category])
        officer = tf[i % len(tf)]
        staff = _staff_for(contract.company_id, staff_cache)
        goal = _pick(rng)
        # the reports: 1–4 leads from various channels, the first becomes the case
        n_leads = rng.choice((1, 1, 1, 2, 2, 3, 4))
        leads = []
        for j in range(n_leads):
            anonymous = rng.random() < 0.2
            leads.append(
                lead_create(
                    actor=DEMO,
                    channel=rng.choice(CHANNELS),
                    text=text if j == 0 else f"{text}（再次反映）",
                    estate=estate,
                    category_hint=category,
                    anonymous=anonymous,
                    complainant_name="" if anonymous else _name(rng),
                    complainant_phone="" if anonymous else f"135{seed % 10}{i:03d}{j:04d}",
                    source_ref=f"demo-{seed}-{i}-{j}",
                ).lead
            )
        case = services.case_create_from_lead(
            actor=officer, lead=leads[0], category=category, description=f"{estate.name}：{text}"
        )
        for extra in leads[1:]:
            services.lead_merge_into_case(actor=officer, lead=extra, case=case)
        if goal != "received" or i % 3:  # most cases signed for (签收) by the company; a few still waiting
            case = services.case_sign(actor=staff, case=case)
        if goal == "merged":
            target = next(
                (
                    c
                    for c, g in reversed(created)
                    if c.estate_id == estate.pk and c.status not in (CaseStatus.MERGED,)
                ),
                None,
            )
            if target is not None:
                services.case_merge_into_case(
                    actor=officer, case=case, target=target, reason="同一问题重复立案"
                )
                created.append((case, goal))
                counts[goal] = counts.get(goal, 0) + 1
                continue
            goal = "received"
        if goal == "received":
            created.append((case, goal))
            counts[goal] = counts.get(goal, 0) + 1
            continue
        case = services.case_verify(actor=officer, case=case, note="已安排现场核查。")
        if goal == "verifying":
            created.append((case, goal))
            counts[goal] = counts.get(goal, 0) + 1
            continue
        if goal == "unfounded":
            case = services.case_mark_unfounded(
                actor=officer, case=case, reason="经现场核查，反映情况与实际不符，已向反映人解释说明。"
            )
            created.append((case, goal))
            counts[goal] = counts.get(goal, 0) + 1
            continue
        case = services.case_start_rectification(
            actor=officer,
            case=case,
            target=f"彻底解决“{text[:16]}”问题，建立长效管理制度",
            measures="1. 制定整改方案并公示；2. 落实人员和经费；3. 每周向专班报告进展；4. 整改完成后申请验收。",
            responsible=f"{_name(rng)}（{rng.choice(RESPONSIBLE)}）",
            deadline=today() + dt.timedelta(days=rng.randint(2, 40)),
        )
        if rng.random() < 0.5:
            case = services.case_progress_update(
                actor=staff, case=case, progress="已制定整改方案，正在落实。"
            )
        if rng.random() < 0.15:
            assert case.deadline is not None  # the plan accepted above set it
            ext = services.extension_request(
                actor=staff,
                case=case,
                reason="需采购配件，工期较长",
                requested_deadline=case.deadline + dt.timedelta(days=15),
            )
            if rng.random() < 0.7:
                services.extension_decide(
                    actor=officer,
                    extension=ext,
                    approve=rng.random() < 0.6,
                    reason="情况属实" if rng.random() < 0.5 else "理由不充分，请按期完成",
                )
                case.refresh_from_db()
        if rng.random() < 0.18:
            kind = rng.choice(
                ["interview", "interview", "penalty", "referral", "restrict_honours", "dismissal"]
            )
            services.case_action_record(
                actor=officer,
                case=case,
                kind=kind,
                date=today() - dt.timedelta(days=rng.randint(0, 20)),
                interviewee=f"{contract.company.legal_representative}（法定代表人）",
                interviewers="县住建局专班",
                minutes="通报问题，责令限期整改，企业表态按期完成。",
                amount=str(rng.choice([10000, 20000, 50000, 80000])),
                legal_basis="《物业管理条例》第六十三条",
                decision_number=f"钟住建罚〔2025〕{i + 1}号",
                department=rng.choice(["县市场监督管理局", "县公安局", "县消防救援大队"]),
            )
        if goal in ("rectifying", "overdue"):
            created.append((case, goal))
            counts[goal] = counts.get(goal, 0) + 1
            continue
        case = _submit(case, staff, rng)
        if goal == "returned":
            case = services.case_return(actor=officer, case=case, reason="现场复核仍有问题，请继续整改。")
        elif goal == "accepted":
            if rng.random() < 0.2:
                case = services.case_return(actor=officer, case=case, reason="整改不彻底。")
                case = _submit(case, staff, rng)
            case = services.case_accept(actor=officer, case=case, note="经现场验收，整改到位。")
        created.append((case, goal))
        counts[goal] = counts.get(goal, 0) + 1
    _spread_dates(created, rng)
    for case, goal in created:
        if goal == "overdue":
            services.case_mark_overdue(actor=SystemActor("tick"), case=case)
    # 回头看: one sample, one failed revisit reopens its case
    batch, _ = services.revisit_sample_draw(actor=tf[0], per_estate=1, seed=seed)
    first = Revisit.objects.filter(batch=batch).order_by("id").first()
    if first is not None:
        services.revisit_record(
            actor=tf[0], revisit=first, passed=False, finding="回头看发现问题反弹，责令重新整改。"
        )
    for rv in Revisit.objects.filter(batch=batch, result="pending").order_by("id")[1:4]:
        services.revisit_record(actor=tf[0], revisit=rv, passed=True, finding="整改成果保持良好。")
    states = Case.objects.values_list("status", flat=True)
    by_state: dict[str, int] = {}
    for s in states:
        by_state[s] = by_state.get(s, 0) + 1
    summary = "，".join(f"{CaseStatus(s).label} {n}" for s, n in sorted(by_state.items()))
    out.write(f"  台账：{len(created)} 件事项（{summary}；逾期 {counts.get('overdue', 0)}）")


def _submit(case: Case, staff: User, rng: random.Random) -> Case:
    """The company's submission, with a generated evidence picture (submissions require evidence)."""
    return services.case_submit(
        actor=staff, case=case, progress="已按方案完成整改，附整改前后照片。", attachments=[_png(rng)]
    )


def _png(rng: random.Random) -> Any:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (rng.randrange(256), rng.randrange(256), rng.randrange(256))).save(buf, "PNG")
    return SimpleUploadedFile("整改照片.png", buf.getvalue(), content_type="image/png")


def _spread_dates(created: list[tuple[Case, str]], rng: random.Random) -> None:
    """Move each case's creation into the past months and space its events after it; overdue cases get a
    deadline that has passed (their plan entry is rewritten to match)."""
    stamp = now()
    for case, goal in created:
        age = rng.randint(3, 200)
        start = stamp - dt.timedelta(days=age, hours=rng.randint(0, 10))
        events = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
        step = dt.timedelta(days=age) / (len(events) + 1)
        for k, e in enumerate(events):
            e.at = start + step * k
        CaseEvent.objects.bulk_update(events, ["at"])
        fields: dict[str, Any] = {"created_at": start}
        if goal == "overdue":
            case.refresh_from_db()
            old = case.deadline
            new = today() - dt.timedelta(days=rng.randint(1, 30))
            fields["deadline"] = new
            for e in events:
                if e.data.get("new_deadline") == (old.isoformat() if old else None):
                    e.text = e.text.replace(cn_date(old), cn_date(new))
                    e.public_text = e.public_text.replace(cn_date(old), cn_date(new))
                    e.data = {**e.data, "new_deadline": new.isoformat()}
                    e.save(update_fields=["text", "public_text", "data"])
        Case.objects.filter(pk=case.pk).update(**fields)
